"""The space map's forms: add a hub, add, edit and retire a space (the same store
commands as `hub add`, `space add`, `space edit`, `space retire`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widgets import Input, Select

from ...domain.categories import category_label
from ...domain.models import SpaceKind
from ...i18n import N_, _, language
from ...store import queries
from ...domain.organization import SPACE_NAME_MAX_CHARS
from ..widgets.checks import name_input
from ..widgets.choice import Choice
from ..widgets.form import Field, FormScreen, RecordForm
from ..widgets.pickers import DateInput, enum_select

SPACE_FIELDS = ("name", "kind", "area", "capacity")


class HubForm(FormScreen):
    """A new hub: its name and specialty; `hub_id` is the new hub's once saved."""

    def __init__(self, store, reader) -> None:
        self.hub_id: str | None = None
        categories = queries.categories(reader)
        name = name_input()

        def write(values: dict[str, Any]) -> str:
            category = values["category"]
            self.hub_id = store.add_hub(values["name"],
                                        None if category == Select.NULL else str(category))
            return self.hub_id

        super().__init__(_("Add a hub"), [
            ("name", N_("Name"), name),
            ("category", N_("Specialty"), Choice(
                [(category_label(key, language(), categories), key) for key in categories],
                prompt=_("Not recorded"))),
        ], write, lambda _id: _("Added hub {name}").format(name=name.value.strip()))


def space_fields(space: dict[str, Any]) -> list[Field]:
    """Name, kind, area and capacity, filled with `space`'s values as text."""
    return [
        ("name", N_("Name"), name_input(space_text("name", space.get("name")),
                                        maximum=SPACE_NAME_MAX_CHARS)),
        ("kind", N_("Kind"), enum_select(SpaceKind, space.get("kind") or SpaceKind.ROOM.value)),
        ("area", N_("Area (m²)"), Input(space_text("area", space.get("area")),
                                        restrict=r"[0-9.]*", max_length=8)),
        ("capacity", N_("Capacity"), Input(space_text("capacity", space.get("capacity")),
                                           restrict=r"[0-9]*", max_length=4)),
    ]


def space_text(key: str, value: Any) -> Any:
    """A stored space value as its widget holds it (the area without a trailing .0)."""
    if value is None:
        return ""
    if key == "area":
        return f"{value:g}"
    return value if key == "kind" else str(value)


def add_space_form(store, hub_id: str, hub_name: str) -> FormScreen:
    return FormScreen(
        _("Add a space to {hub}").format(hub=hub_name), space_fields({}),
        lambda v: store.add_space(hub_id, v["name"], v["kind"], v["area"], v["capacity"]),
        lambda _id: _("Space added"))


def edit_space_form(store, reader, space: dict[str, Any]) -> RecordForm:
    """Only the fields changed are saved, if nobody changed them since (compare-and-set)."""

    def stored() -> dict[str, Any]:
        row = queries.resolve_space(reader, space["id"])
        return {key: row[key] for key in SPACE_FIELDS}

    return RecordForm(
        _("Edit {space}").format(space=space["name"]), space_fields(space), stored(), stored,
        space_text, lambda changed, opened: store.edit_space(space["id"], changed, opened),
        lambda _changed: _("Space saved"))


def retire_space_form(store, space: dict[str, Any], today: date) -> FormScreen:
    """Retire from a day on: the space leaves the map; its past allocations stay."""
    return FormScreen(
        _("Retire {space}: it leaves the map, its history stays").format(space=space["name"]),
        [("on", N_("First day without the space"), DateInput(today.isoformat()))],
        lambda v: store.retire_space(space["id"], v["on"]),
        lambda _id: _("Retired {space}").format(space=space["name"]))


def assign_to_org_form(store, org: dict[str, Any], free: list[dict[str, Any]],
                       today: date) -> FormScreen:
    """One of the `free` spaces of its hub for the organization, over a period."""
    fields = [("space", N_("Space"), Choice([(s["name"], s["id"]) for s in free],
                                            prompt=_("Space"), allow_blank=False)),
              ("start", N_("From"), DateInput(today.isoformat())),
              ("end", N_("To (empty: open-ended)"), DateInput(optional=True))]
    return FormScreen(
        _("Assign a space to {name}").format(name=org["name"]), fields,
        lambda v: store.assign_space(str(v["space"]), org["id"], v["start"], v["end"] or None),
        lambda _r: _("Assigned a space to {name}").format(name=org["name"]))


def release_for_org_form(store, org: dict[str, Any], used: list[dict[str, Any]],
                         today: date) -> FormScreen:
    """Free one of the spaces the organization uses (`used`: its current allocations)."""
    fields = [("space", N_("Space"), Choice([(a["name"], a["space_id"]) for a in used],
                                            prompt=_("Space"), allow_blank=False)),
              ("on", N_("First free day"), DateInput(today.isoformat()))]
    return FormScreen(
        _("Release a space of {name}").format(name=org["name"]), fields,
        lambda v: store.release_space(str(v["space"]), v["on"]),
        lambda _r: _("Released a space of {name}").format(name=org["name"]))
