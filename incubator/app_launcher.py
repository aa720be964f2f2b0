"""Opening the app on a replica folder."""

from pathlib import Path

import typer

from .i18n import _, language
from .store.home import replica_path


def launch(home: Path) -> None:
    """Run the Textual app on the replica in `home` (exit 2 when there is none)."""
    if not replica_path(home).exists():
        typer.echo(_("No replica in {home}: run `incubator init` or `incubator demo` first")
                   .format(home=home), err=True)
        raise typer.Exit(2)
    from .screens.app import IncubatorApp

    IncubatorApp(home, lang=language()).run()
