"""The root of the `incubator` command: global options, the session, translated errors.

Every command is registered with `command()`, which turns bad input (a `DomainError`)
into a translated message on stderr and exit code 2, having changed nothing.
"""

from __future__ import annotations

import functools
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer._click import exceptions as click  # the Click errors Typer vendors and raises

from .. import i18n
from ..domain.errors import DomainError
from ..i18n import _
from ..store.commands import Store
from ..store.home import replica_path, resolve_home
from ..store.identity import environment_passphrase, use_passphrase_source
from .help import HelpCommand, HelpGroup

EXIT_BAD_INPUT = 2


@dataclass
class Session:
    """Global options and the store they open (lazily)."""

    home: Path
    json: bool
    _store: Optional[Store] = field(default=None, repr=False)

    def store(self) -> Store:
        if self._store is None:
            if not replica_path(self.home).exists():
                raise DomainError(
                    "No replica in {home}: run `incubator init` or `incubator demo` first",
                    home=str(self.home))
            self._store = Store.open(self.home)
        return self._store

    def close(self) -> None:
        """Close the store when the command ends (its hold on the replica ends with it)."""
        if self._store is not None:
            self._store.close()
            self._store = None


def _has_surrogates(value: Any) -> bool:
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str):
        return any("\udc80" <= ch <= "\udcff" for ch in value)
    if isinstance(value, (list, tuple)):
        return any(_has_surrogates(item) for item in value)
    return False


def guarded(function: Callable) -> Callable:
    """Turn bad input into a translated message and exit code 2."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            if any(_has_surrogates(value) for value in kwargs.values()):
                raise DomainError("Input is not valid UTF-8 text")
            return function(*args, **kwargs)
        except DomainError as error:
            typer.echo(_("Error: {message}").format(message=error.render(_)), err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except sqlite3.DatabaseError as error:  # a read of a damaged replica file
            typer.echo(_("Error: {message}").format(message=_(
                "The replica file cannot be read ({error}): run incubator verify").format(
                    error=error)), err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return run


def command(group: typer.Typer, name: str, **options: Any) -> Callable[[Callable], Callable]:
    """Register a guarded command `name` in `group`."""

    def register(function: Callable) -> Callable:
        return group.command(name, cls=HelpCommand, **options)(guarded(function))

    return register


def session(ctx: typer.Context) -> Session:
    return ctx.find_root().obj


def open_store(ctx: typer.Context) -> Store:
    """The store of the replica in the chosen home (refused when there is none)."""
    return session(ctx).store()


def click_error_text(error: click.ClickException) -> str:
    """Click's own usage errors (missing or malformed options) in the current language."""
    ctx = getattr(error, "ctx", None)
    param = getattr(error, "param", None)
    hint = getattr(error, "param_hint", None) or (param.get_error_hint() if param else "")
    if i18n.language() != "zh":
        message = error.format_message()
    elif isinstance(error, click.MissingParameter):
        message = _("missing {what}").format(what=hint)
    elif isinstance(error, click.NoSuchOption):
        message = _("there is no option {option}").format(option=error.option_name)
    elif isinstance(error, click.BadParameter):
        message = _("invalid value for {what}").format(what=hint)
    elif error.format_message().startswith("No such command"):
        message = _("there is no command {name}").format(
            name=error.format_message().split(" ", 3)[-1].rstrip("."))
    else:
        message = error.format_message()
    text = _("Error: {message}").format(message=message)
    if ctx is not None:
        text += "\n" + _("See: {command} --help").format(command=ctx.command_path)
    return text


class TranslatedGroup(HelpGroup):
    """The root command: usage errors come out translated, with exit code 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            result = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                  standalone_mode=False, **extra)
        except click.ClickException as error:
            if not standalone_mode:
                raise
            typer.echo(click_error_text(error), err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            typer.echo(_("Aborted"), err=True)
            sys.exit(1)
        if standalone_mode:
            sys.exit(result if isinstance(result, int) else 0)
        return result


app = typer.Typer(
    cls=TranslatedGroup,
    name="incubator",
    help="Incubation centre management. Run without a command to open the app.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
)


def group(name: str, help: str, **options: Any) -> typer.Typer:
    """A command group (`incubator NAME …`) added to the root."""
    sub = typer.Typer(help=help, cls=HelpGroup, **options)
    app.add_typer(sub, name=name)
    return sub


def ask_passphrase() -> Optional[str]:
    """INCUBATOR_PASSPHRASE, else a hidden prompt when a person is at the terminal."""
    if environment_passphrase() or not sys.stdin.isatty():
        return environment_passphrase()
    return typer.prompt(_("Passphrase for this device's keys"), hide_input=True, err=True)


def open_app(ctx: typer.Context) -> None:
    """Run the Textual app on the replica in the home. Without one, a person at a terminal
    makes it first (a new network or joining one); otherwise exit 2."""
    from ..screens.app import IncubatorApp, first_run

    home = session(ctx).home
    at_a_terminal = sys.stdin.isatty() and sys.stdout.isatty()
    if not replica_path(home).exists() and not (at_a_terminal and first_run(home)):
        typer.echo(_("No replica in {home}: run `incubator init` or `incubator demo` first")
                   .format(home=home), err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    IncubatorApp(home, lang=i18n.language()).run()


def _choose_language(lang: str) -> str:
    """--lang takes effect as soon as it is read: a --help after it is in that language."""
    if lang and lang not in i18n.LANGUAGES:
        typer.echo(f"--lang: zh | en ({lang}?)", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    i18n.set_language(lang or None)
    return lang


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    home: Annotated[Optional[Path], typer.Option("--home", help="Replica folder (default: INCUBATOR_HOME or the user data folder).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language: zh (default) or en.", is_eager=True, callback=_choose_language)] = "",
    json_output: Annotated[bool, typer.Option("--json", help="JSON output for listings and show commands.")] = False,
) -> None:
    """Incubation centre management. Run without a command to open the app."""
    use_passphrase_source(ask_passphrase)
    ctx.obj = Session(resolve_home(home), json_output)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        open_app(ctx)

