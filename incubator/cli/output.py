"""Printing results: JSON for scripts, tables for people."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from ..i18n import _
from ..store import queries
from .root import session


def note_partial(db) -> None:
    """Say on stderr (so JSON stays clean) that what follows counts or ranks only the
    organizations this device holds, when it holds part of the network."""
    scope = queries.replica_scope(db)
    if scope:
        typer.echo(partial_text(scope), err=True)


def partial_text(scope: str) -> str:
    return _("This device holds part of the network ({scope}): the figures count only its "
             "organizations").format(scope=scope)


def wants_json(ctx: typer.Context, local: bool) -> bool:
    return local or session(ctx).json


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_table(rows: list[dict], columns: list[tuple[str, str]], title: str | None = None) -> None:
    """Rows as a table; `columns` pairs a row key with an (untranslated) header."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for _key, header in columns:
        table.add_column(_(header))
    for row in rows:
        table.add_row(*["" if row.get(key) is None else str(row.get(key)) for key, _h in columns])
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)
    typer.echo(_("{count} rows").format(count=len(rows)))


def emit(ctx: typer.Context, json_flag: bool, rows: list[dict], columns: list[tuple[str, str]],
         shown=None, title: str | None = None) -> None:
    """JSON of the rows, or a table of them (each passed through `shown` first)."""
    if wants_json(ctx, json_flag):
        print_json(rows)
    else:
        print_table([shown(dict(row)) for row in rows] if shown else rows, columns, title)
