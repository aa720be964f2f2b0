"""Hubs and their spaces: rooms, desks and shared rooms, and who uses them when."""

from __future__ import annotations

from datetime import date, timedelta

from ...domain import organization, spaces
from ...domain.categories import resolve_category
from ...domain.docids import hub_doc
from ...domain.errors import N_, DomainError
from ...domain.models import SpaceKind, parse_enum
from ...domain.months import parse_date
from .. import queries
from .base import Commands, refuse_duplicate
from .writes import set_all, write_all


SPACE_NAME_MAX_CHARS = 40


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
        name = organization.clean_name(name, maximum=SPACE_NAME_MAX_CHARS)
        space_kind = parse_enum(SpaceKind, kind)
        if area is not None and not 0 < area <= 10000:
            raise DomainError("Area {value} m² is out of range", value=area)
        if capacity is not None and not 0 < capacity <= 1000:
            raise DomainError("Capacity {value} is out of range", value=capacity)
        existing = queries.space_named_in_hub(self.db, name, hub_id)
        if existing is not None:
            refuse_duplicate(name, existing, N_("Hub already has a space named {name}"))
        space_id = self._new_id()
        record = {"name": name, "kind": space_kind.value, "area": area, "capacity": capacity}
        self.replica.change(hub_doc(hub_id), "Added space {name}", {"name": name},
                            lambda ed: set_all(ed, {("spaces", space_id): record}))
        return space_id

    def assign_space(self, space: str, org: str, start: str | None = None,
                     end: str | None = None) -> str:
        space_row = queries.resolve_space(self.db, space)
        org_id = self._resident(org)
        start_date = parse_date(start) if start else self.today()
        end_date = parse_date(end) if end else None
        existing = [(parse_date(row["start"]), parse_date(row["end"]) if row["end"] else None)
                    for row in queries.space_periods(self.db, space_row["id"])]
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
