"""Activities, visits, trainings and the archives checklist: organization-document changes
a field device may make offline, travelling by sync and bundle like scores.

A training of several organizations is written into each one's document under the same
training id, in one transaction: a laptop that carries only some of the organizations
still has the whole record for each of them, and no document other than organizations'
needs writing (a field device writes nothing else).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...domain import archives, fieldwork, fields
from ...domain.docids import org_doc
from ...domain.errors import N_, DomainError
from ...domain.models import ArchiveState, VisitPurpose, english_label, parse_enum
from .. import queries
from .base import Commands
from .writes import set_all


@dataclass(frozen=True)
class ActivityEntry:
    """One activity as typed by a person."""

    org: str
    on: str
    title: str
    kind: str = ""
    place: str = ""
    participants: Any = 0
    beneficiaries: Any = 0
    person_times: Any = 0
    hours: Any = 0
    note: str = ""


@dataclass(frozen=True)
class VisitEntry:
    """One visit (走访 / 上门视导) as typed: `checks` are `ITEM=state` as typed."""

    org: str
    on: str
    purpose: str
    findings: str
    follow_up: str = ""
    checks: tuple[str, ...] = field(default_factory=tuple)


class FieldworkCommands(Commands):
    def archive_items(self) -> tuple[archives.ArchiveItem, ...]:
        """The network's archives checklist."""
        return archives.parse_items(self.settings().archive_items)

    def _dated(self, org: str, on: str, what: str) -> tuple[str, str]:
        """(org id, ISO date) of a record about `org`, the date checked."""
        org_id = queries.resolve_org(self.db, org)
        since = queries.org_row(self.db, org_id)["since"]
        return org_id, fieldwork.record_date(on, self.today(), since, what).isoformat()

    def add_activities(self, entries: Iterable[ActivityEntry]) -> list[str]:
        """Validate every activity, then save them all in one transaction (one change per
        organization); returns their ids."""
        prepared = []
        for entry in entries:
            org_id, record = self.prepare_activity(entry)
            prepared.append((org_id, self._new_id(), record))
        self._write_records("activities", prepared,
                            (N_("Recorded activity {title} on {date}"),
                             lambda r: {"title": r["title"], "date": r["on"]}),
                            N_("Recorded {count} activities from {first} to {last}"))
        return [record_id for _org, record_id, _record in prepared]

    def prepare_activity(self, entry: ActivityEntry) -> tuple[str, dict[str, Any]]:
        """Validate one activity; returns (org id, the record to store)."""
        org_id, day = self._dated(entry.org, entry.on, N_("An activity"))
        return org_id, {"on": day, "by": self.replica.identity.device_name,
                        **fieldwork.clean_activity(
                            entry.title, entry.kind, entry.place, entry.participants,
                            entry.beneficiaries, entry.person_times, entry.hours, entry.note)}

    def add_activity(self, entry: ActivityEntry) -> str:
        return self.add_activities([entry])[0]

    def add_visits(self, entries: Iterable[VisitEntry]) -> list[str]:
        """Validate every visit, then save them with the archive checks they made."""
        items = self.archive_items()
        prepared = []
        checks_by_org: dict[str, dict[str, dict]] = {}
        for entry in entries:
            org_id, day = self._dated(entry.org, entry.on, N_("A visit"))
            checks = archives.parse_checks(items, list(entry.checks))
            visit_id = self._new_id()
            record = {
                "on": day, "purpose": parse_enum(VisitPurpose, entry.purpose).value,
                "findings": fields.FINDINGS.clean(entry.findings,
                                                    required=True),
                "follow_up": fields.FOLLOW_UP.clean(entry.follow_up),
                "by": self.replica.identity.device_name,
                "checks": json.dumps({k: v.value for k, v in checks.items()}, sort_keys=True),
            }
            prepared.append((org_id, visit_id, record))
            latest = checks_by_org.setdefault(org_id, {
                row["item"]: {"on": row["on_date"]}
                for row in queries.archive_checklist(self.db, org_id, items) if row["state"]})
            for item, state in checks.items():
                if item not in latest or latest[item]["on"] <= day:  # a newer check stays
                    latest[item] = self._check_record(state, day, "", visit_id)
        with self.replica.transaction():
            self._write_records("visits", prepared,
                                (N_("Recorded a visit on {date}: {purpose}"),
                                 lambda r: {"date": r["on"], "purpose": {
                                     "msgid": english_label(VisitPurpose(r["purpose"]))}}),
                                N_("Recorded {count} visits from {first} to {last}"))
            for org_id, checks in checks_by_org.items():
                written = {item: check for item, check in checks.items() if "state" in check}
                if written:
                    self._write_checks(org_id, written)
        return [record_id for _org, record_id, _record in prepared]

    def add_visit(self, entry: VisitEntry) -> str:
        return self.add_visits([entry])[0]

    def add_training(self, on: str, topic: str, orgs: Iterable[str],
                     people: Any = None) -> str:
        """A training attended by several organizations, copied into each one's document."""
        org_ids = list(dict.fromkeys(queries.resolve_org(self.db, org) for org in orgs))
        if not org_ids:
            raise DomainError("Name at least one organization that attended (--org)")
        day = [self._dated(org_id, on, N_("A training"))[1] for org_id in org_ids][0]
        record = {"on": day,
                  "topic": fields.TOPIC.clean(topic, required=True),
                  "people": fieldwork.clean_count(people, N_("People attending")),
                  "organizations": len(org_ids)}
        training_id = self._new_id()
        with self.replica.transaction():
            for org_id in org_ids:
                self.replica.change(org_doc(org_id), "Attended training {topic} on {date}",
                                    {"topic": record["topic"], "date": record["on"]},
                                    lambda ed: set_all(ed, {("trainings", training_id): record}))
        return training_id

    def set_archive(self, org: str, item: str, state: str, note: str = "",
                    on: str | None = None) -> archives.ArchiveItem:
        """Record the state of one archive item of an organization, checked today (or `on`)."""
        org_id = queries.resolve_org(self.db, org)
        found = archives.resolve_item(self.archive_items(), item)
        checked = parse_enum(ArchiveState, state)
        day = self._dated(org_id, on or self.today().isoformat(), N_("An archive check"))[1]
        self._write_checks(org_id, {found.key: self._check_record(
            checked, day, fields.NOTE.clean(note))})
        return found

    def _check_record(self, state: ArchiveState, day: str, note: str,
                      visit_id: str = "") -> dict[str, Any]:
        return {"state": state.value, "on": day, "by": self.replica.identity.device_name,
                "note": note, "visit": visit_id}

    def _write_checks(self, org_id: str, checks: Mapping[str, dict]) -> None:
        states = ", ".join(f"{item}={check['state']}" for item, check in sorted(checks.items()))
        self.replica.change(org_doc(org_id), "Checked the archives: {checks}", {"checks": states},
                            lambda ed: set_all(ed, {("archives", item): check
                                                    for item, check in checks.items()}))

    def _write_records(self, container: str, prepared: list[tuple[str, str, dict]],
                       one: tuple[str, Any], many: str) -> None:
        """Write dated records into their organizations' documents: one change per
        organization, all in one transaction, summarised by `one` (msgid, params of a
        record) or `many` (msgid with count, first and last date)."""
        by_org: dict[str, dict[str, dict]] = {}
        for org_id, record_id, record in prepared:
            by_org.setdefault(org_id, {})[record_id] = record
        with self.replica.transaction():
            for org_id, records in by_org.items():
                if len(records) == 1:
                    summary, params = one[0], one[1](next(iter(records.values())))
                else:
                    days = sorted(record["on"] for record in records.values())
                    summary, params = many, {"count": len(records), "first": days[0],
                                             "last": days[-1]}
                self.replica.change(org_doc(org_id), summary, params,
                                    lambda ed, w=records: set_all(
                                        ed, {(container, rid): r for rid, r in w.items()}))
