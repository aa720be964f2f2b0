"""Every CLI command with empty, huge, malformed, out-of-range and non-UTF-8 input:
a plain message, a non-zero exit, and the replica unchanged."""

import functools

import pytest
import typer.testing
from typer.main import get_command
from typer.testing import CliRunner

from incubator.cli import app

from ..cli.test_cli import dump_hash, run

runner = CliRunner()
GLOBAL = {"home", "lang", "json_output", "help"}
SKIPPED = {("tui",)}  # opens the full-screen app: covered by the TUI tests
# Commands that only read may answer an odd filter with an empty list; the others must refuse.
READ_ONLY = {"list", "show", "status", "ledger", "warnings", "history", "inspect", "conflicts",
             "verify", "reindex", "categories", "id", "card", "backup"}
BAD = {
    "empty": "",
    "huge": "名" * 5000,
    "malformed": "@@@!!%%",
    "negative": "-1",
    "out of range": "99999999999999999999",
    "non-UTF-8": b"\xff\xfe".decode("utf-8", "surrogateescape"),
}


def commands():
    def walk(command, path):
        if hasattr(command, "commands"):
            for name, sub in sorted(command.commands.items()):
                yield from walk(sub, (*path, name))
        elif path not in SKIPPED and argv_for(path, command, "x") != list(path):
            yield path, command

    return list(walk(get_command(app), ()))


def argv_for(path, command, value: str) -> list[str]:
    """The command with every argument and valued option set to `value`."""
    argv = list(path)
    for param in command.params:
        if param.name in GLOBAL or getattr(param, "is_flag", False):
            continue
        if param.param_type_name == "argument":
            argv += [value] * (param.nargs if param.nargs > 0 else 1)
        else:
            argv += [param.opts[0], value]
    return argv


@pytest.fixture(scope="module", autouse=True)
def command_built_once():
    """Typer builds the whole Click command tree again at every `invoke` (about 0.4 s,
    most of a call here): build it once for the module's ~500 invocations."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", functools.cache(get_command))
        yield


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """One replica with an organization, copied fresh for every command."""
    home = tmp_path_factory.mktemp("bad-input") / "home"
    run("--home", home, "init", "--hub-name", "阳光孵化中心", "--device-name", "前台电脑")
    run("--home", home, "org", "add", "--name", "桂花社区书画社", "--category", "culture",
        "--hub", "阳光孵化中心", "--entered", "2024-03-15")
    return home


@pytest.mark.parametrize("path,command", commands(), ids=lambda v: " ".join(v)
                         if isinstance(v, tuple) else "")
def test_bad_values_in_every_parameter_are_refused_plainly(prepared, path, command, monkeypatch,
                                                           tmp_path):
    monkeypatch.chdir(tmp_path)
    before = dump_hash(prepared)
    for kind, value in BAD.items():
        result = runner.invoke(app, ["--home", str(prepared), *argv_for(path, command, value)])
        said = (result.stderr or "") + (result.stdout or "")
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{' '.join(path)} with {kind} input crashed: {result.exception!r}")
        assert "Traceback" not in said, f"{' '.join(path)} with {kind}"
        if path[-1] not in READ_ONLY or result.exit_code:
            assert result.exit_code in (1, 2), f"{' '.join(path)} with {kind}: {said[:300]}"
            assert said.strip().startswith("错误"), f"{' '.join(path)} with {kind}: {said[:300]}"
        assert dump_hash(prepared) == before, f"{' '.join(path)} with {kind} input wrote"
