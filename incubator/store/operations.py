"""Everything a person can do to the data: validated by the domain, written as documents.

Each method validates first (raising `DomainError`, which changes nothing) and
then writes one or more documents inside one replica transaction.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..domain import graduation, organization, review, rubric, spaces, waivers, warnings
from ..domain.categories import resolve_category
from ..domain.device import parse_device_id
from ..domain.errors import DomainError, Text
from ..domain.models import (
    RESIDENT_STAGES, InterviewOutcome, LegalStatus, PartyOrg, Role, SpaceKind, Stage,
    WaiverKind, english_label, parse_enum,
)
from ..domain.months import check_not_future, parse_date, parse_month
from ..domain.settings import Settings
from . import journal, queries
from .home import frozen_or_real_clock, replica_path
from . import exchange
from .identity import Card, new_identity, protect
from .replica import Clock, Replica
from .schema import SCHEMA_VERSION
from ..i18n import N_

NETWORK = "network"
ORDERED_EXIT_REASON = "约谈后整改未达标，责令退出"


def org_doc(org_id: str) -> str:
    return f"org:{org_id}"


def hub_doc(hub_id: str) -> str:
    return f"hub:{hub_id}"


@dataclass(frozen=True)
class ScoreEntry:
    """One organization's monthly score as typed by a person."""

    org: str
    month: str
    values: Mapping[str, float]
    note: str | None = None


class Store:
    """The replica's write API plus the lookups the writes need."""

    def __init__(self, replica: Replica, *, new_id=None) -> None:
        self.replica = replica
        self._new_id = new_id or (lambda: secrets.token_hex(6))

    # -- opening ----------------------------------------------------------

    @classmethod
    def open(cls, home: Path, *, clock: Clock | None = None) -> Store:
        return cls(Replica(replica_path(home), clock=clock or frozen_or_real_clock()))

    @classmethod
    def init(cls, home: Path, hub_name: str, device_name: str | None = None,
             hub_category: str | None = None, *, clock: Clock | None = None,
             new_id=None, identity_seed: bytes | None = None) -> Store:
        """A new network whose first hub is this device's."""
        name = organization.clean_name(hub_name)
        category = resolve_category(hub_category) if hub_category else None
        device = organization.clean_text(device_name or name, N_("Device name"), 80, required=True)
        replica = Replica.create(replica_path(home), new_identity(device, identity_seed),
                                 clock=clock or frozen_or_real_clock())
        store = cls(replica, new_id=new_id)
        me = replica.identity.device_id
        with replica.transaction():
            replica.change(NETWORK, "Created the network", {}, lambda ed: _set_all(ed, {
                ("settings",): Settings().to_mapping(),
                ("rubrics", rubric.DEFAULT_RUBRIC.from_month): _rubric_map(rubric.DEFAULT_RUBRIC),
                ("members", me): store._member_record(Card.of(replica.identity), Role.HUB, device),
            }), create=True)
            store._create_hub(name, category)
        return store

    @classmethod
    def join(cls, home: Path, card: Card, device_name: str, *,
             clock: Clock | None = None) -> Store:
        """A new, empty replica that pins the device on `card` as its first peer.

        It holds no documents until a hub has added it (`member add`) and it has
        synced; until then it refuses every edit."""
        device = organization.clean_text(device_name, N_("Device name"), 80, required=True)
        replica = Replica.create(replica_path(home), new_identity(device),
                                 clock=clock or frozen_or_real_clock())
        if card.device_id == replica.identity.device_id:
            raise DomainError("This card is this device's own")
        exchange.pin_peer(replica, card)
        return cls(replica)

    @classmethod
    def restore(cls, backup: Path, home: Path, *, replace: bool = False,
                clock: Clock | None = None) -> Store:
        """Put a backup in place as this home's replica, under a new Automerge actor."""
        target = replica_path(home)
        if target.exists() and not replace:
            raise DomainError("A replica already exists in {home}; use --replace to overwrite it",
                              home=str(home))
        try:
            check = sqlite3.connect(f"file:{Path(backup).resolve()}?mode=ro", uri=True)
            try:
                version = check.execute(
                    "SELECT value FROM replica_meta WHERE key = 'schema_version'").fetchone()
            finally:
                check.close()
        except sqlite3.Error:
            version = None
        if version != (str(SCHEMA_VERSION),):
            raise DomainError("{path} is not a replica backup", path=str(backup))
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".restoring")
        shutil.copyfile(backup, temporary)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(temporary, target)
        replica = Replica(target, clock=clock or frozen_or_real_clock())
        replica.new_incarnation()
        return cls(replica)

    def protect_keys(self, passphrase: str) -> None:
        """Encrypt this device's private keys at rest with `passphrase`."""
        identity = self.replica.identity
        if identity.protected:
            raise DomainError("This device's keys are already protected")
        self.replica.set_keys(protect(identity.private_key_pem, passphrase),
                              protect(identity.bundle_key_pem, passphrase))

    def close(self) -> None:
        self.replica.close()

    # -- membership --------------------------------------------------------

    def _member_record(self, card: Card, role: Role, name: str) -> dict[str, Any]:
        return {"name": name, "role": role.value, "added_by": self.replica.identity.device_id,
                "added_at": self.replica.now_iso(), "certificate": card.certificate_pem,
                "bundle_key": base64.b64encode(card.bundle_key).decode(),
                "address": card.address, "revoked_at": None}

    def add_member(self, card: Card, role: str, name: str | None = None) -> str:
        """Add (or re-add, with a new role) the device on `card`; returns its device ID."""
        member_role = parse_enum(Role, role)
        member_name = organization.clean_text(name or card.name, N_("Device name"), 80,
                                              required=True)
        record = self._member_record(card, member_role, member_name)
        self.replica.change(
            NETWORK, "Added member {name} ({role})", {"name": member_name, "role": member_role.value},
            lambda ed: _set_all(ed, {("members", card.device_id): record}))
        return card.device_id

    def revoke_member(self, device_id: str) -> None:
        """Revoke a member: its connections and its future bundles are refused."""
        device = parse_device_id(device_id)
        member = next((m for m in queries.members(self.db) if m["device_id"] == device), None)
        if member is None:
            raise DomainError("No member with device ID {device_id}", device_id=device)
        if device == self.replica.identity.device_id:
            raise DomainError("A device cannot revoke itself")
        if member["revoked_at"]:
            raise DomainError("{name} is already revoked", name=member["name"])
        self.replica.change(
            NETWORK, "Revoked member {name}", {"name": member["name"]},
            lambda ed: _set_all(ed, {("members", device, "revoked_at"): self.replica.now_iso()}))

    @property
    def db(self):
        return self.replica.db

    def today(self) -> date:
        return self.replica.clock().date()

    # -- network: settings, rubric ---------------------------------------

    def settings(self) -> Settings:
        return queries.settings(self.db)

    def set_settings(self, texts: Mapping[str, str]) -> Settings:
        """Change settings together (the review weights must still add up to 100)."""
        if not texts:
            raise DomainError("Nothing to change")
        updated = self.settings().with_values(texts)
        values = {key: updated.to_mapping()[key] for key in texts}
        self.replica.change(
            NETWORK, "Changed settings: {changes}",
            {"changes": ", ".join(f"{k}={v}" for k, v in values.items())},
            lambda ed: _set_all(ed, {("settings", k): v for k, v in values.items()}))
        return updated

    def set_rubric(self, from_month: str, items: Iterable[rubric.RubricItem]) -> rubric.RubricVersion:
        version = rubric.RubricVersion(parse_month(from_month), tuple(items))
        rubric.validate_rubric(version)
        scored_after = self.db.conn.execute(
            "SELECT count(*) FROM scores WHERE month >= ? AND rubric_from < ?",
            (version.from_month, version.from_month),
        ).fetchone()[0]
        if scored_after:
            raise DomainError(
                "{count} monthly scores from {month} on were entered with the earlier rubric; "
                "choose a later month", count=scored_after, month=version.from_month)
        self.replica.change(
            NETWORK, "Set the rubric from {month}", {"month": version.from_month},
            lambda ed: _replace(ed, ("rubrics", version.from_month), _rubric_map(version)),
        )
        return version

    # -- hubs and spaces -----------------------------------------------------

    def add_hub(self, name: str, category: str | None = None) -> str:
        name = organization.clean_name(name)
        category = resolve_category(category) if category else None
        if self.db.conn.execute("SELECT 1 FROM hubs WHERE name = ?", (name,)).fetchone():
            raise DomainError("A hub named {name} already exists", name=name)
        return self._create_hub(name, category)

    def _create_hub(self, name: str, category: str | None) -> str:
        hub_id = self._new_id()
        profile = {"name": name, "category": category, "created_at": self.replica.now_iso()}
        self.replica.change(hub_doc(hub_id), "Created hub {name}", {"name": name},
                            lambda ed: _set_all(ed, {("profile",): profile}), create=True)
        return hub_id

    def add_space(self, hub: str, name: str, kind: str = "room", area: float | None = None,
                  capacity: int | None = None) -> str:
        hub_id = queries.resolve_hub(self.db, hub)
        name = organization.clean_text(name, N_("Space name"), 40, required=True)
        space_kind = parse_enum(SpaceKind, kind)
        if area is not None and not 0 < area <= 10000:
            raise DomainError("Area {value} m² is out of range", value=area)
        if capacity is not None and not 0 < capacity <= 1000:
            raise DomainError("Capacity {value} is out of range", value=capacity)
        if self.db.conn.execute("SELECT 1 FROM spaces WHERE hub_id = ? AND name = ?",
                                (hub_id, name)).fetchone():
            raise DomainError("Hub already has a space named {name}", name=name)
        space_id = self._new_id()
        record = {"name": name, "kind": space_kind.value, "area": area, "capacity": capacity}
        self.replica.change(hub_doc(hub_id), "Added space {name}", {"name": name},
                            lambda ed: _set_all(ed, {("spaces", space_id): record}))
        return space_id

    def assign_space(self, space: str, org: str, start: str | None = None,
                     end: str | None = None) -> str:
        space_row = queries.resolve_space(self.db, space)
        org_id = self._resident(org)
        start_date = parse_date(start) if start else self.today()
        end_date = parse_date(end) if end else None
        existing = [
            (parse_date(row["start"]), parse_date(row["end"]) if row["end"] else None)
            for row in self.db.query("SELECT start, end FROM allocations WHERE space_id = ?",
                                     [space_row["id"]])
        ]
        spaces.check_allocation(existing, start_date, end_date, space=space_row["name"])
        allocation_id = self._new_id()
        record = {"space": space_row["id"], "org": org_id, "start": start_date.isoformat(),
                  "end": end_date.isoformat() if end_date else None}
        self.replica.change(
            hub_doc(space_row["hub_id"]), "Assigned {space} to {org}",
            {"space": space_row["name"], "org": queries.org_name(self.db, org_id)},
            lambda ed: _set_all(ed, {("allocations", allocation_id): record}),
        )
        return allocation_id

    def release_space(self, space: str, on: str | None = None) -> int:
        """Free the space from `on` (default today): its allocation ends the day before."""
        space_row = queries.resolve_space(self.db, space)
        day = parse_date(on) if on else self.today()
        current = self._allocations_from("space_id", space_row["id"], day)
        if not current:
            raise DomainError("Space {space} is not allocated on {date}",
                              space=space_row["name"], date=day.isoformat())
        self._end_allocations(space_row["hub_id"], current, day, "Released {space}",
                              {"space": space_row["name"]})
        return len(current)

    def _allocations_from(self, column: str, value: str, day: date) -> list[dict]:
        """Allocations by space or org that still run on `day` or start later."""
        return list(self.db.query(
            f"SELECT id, hub_id, start FROM allocations WHERE {column} = ?"
            " AND (end IS NULL OR end >= ?)", [value, day.isoformat()]))

    def _end_allocations(self, hub_id: str, allocations: list[dict], day: date,
                         summary: str, params: dict) -> None:
        """End each allocation the day before `day`; cancel those not yet begun."""
        last_day = (day - timedelta(days=1)).isoformat()
        writes = {("allocations", a["id"]): None for a in allocations
                  if a["start"] >= day.isoformat()}
        writes.update({("allocations", a["id"], "end"): last_day for a in allocations
                       if a["start"] < day.isoformat()})
        self.replica.change(hub_doc(hub_id), summary, params,
                            lambda ed: _write_all(ed, writes))

    # -- organizations -----------------------------------------------------

    def add_org(self, name: str, category: str, hub: str, *, status: str = "filed",
                entered: str | None = None, stage: str = "startup", community: str = "",
                contact: str = "", phone: str = "", members: int | str = 0,
                party: str = "none", notes: str = "") -> str:
        hub_id = queries.resolve_hub(self.db, hub)
        profile = {
            "name": organization.clean_name(name),
            "hub": hub_id,
            "category": resolve_category(category),
            "legal_status": parse_enum(LegalStatus, status).value,
            "stage": parse_enum(Stage, stage).value,
            "entered": (parse_date(entered) if entered else self.today()).isoformat(),
            "community": organization.clean_text(community, N_("Community")),
            "contact": organization.clean_text(contact, N_("Contact"), 40),
            "phone": organization.clean_phone(phone),
            "members": organization.clean_member_count(members),
            "party_org": parse_enum(PartyOrg, party).value,
            "notes": organization.clean_text(notes, N_("Notes"), 2000),
        }
        if profile["stage"] not in {Stage.APPLICANT.value, *[s.value for s in RESIDENT_STAGES]}:
            raise DomainError("A new organization starts as applicant, startup or growth")
        self._check_unique_name(profile["name"], hub_id)
        org_id = self._new_id()
        self.replica.change(
            org_doc(org_id), "Registered {name}", {"name": profile["name"]},
            lambda ed: _set_all(ed, {("profile",): profile}), create=True,
        )
        return org_id

    def _check_unique_name(self, name: str, hub_id: str, except_id: str | None = None) -> None:
        clash = self.db.conn.execute(
            "SELECT id FROM organizations WHERE name = ? AND hub_id = ? AND id IS NOT ?",
            (name, hub_id, except_id),
        ).fetchone()
        if clash:
            raise DomainError("An organization named {name} already exists in this hub",
                              name=name)

    EDITABLE = ("name", "category", "legal_status", "stage", "community", "contact", "phone",
                "members", "party_org", "entered", "notes", "hub")

    def edit_org(self, org: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change profile fields; returns what was written."""
        org_id = queries.resolve_org(self.db, org)
        current = queries.org_row(self.db, org_id)
        cleaned: dict[str, Any] = {}
        for key, value in changes.items():
            if value is None:
                continue
            if key not in self.EDITABLE:
                raise DomainError("Field {field} cannot be edited", field=key)
            cleaned[key] = self._clean_profile_value(key, value)
        if not cleaned:
            raise DomainError("Nothing to change")
        if "stage" in cleaned:
            organization.check_stage_change(Stage(current["stage"]), Stage(cleaned["stage"]))
        if "name" in cleaned or "hub" in cleaned:
            self._check_unique_name(cleaned.get("name", current["name"]),
                                    cleaned.get("hub", current["hub_id"]), org_id)
        changed = {k: v for k, v in cleaned.items() if v != _profile_value(current, k)}
        if not changed:
            raise DomainError("Nothing to change")
        self.replica.change(
            org_doc(org_id), "Edited {fields}", {"fields": ", ".join(sorted(changed))},
            lambda ed: _set_all(ed, {("profile", k): v for k, v in changed.items()}),
        )
        return changed

    def _clean_profile_value(self, key: str, value: Any) -> Any:
        cleaners = {
            "name": organization.clean_name,
            "category": resolve_category,
            "legal_status": lambda v: parse_enum(LegalStatus, v).value,
            "stage": lambda v: parse_enum(Stage, v).value,
            "community": lambda v: organization.clean_text(v, N_("Community")),
            "contact": lambda v: organization.clean_text(v, N_("Contact"), 40),
            "phone": organization.clean_phone,
            "members": organization.clean_member_count,
            "party_org": lambda v: parse_enum(PartyOrg, v).value,
            "entered": lambda v: parse_date(v).isoformat(),
            "notes": lambda v: organization.clean_text(v, N_("Notes"), 2000),
            "hub": lambda v: queries.resolve_hub(self.db, v),
        }
        return cleaners[key](value)

    def _resident(self, org: str) -> str:
        org_id = queries.resolve_org(self.db, org)
        row = queries.org_row(self.db, org_id)
        if row["stage"] not in {s.value for s in RESIDENT_STAGES}:
            raise DomainError("{name} is not a resident organization (stage {stage})",
                              name=row["name"], stage=Text(english_label(Stage(row["stage"]))))
        return org_id

    # -- waivers and service hours ----------------------------------------------

    def add_waiver(self, org: str, kind: str, start: str, end: str, monthly_value: float,
                   hours_per_month: float | None = None, approved_by: str | None = None) -> str:
        org_id = queries.resolve_org(self.db, org)
        waiver_kind = parse_enum(WaiverKind, kind)
        start_date, end_date = parse_date(start), parse_date(end)
        waivers.validate_waiver(waiver_kind, start_date, end_date, monthly_value, hours_per_month)
        approver = organization.clean_text(approved_by or self.replica.identity.device_name,
                                           N_("Approved by"), 40, required=True)
        waiver_id = self._new_id()
        record = {"kind": waiver_kind.value, "start": start_date.isoformat(),
                  "end": end_date.isoformat(), "monthly_value": float(monthly_value),
                  "hours_per_month": float(hours_per_month) if hours_per_month else None,
                  "approved_by": approver}
        self.replica.change(org_doc(org_id), "Granted a waiver: {kind}",
                            {"kind": {"msgid": english_label(waiver_kind)}},
                            lambda ed: _set_all(ed, {("waivers", waiver_id): record}))
        return waiver_id

    def log_service(self, org: str, month: str, hours: float) -> None:
        org_id = queries.resolve_org(self.db, org)
        month = parse_month(month)
        check_not_future(month, self.today())
        waivers.validate_hours(hours)
        if not self.db.conn.execute(
            "SELECT 1 FROM waivers WHERE org_id = ? AND kind = 'service-for-rent'"
            " AND substr(start, 1, 7) <= ? AND substr(end, 1, 7) >= ?", (org_id, month, month),
        ).fetchone():
            raise DomainError("No service-for-rent waiver covers {month}", month=month)
        self.replica.change(org_doc(org_id), "Logged {hours} service hours for {month}",
                            {"hours": hours, "month": month},
                            lambda ed: _set_all(ed, {("service", month): float(hours)}))

    # -- monthly scores ------------------------------------------------------------

    def rubric_for(self, month: str) -> rubric.RubricVersion:
        return rubric.rubric_for(queries.rubric_versions(self.db), month)

    def prepare_score(self, entry: ScoreEntry) -> tuple[str, str, dict[str, Any]]:
        """Validate one score entry; returns (org id, month, stored record)."""
        org_id = self._resident(entry.org)
        month = parse_month(entry.month)
        check_not_future(month, self.today())
        entered = queries.org_row(self.db, org_id)["entered"]
        if entered and month < entered[:7]:
            raise DomainError("{month} is before the organization entered ({entered})",
                              month=month, entered=entered)
        version = self.rubric_for(month)
        values = {rubric.resolve_item(version, name).key: float(value)
                  for name, value in entry.values.items()}
        total = rubric.score_total(version, values)
        note = organization.clean_text(entry.note or "", N_("Note"), 500)
        record = {"items": values, "total": total, "max_total": version.max_total,
                  "rubric_from": version.from_month, "note": note}
        return org_id, month, record

    def set_scores(self, entries: Iterable[ScoreEntry]) -> list[dict[str, Any]]:
        """Validate every entry, then save them all in one transaction (one change per org)."""
        prepared = [self.prepare_score(entry) for entry in entries]
        by_org: dict[str, dict[str, dict[str, Any]]] = {}
        for org_id, month, record in prepared:
            by_org.setdefault(org_id, {})[month] = record
        with self.replica.transaction():
            for org_id, months in by_org.items():
                writes = {("scores", month): json.dumps(record, ensure_ascii=False, sort_keys=True)
                          for month, record in months.items()}
                if len(months) == 1:
                    (month, record), = months.items()
                    summary, params = N_("Scored {month}: {total}"), {"month": month,
                                                                   "total": record["total"]}
                else:
                    summary, params = N_("Scored {count} months from {first} to {last}"), {
                        "count": len(months), "first": min(months), "last": max(months)}
                self.replica.change(org_doc(org_id), summary, params,
                                    lambda ed, w=writes: _set_all(ed, w))
        return [dict(record, org_id=org_id, month=month) for org_id, month, record in prepared]

    # -- warnings ----------------------------------------------------------------------

    def record_interview(self, org: str, on: str | None = None, deadline: str | None = None,
                         outcome: str | None = None, note: str | None = None) -> str:
        org_id = self._resident(org)
        day = parse_date(on) if on else self.today()
        if day > self.today():
            raise DomainError("Date {date} is in the future", date=day.isoformat())
        due = parse_date(deadline) if deadline else warnings.default_deadline(day, self.settings())
        if due < day:
            raise DomainError("The deadline {deadline} is before the interview {date}",
                              deadline=due.isoformat(), date=day.isoformat())
        result = parse_enum(InterviewOutcome, outcome).value if outcome else None
        interview_id = self._new_id()
        record = {"on": day.isoformat(), "deadline": due.isoformat(), "outcome": result,
                  "note": organization.clean_text(note or "", N_("Note"), 500)}
        with self.replica.transaction():
            self.replica.change(org_doc(org_id), "Recorded a warning interview on {date}",
                                {"date": day.isoformat()},
                                lambda ed: _set_all(ed, {("interviews", interview_id): record}))
            if result == InterviewOutcome.EXIT.value:
                self.exit_org(org_id, ORDERED_EXIT_REASON, on=day.isoformat(), ordered=True)
        return interview_id

    def close_interview(self, org: str, outcome: str, on: str | None = None,
                        reason: str | None = None) -> str:
        """Record the outcome of the latest open interview (rectified, or ordered exit
        with `reason`, by default the standard wording)."""
        org_id = queries.resolve_org(self.db, org)
        result = parse_enum(InterviewOutcome, outcome).value
        open_row = self.db.conn.execute(
            "SELECT id FROM interviews WHERE org_id = ? AND outcome IS NULL"
            " ORDER BY on_date DESC, id LIMIT 1", (org_id,)).fetchone()
        if not open_row:
            raise DomainError("{name} has no open warning interview",
                              name=queries.org_name(self.db, org_id))
        with self.replica.transaction():
            self.replica.change(
                org_doc(org_id), "Closed the warning interview: {outcome}",
                {"outcome": {"msgid": english_label(InterviewOutcome(result))}},
                lambda ed: _set_all(ed, {("interviews", open_row[0], "outcome"): result}))
            if result == InterviewOutcome.EXIT.value:
                self.exit_org(org_id, reason or ORDERED_EXIT_REASON, on=on, ordered=True)
        return open_row[0]

    # -- annual review ------------------------------------------------------------------

    def set_review(self, org: str, year: int, self_score: float, peer: float, public: float,
                   party: bool) -> review.ReviewResult:
        org_id = queries.resolve_org(self.db, org)
        if not 2000 <= int(year) <= self.today().year:
            raise DomainError("Year {year} is out of range", year=year)
        monthly = [row[0] for row in self.db.conn.execute(
            "SELECT score10 FROM scores WHERE org_id = ? AND month LIKE ?", (org_id, f"{year}-%"))]
        result = review.compute_review(monthly, self_score, peer, public, party, self.settings())
        record = {"self": float(self_score), "peer": float(peer), "public": float(public),
                  "party": bool(party),
                  "monthly_avg": round(sum(monthly) / len(monthly), 4) if monthly else None,
                  "composite": result.composite, "stars": result.stars}
        self.replica.change(org_doc(org_id), "Annual review {year}: {stars} stars",
                            {"year": int(year), "stars": result.stars},
                            lambda ed: _replace(ed, ("reviews", str(int(year))), record))
        return result

    # -- graduation and exit -------------------------------------------------------------

    def graduation_criteria(self, org: str, on: date | None = None) -> list[graduation.Criterion]:
        org_id = queries.resolve_org(self.db, org)
        row = queries.org_row(self.db, org_id)
        day = on or self.today()
        state = queries.warning_state(self.db, org_id, self.settings(), day)
        return graduation.graduation_check(
            parse_date(row["entered"]) if row["entered"] else None, day, Stage(row["stage"]),
            LegalStatus(row["legal_status"]), row["stars"], warnings.is_open(state),
            self.settings(),
        )

    def graduate(self, org: str, on: str | None = None, destination: str | None = None,
                 force: bool = False, reason: str | None = None) -> list[graduation.Criterion]:
        """Graduate, or raise `GraduationRefused`; returns the unmet criteria overridden."""
        org_id = queries.resolve_org(self.db, org)
        day = parse_date(on) if on else self.today()
        unmet = graduation.unmet(self.graduation_criteria(org_id, day))
        if force:
            if not (reason or "").strip():
                raise DomainError("--force needs --reason")
            if Stage(queries.org_row(self.db, org_id)["stage"]) not in RESIDENT_STAGES:
                raise DomainError("Only a resident organization can graduate")
        elif unmet:
            raise GraduationRefused(unmet)
        record = {"on": day.isoformat(),
                  "destination": organization.clean_text(destination or "", N_("Destination")),
                  "forced": bool(force and unmet),
                  "reason": organization.clean_text(reason or "", N_("Reason"), 500)}
        with self.replica.transaction():
            self.replica.change(
                org_doc(org_id), "Graduated on {date}", {"date": day.isoformat()},
                lambda ed: _set_all(ed, {("graduation",): record,
                                               ("profile", "stage"): Stage.GRADUATED.value}))
            self._release_all(org_id, day)
        return unmet if force else []

    def exit_org(self, org: str, reason: str, on: str | None = None, ordered: bool = False) -> None:
        org_id = queries.resolve_org(self.db, org)
        row = queries.org_row(self.db, org_id)
        if row["stage"] in (Stage.GRADUATED.value, Stage.EXITED.value):
            raise DomainError("{name} has already left (stage {stage})",
                              name=row["name"], stage=Text(english_label(Stage(row["stage"]))))
        text = organization.clean_text(reason, N_("Reason"), 500, required=True)
        day = parse_date(on) if on else self.today()
        record = {"on": day.isoformat(), "reason": text, "ordered": ordered}
        with self.replica.transaction():
            self.replica.change(
                org_doc(org_id), "Exited on {date}: {reason}",
                {"date": day.isoformat(), "reason": text},
                lambda ed: _set_all(ed, {("exit",): record,
                                               ("profile", "stage"): Stage.EXITED.value}))
            self._release_all(org_id, day)

    def _release_all(self, org_id: str, day: date) -> None:
        by_hub: dict[str, list[dict]] = {}
        for row in self._allocations_from("org_id", org_id, day):
            by_hub.setdefault(row["hub_id"], []).append(row)
        for hub_id, rows in by_hub.items():
            self._end_allocations(hub_id, rows, day, "Released the spaces of {org}",
                                  {"org": queries.org_name(self.db, org_id)})

    # -- history and conflicts ------------------------------------------------------------

    def history(self, ref: str) -> list[journal.Entry]:
        return journal.entries(self.replica.tree(queries.resolve_doc(self.db, ref)))

    def resolve_conflict(self, ref: str, field: str, keep: int | None = None) -> Any:
        """Settle a conflict by writing the chosen value again (default: the current winner)."""
        doc_id = queries.resolve_doc(self.db, ref)
        tree = self.replica.tree(doc_id)
        found = {c.field: c for c in journal.conflicts(tree)}
        if field not in found:
            raise DomainError("No conflict on {field}", field=field)
        conflict = found[field]
        if keep is None:
            value = conflict.winner
        elif 1 <= keep <= len(conflict.candidates):
            value = conflict.candidates[keep - 1].fields[field]
        else:
            raise DomainError("Choose a value from 1 to {count}", count=len(conflict.candidates))
        path = tuple(field.split("/"))
        self.replica.change(doc_id, "Resolved the conflict on {field}", {"field": field},
                            lambda ed: _write_field(ed, path, value))
        return value


class GraduationRefused(DomainError):
    """Graduation criteria not met; `.unmet` lists them."""

    def __init__(self, unmet: list[graduation.Criterion]) -> None:
        super().__init__(N_("Graduation refused: {count} criteria not met"), count=len(unmet))
        self.unmet = unmet

    def render(self, translate=lambda message: message) -> str:
        """The refusal followed by every unmet criterion, one per line."""
        return super().render(translate) + "".join(
            f"\n  - {criterion.text.render(translate)}" for criterion in self.unmet)


def _rubric_map(version: rubric.RubricVersion) -> dict[str, dict[str, Any]]:
    return {item.key: {"label": item.label, "maximum": float(item.maximum), "position": i}
            for i, item in enumerate(version.items)}


def _flatten(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """Journal fields for a write: one field per record (depth ≤ 2), scalars inside."""
    if isinstance(value, Mapping) and len(path) < 2:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten((*path, key), item))
        return out
    return {"/".join(path): value}


def _set_all(editor, writes: Mapping[tuple[str, ...], Any]) -> dict[str, Any]:
    """Write each path (merging maps) and return the journal fields written."""
    fields: dict[str, Any] = {}
    for path, value in writes.items():
        editor.set(path, value)
        fields.update(_flatten(path, value))
    return fields


def _replace(editor, path: tuple[str, ...], value: Mapping[str, Any]) -> dict[str, Any]:
    editor.replace(path, value)
    return _flatten(path, value)


def _write_field(editor, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """Write one field whatever it holds: a deletion (None), a record or a scalar."""
    if value is None:
        editor.delete(path)
        return {"/".join(path): None}
    if isinstance(value, Mapping):
        return _replace(editor, path, value)
    return _set_all(editor, {path: value})


def _write_all(editor, writes: Mapping[tuple[str, ...], Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for path, value in writes.items():
        fields.update(_write_field(editor, path, value))
    return fields


def _profile_value(row: Mapping[str, Any], key: str) -> Any:
    return row["hub_id"] if key == "hub" else row.get(key)
