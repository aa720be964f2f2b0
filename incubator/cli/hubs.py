"""Hubs and their spaces."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..domain.errors import N_
from ..i18n import _
from ..present.labels import category_text, enum_label
from ..store import queries
from ..store.commands.hubs import SPACE_LABELS
from .args import JsonFlag, OrgArg
from .output import emit, note_partial
from .root import command, group, open_store

SpaceArg = Annotated[str, typer.Argument(help="Space id or name.")]

hub_app = group("hub", "Incubation hubs.")


@command(hub_app, "add")
def hub_add(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Hub name.")],
            category: Annotated[Optional[str], typer.Option("--category", help="Specialty category (key or label).")] = None) -> None:
    """Add a hub."""
    typer.echo(open_store(ctx).add_hub(name, category))


@command(hub_app, "list")
def hub_list(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """List hubs with residents and occupancy."""
    store = open_store(ctx)
    note_partial(store.db)
    emit(ctx, json_flag, queries.hubs(store.db, store.today()),
         [("id", N_("ID")), ("name", N_("Hub")), ("category", N_("Category")),
          ("residents", N_("Residents")), ("occupied", N_("Occupied")), ("spaces", N_("Spaces"))],
         shown=lambda row: dict(row, category=category_text(row["category"])))


space_app = group("space", "Rooms, desks and shared spaces, and who uses them.")


@command(space_app, "add")
def space_add(ctx: typer.Context, hub: Annotated[str, typer.Argument(help="Hub id or name.")],
              name: Annotated[str, typer.Argument(help="Space name, e.g. 201.")],
              kind: Annotated[str, typer.Option("--kind", help="room, desk or shared.")] = "room",
              area: Annotated[Optional[float], typer.Option("--area", help="Area in m².")] = None,
              capacity: Annotated[Optional[int], typer.Option("--capacity", help="Seats.")] = None) -> None:
    """Add a space to a hub."""
    typer.echo(open_store(ctx).add_space(hub, name, kind, area, capacity))


@command(space_app, "edit")
def space_edit(ctx: typer.Context, space: SpaceArg,
               name: Annotated[Optional[str], typer.Option("--name", help="New name.")] = None,
               kind: Annotated[Optional[str], typer.Option("--kind", help="room, desk or shared.")] = None,
               area: Annotated[Optional[str], typer.Option("--area", help="Area in m² (empty clears it).")] = None,
               capacity: Annotated[Optional[str], typer.Option("--capacity", help="Seats (empty clears it).")] = None) -> None:
    """Change a space's name, kind, area or capacity."""
    changed = open_store(ctx).edit_space(space, {"name": name, "kind": kind, "area": area,
                                                 "capacity": capacity})
    typer.echo(_("Saved: {fields}").format(fields=", ".join(
        _(SPACE_LABELS[key]) for key in changed)))


@command(space_app, "retire")
def space_retire(ctx: typer.Context, space: SpaceArg,
                 on: Annotated[Optional[str], typer.Option("--on", help="First day without the space (default today).")] = None) -> None:
    """Take a space out of use (refused while it is allocated); its history stays."""
    open_store(ctx).retire_space(space, on)
    typer.echo(_("Retired"))


@command(space_app, "list")
def space_list(ctx: typer.Context,
               hub: Annotated[Optional[str], typer.Option("--hub", help="Only this hub.")] = None,
               retired: Annotated[bool, typer.Option("--retired", help="Include retired spaces.")] = False,
               json_flag: JsonFlag = False) -> None:
    """List spaces with today's occupant."""
    store = open_store(ctx)
    hub_id = queries.resolve_hub(store.db, hub) if hub else None
    emit(ctx, json_flag, queries.spaces(store.db, store.today(), hub_id, retired=retired),
         [("id", N_("ID")), ("hub", N_("Hub")), ("name", N_("Space")), ("kind", N_("Kind")),
          ("status", N_("Status")), ("org_name", N_("Occupant")), ("end", N_("Until"))],
         shown=lambda row: dict(row, kind=enum_label(row["kind"]), status=space_status(row)))


def space_status(row: dict) -> str:
    if row["retired_on"]:
        return _("retired from {date}").format(date=row["retired_on"])
    return _("occupied") if row["org_id"] else _("free")


@command(space_app, "assign")
def space_assign(ctx: typer.Context, space: SpaceArg, org: OrgArg,
                 start: Annotated[Optional[str], typer.Option("--from", help="Start date (default today).")] = None,
                 end: Annotated[Optional[str], typer.Option("--to", help="End date (default open).")] = None) -> None:
    """Allocate a space to a resident organization."""
    typer.echo(open_store(ctx).assign_space(space, org, start, end))


@command(space_app, "release")
def space_release(ctx: typer.Context, space: SpaceArg,
                  on: Annotated[Optional[str], typer.Option("--on", help="First free day (default today).")] = None) -> None:
    """Free a space: its allocation ends the day before (or is cancelled if not yet begun)."""
    open_store(ctx).release_space(space, on)
    typer.echo(_("Released"))
