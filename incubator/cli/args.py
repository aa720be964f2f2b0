"""Argument and option types shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

OrgArg = Annotated[str, typer.Argument(help="Organization id, id prefix or name.")]
RefArg = Annotated[str, typer.Argument(
    help="Organization or hub (id, prefix or name), or 'network'.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
YearOption = Annotated[int, typer.Option("--year", min=1949, max=2200)]
