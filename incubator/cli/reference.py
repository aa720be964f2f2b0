"""The CLI reference (docs/cli.md), generated from the Typer app itself.

    .venv/bin/python -m incubator.cli.reference > docs/cli.md

`tests/cli/test_reference.py` fails when the file is out of date.
"""

from __future__ import annotations

import typer
from typer._click import Command, Context

from . import app


def _options(command: Command) -> list[str]:
    lines = []
    for param in command.params:
        if param.param_type_name == "argument":
            lines.append(f"- `{(param.metavar or param.name).upper()}` (argument)"
                         + (f": {param.help}" if getattr(param, "help", None) else ""))
        elif param.name != "help":
            names = ", ".join(f"`{name}`" for name in (*param.opts, *param.secondary_opts))
            extra = []
            if param.required:
                extra.append("required")
            if param.multiple:
                extra.append("repeatable")
            if not param.is_flag and not param.required and param.default not in (None, "", ()):
                extra.append(f"default {param.default}")
            suffix = f" ({', '.join(extra)})" if extra else ""
            lines.append(f"- {names}{suffix}" + (f": {param.help}" if param.help else ""))
    return lines


def _section(command: Command, path: str, level: int) -> list[str]:
    out = [f"{'#' * level} `{path}`", ""]
    if command.help:
        out += [command.help.strip(), ""]
    options = _options(command)
    if options:
        out += [*options, ""]
    if hasattr(command, "list_commands"):
        context = Context(command)
        for name in command.list_commands(context):
            out += _section(command.get_command(context, name), f"{path} {name}",
                            min(level + 1, 3))
    return out


def markdown() -> str:
    """Every command with its options and help text, in the order `--help` lists them."""
    root = typer.main.get_command(app)
    lines = ["# CLI reference", "",
             "Generated from the Typer app by `python -m incubator.cli.reference`; "
             "do not edit by hand.", ""]
    lines += _section(root, "incubator", 2)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
