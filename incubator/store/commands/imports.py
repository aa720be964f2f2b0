"""Imports from spreadsheets: a roster of organizations (created or updated), planned row
by row and written all at once.

`import_orgs` plans every row first — its cells cleaned by the profile's cleaners, the
rules across fields checked, duplicates looked for against the replica and within the
file (`domain.roster.RosterIndex`) — and writes nothing while any row is rejected
(unless told to skip those). The writes are one SQLite transaction: one recorded change
per organization, an update writing only the fields whose value differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...domain import roster
from ...domain.categories import resolve_category
from ...domain.errors import N_, DomainError, Text
from ...domain.models import Stage
from ...domain.names import name_key
from ...domain.organization import check_stage_change
from .. import queries
from .organizations import (
    NEW_STAGES, PROFILE_CLEANERS, PROFILE_LABELS, OrganizationCommands, _profile_value,
)

Progress = Callable[[int, int], None]
CREATE, UPDATE, SAME, REJECT = "create", "update", "same", "reject"


@dataclass
class RowOutcome:
    """What importing one row does: create, update (the fields that change, old → new),
    same (nothing differs) or reject (every reason)."""

    row: int
    action: str
    name: str
    org_id: str | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    reasons: list[Text] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class RosterImport:
    outcomes: list[RowOutcome]
    written: bool

    def count(self, action: str) -> int:
        return sum(outcome.action == action for outcome in self.outcomes)


def _field_error(field_name: str, error: DomainError) -> Text:
    return Text(N_("{field}: {reason}"), {"field": Text(PROFILE_LABELS[field_name]),
                                          "reason": error.text})


class ImportCommands(OrganizationCommands):
    def import_orgs(self, rows: Sequence[tuple[int, Mapping[str, Any]]], *,
                    hub: str | None = None, apply: bool = True, skip_invalid: bool = False,
                    progress: Progress | None = None) -> RosterImport:
        """Plan every row (number, field → cell), then — when `apply`, and no row is
        rejected or `skip_invalid` — write them all in one transaction. Rows without a
        hub column go to `hub` (none: the district register). A blank cell leaves a field
        as it is."""
        default_hub = queries.resolve_hub(self.db, hub) if hub else None
        planner = _Planner(self, default_hub)
        outcomes = [planner.plan(number, cells) for number, cells in rows]
        rejected = any(outcome.action == REJECT for outcome in outcomes)
        if not apply or (rejected and not skip_invalid):
            return RosterImport(outcomes, False)
        writes = [outcome for outcome in outcomes if outcome.action in (CREATE, UPDATE)]
        with self.replica.transaction():
            for done, outcome in enumerate(writes, 1):
                if outcome.action == CREATE:
                    outcome.org_id = self._new_id()
                    self._create_org_document(outcome.org_id, outcome.profile)
                else:
                    self._write_profile(outcome.org_id, {
                        key: new for key, (_old, new) in outcome.changes.items()})
                if progress:
                    progress(done, len(writes))
        return RosterImport(outcomes, True)


class _Planner:
    """Plans rows one by one against the replica and the rows before them."""

    def __init__(self, commands: ImportCommands, default_hub: str | None) -> None:
        self.commands = commands
        self.db = commands.db
        self.default_hub = default_hub
        self.known = queries.categories(self.db)
        self.hubs: dict[str, str] = {}
        self.index = roster.RosterIndex(
            [roster.Recorded(**row) for row in queries.roster_records(self.db)])
        self.today = commands.today()

    def _clean(self, field_name: str, value: Any) -> Any:
        if field_name == "category":
            return resolve_category(value, self.known)
        if field_name == "hub":
            key = name_key(str(value))
            if key not in self.hubs:
                self.hubs[key] = queries.resolve_hub(self.db, value)
            return self.hubs[key]
        return PROFILE_CLEANERS[field_name](value)

    def plan(self, number: int, cells: Mapping[str, Any]) -> RowOutcome:
        typed: dict[str, Any] = {}
        reasons: list[Text] = []
        for field_name, raw in cells.items():
            if roster.is_blank(raw):
                continue
            try:
                typed[field_name] = self._clean(field_name, roster.sheet_value(field_name, raw))
            except DomainError as error:
                reasons.append(_field_error(field_name, error))
        name = typed.get("name") or roster.cell_text(cells.get("name"))
        if roster.is_blank(cells.get("name")):
            reasons.insert(0, Text(N_("Name is empty")))
        if reasons:
            return RowOutcome(number, REJECT, name, reasons=reasons)
        hub_id = typed.pop("hub", None) or self.default_hub
        try:
            self.index.seen(number, typed, hub_id)
            found = self.index.match(typed, hub_id)
            if found is None:
                return self._new(number, typed, hub_id)
            return self._update(number, typed, hub_id, found.id)
        except DomainError as error:
            return RowOutcome(number, REJECT, name, reasons=[error.text])

    def _new(self, number: int, typed: dict[str, Any], hub_id: str | None) -> RowOutcome:
        if "category" not in typed:
            raise DomainError("Category is empty")
        profile = {"legal_status": roster.inferred_status(typed),
                   "entered": self.today.isoformat(), "community": "", "contact": "",
                   "phone": "", "members": 0, "party_org": "none", "notes": "", **typed}
        if hub_id:
            profile["hub"] = hub_id
            profile.setdefault("stage", Stage.STARTUP.value)
            if profile["stage"] not in NEW_STAGES:
                raise DomainError("A new organization starts as applicant, startup or growth")
        elif "stage" in profile:
            raise DomainError("An organization without a hub has no incubation stage: give "
                              "--hub too")
        self.commands._check_profile(profile)
        return RowOutcome(number, CREATE, profile["name"], profile=profile)

    def _update(self, number: int, typed: dict[str, Any], hub_id: str | None,
                org_id: str) -> RowOutcome:
        current = queries.org_row(self.db, org_id)
        if hub_id:
            typed["hub"] = hub_id
        if name_key(typed["name"]) == current["name_key"]:
            typed["name"] = current["name"]  # the same name, however it is written
        if "legal_status" not in typed and ({"credit_code", "filing_number"} & typed.keys()):
            typed["legal_status"] = roster.inferred_status({**current, **typed})
        changes = {key: (_profile_value(current, key), value) for key, value in typed.items()
                   if value != _profile_value(current, key)}
        if current["stage"] is None:
            if "stage" in changes and "hub" not in changes:
                raise DomainError("An organization without a hub has no incubation stage: give "
                                  "--hub too")
            if "hub" in changes:
                stage = typed.get("stage", Stage.APPLICANT.value)
                if stage not in NEW_STAGES:
                    raise DomainError("A new organization starts as applicant, startup or "
                                      "growth")
                changes["stage"] = (None, stage)
        elif "stage" in changes:
            check_stage_change(Stage(current["stage"]), Stage(changes["stage"][1]))
        merged = {key: _profile_value(current, key) for key in self.commands.EDITABLE}
        self.commands._check_profile({**merged, **{k: new for k, (_o, new) in changes.items()}})
        return RowOutcome(number, UPDATE if changes else SAME, current["name"], org_id,
                          changes)
