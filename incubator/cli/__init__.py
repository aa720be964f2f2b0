"""The `incubator` command: a thin Typer layer over `incubator.store` and `incubator.sync`.

One module per command group; every command validates through the store, prints in the
chosen language and exits 2 with a plain message on bad input, having changed nothing.
"""

import typer

from . import network, hubs, orgs, waivers, scores, reviews, records, sync, district, sheets  # noqa: F401 (register)
from . import rounds  # noqa: F401 (register)
from .network import qr_text
from .root import app, command, open_app

__all__ = ["app", "main", "qr_text"]


@command(app, "tui")
def tui(ctx: typer.Context) -> None:
    """Open the app (the same as running incubator with no command)."""
    open_app(ctx)


def main() -> None:
    app()
