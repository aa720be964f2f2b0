"""Hubs and their spaces: rooms, desks and shared rooms, and who uses them when."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from ...domain import organization, spaces
from ...domain.categories import resolve_category
from ...domain.docids import hub_doc
from ...domain.errors import N_, DomainError, Text
from ...domain.models import SpaceKind, parse_enum
from ...domain.months import parse_date
from .. import queries
from .base import Commands, refuse_duplicate
from .writes import set_all, write_all


# A space's editable field → its cleaner (as `space add` and `space edit` take them)
SPACE_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": lambda v: organization.clean_name(v, maximum=organization.SPACE_NAME_MAX_CHARS),
    "kind": lambda v: parse_enum(SpaceKind, v).value,
    "area": spaces.clean_area,
    "capacity": spaces.clean_capacity,
}
SPACE_LABELS = {"name": N_("Name"), "kind": N_("Kind"), "area": N_("Area (m²)"),
                "capacity": N_("Capacity")}


class HubCommands(Commands):
    def add_hub(self, name: str, category: str | None = None) -> str:
        name = organization.clean_name(name)
        category = resolve_category(category, queries.categories(self.db)) if category else None
        existing = queries.hub_named(self.db, name)
        if existing is not None:
            refuse_duplicate(name, existing, N_("A hub named {name} already exists"))
        return self._create_hub(name, category)

    def _create_hub(self, name: str, category: str | None) -> str:
        hub_id = self._new_id()
        profile = {"name": name, "category": category, "created_at": self.replica.now_iso()}
        self.replica.change(hub_doc(hub_id), "Created hub {name}", {"name": name},
                            lambda ed: set_all(ed, {("profile",): profile}), create=True)
        return hub_id

    def add_space(self, hub: str, name: str, kind: str = "room", area: float | None = None,
                  capacity: int | None = None) -> str:
        hub_id = queries.resolve_hub(self.db, hub)
        record = {key: SPACE_CLEANERS[key](value) for key, value in
                  (("name", name), ("kind", kind), ("area", area), ("capacity", capacity))}
        self._check_space_name(record["name"], hub_id)
        space_id = self._new_id()
        self.replica.change(hub_doc(hub_id), "Added space {name}", {"name": record["name"]},
                            lambda ed: set_all(ed, {("spaces", space_id): record}))
        return space_id

    def _check_space_name(self, name: str, hub_id: str, except_id: str | None = None) -> None:
        """Names are unique within a hub, a retired space's too (its history names it)."""
        existing = queries.space_named_in_hub(self.db, name, hub_id, except_id)
        if existing is not None:
            refuse_duplicate(name, existing, N_("Hub already has a space named {name}"))

    def edit_space(self, space: str, changes: Mapping[str, Any],
                   opened: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Change a space's name, kind, area or capacity (empty text clears the area or
        the capacity); returns what was written. With `opened` (the values a form was
        opened with), compare-and-set, as `edit_org`."""
        row = queries.resolve_space(self.db, space)
        with self.replica.transaction():
            current = queries.resolve_space(self.db, row["id"])
            cleaned: dict[str, Any] = {}
            for key, value in changes.items():
                if value is None:
                    continue
                if key not in SPACE_CLEANERS:
                    raise DomainError("Field {field} cannot be edited", field=key)
                cleaned[key] = SPACE_CLEANERS[key](value)
            for key in cleaned.keys() & (opened or {}).keys():
                if cleaned[key] != current[key]:
                    self._refuse_if_changed(
                        hub_doc(row["hub_id"]), f"spaces/{row['id']}/{key}", opened[key],
                        current[key], Text("{name}: {field}", {
                            "name": current["name"], "field": Text(SPACE_LABELS[key])}),
                        lambda value: "" if value is None else f"{value:g}"
                        if isinstance(value, float) else str(value))
            changed = {k: v for k, v in cleaned.items() if v != current[k]}
            if not changed:
                raise DomainError("Nothing to change")
            if "name" in changed:
                self._check_space_name(changed["name"], row["hub_id"], row["id"])
            self.replica.change(
                hub_doc(row["hub_id"]), "Edited space {name}",
                {"name": changed.get("name", current["name"])},
                lambda ed: set_all(ed, {("spaces", row["id"], k): v for k, v in changed.items()}))
        return changed

    def retire_space(self, space: str, on: str | None = None) -> str:
        """Take a space out of use from `on` (default today), the first day it is gone;
        refused while it is allocated on that day or later."""
        row = queries.resolve_space(self.db, space)
        day = parse_date(on) if on else self.today()
        in_use = [(queries.org_name(self.db, a["org_id"]), parse_date(a["start"]),
                   parse_date(a["end"]) if a["end"] else None)
                  for a in queries.allocations_from(self.db, space_id=row["id"], day=day)]
        spaces.check_retire(row["name"], parse_date(row["retired_on"])
                            if row["retired_on"] else None, in_use, day)
        self.replica.change(hub_doc(row["hub_id"]), "Retired space {name} from {date}",
                            {"name": row["name"], "date": day.isoformat()},
                            lambda ed: set_all(ed, {("spaces", row["id"], "retired_on"):
                                                    day.isoformat()}))
        return row["id"]

    def assign_space(self, space: str, org: str, start: str | None = None,
                     end: str | None = None) -> str:
        space_row = queries.resolve_space(self.db, space)
        org_id = self._resident(org)
        start_date = parse_date(start) if start else self.today()
        end_date = parse_date(end) if end else None
        existing = [(parse_date(row["start"]), parse_date(row["end"]) if row["end"] else None)
                    for row in queries.space_periods(self.db, space_row["id"])]
        spaces.check_not_retired(space_row["name"], parse_date(space_row["retired_on"])
                                 if space_row["retired_on"] else None, end_date)
        spaces.check_allocation(existing, start_date, end_date, space=space_row["name"])
        allocation_id = self._new_id()
        record = {"space": space_row["id"], "org": org_id, "start": start_date.isoformat(),
                  "end": end_date.isoformat() if end_date else None}
        self.replica.change(
            hub_doc(space_row["hub_id"]), "Assigned {space} to {org}",
            {"space": space_row["name"], "org": queries.org_name(self.db, org_id)},
            lambda ed: set_all(ed, {("allocations", allocation_id): record}),
        )
        return allocation_id

    def release_space(self, space: str, on: str | None = None) -> int:
        """Free the space from `on` (default today): its allocation ends the day before."""
        space_row = queries.resolve_space(self.db, space)
        day = parse_date(on) if on else self.today()
        current = queries.allocations_from(self.db, space_id=space_row["id"], day=day)
        if not current:
            raise DomainError("Space {space} is not allocated on {date}",
                              space=space_row["name"], date=day.isoformat())
        self._end_allocations(space_row["hub_id"], current, day, "Released {space}",
                              {"space": space_row["name"]})
        return len(current)

    def _release_all(self, org_id: str, day: date) -> None:
        """End every allocation of an organization from `day` (it graduates or exits)."""
        by_hub: dict[str, list[dict]] = {}
        for row in queries.allocations_from(self.db, org_id=org_id, day=day):
            by_hub.setdefault(row["hub_id"], []).append(row)
        for hub_id, rows in by_hub.items():
            self._end_allocations(hub_id, rows, day, "Released the spaces of {org}",
                                  {"org": queries.org_name(self.db, org_id)})

    def _end_allocations(self, hub_id: str, allocations: list[dict], day: date,
                         summary: str, params: dict) -> None:
        """End each allocation the day before `day`; cancel those not yet begun."""
        last_day = (day - timedelta(days=1)).isoformat()
        writes = {("allocations", a["id"]): None for a in allocations
                  if a["start"] >= day.isoformat()}
        writes.update({("allocations", a["id"], "end"): last_day for a in allocations
                       if a["start"] < day.isoformat()})
        self.replica.change(hub_doc(hub_id), summary, params,
                            lambda ed: write_all(ed, writes))
