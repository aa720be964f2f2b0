"""Organizations: registration (入驻登记 and the district register) and profile edits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ...domain import fields, organization, register
from ...domain.organization import PROFILE_LABELS
from ...domain.categories import resolve_category
from ...domain.docids import org_doc
from ...domain.errors import N_, DomainError, Text
from ...domain.models import (
    RESIDENT_STAGES, AreaKind, LegalStatus, OrgForm, PartyOrg, Stage, parse_enum,
)
from ...domain.months import parse_date
from ...domain.register import REGISTER_FIELDS
from .. import queries
from .base import Commands, refuse_duplicate
from .writes import set_all

NEW_STAGES = frozenset({Stage.APPLICANT, *RESIDENT_STAGES})


def _optional(clean: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A cleaner for which empty text means "not recorded" (and clears the field)."""
    return lambda v: "" if isinstance(v, str) and not v.strip() else clean(v)


# Profile field → its cleaner (the hub and the category are resolved against the replica).
PROFILE_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": organization.clean_name,
    "legal_status": lambda v: parse_enum(LegalStatus, v).value,
    "stage": lambda v: parse_enum(Stage, v).value,
    "community": fields.COMMUNITY.clean,
    "contact": fields.CONTACT.clean,
    "phone": organization.clean_phone,
    "members": organization.clean_member_count,
    "party_org": lambda v: parse_enum(PartyOrg, v).value,
    "entered": lambda v: parse_date(v).isoformat(),
    "notes": fields.NOTES.clean,
    # the district register (filing records name exactly these)
    "area": _optional(lambda v: parse_enum(AreaKind, v).value),
    "town": fields.TOWN.clean,
    "village": fields.VILLAGE.clean,
    "credit_code": register.clean_credit_code,
    "filing_number": register.clean_filing_number,
    "registered_on": _optional(lambda v: parse_date(v).isoformat()),
    "leader": fields.LEADER.clean,
    "supervisor": fields.SUPERVISOR.clean,
    "org_form": _optional(lambda v: parse_enum(OrgForm, v).value),
    "place": fields.ACTIVITY_PLACE.clean,
    "activity_area": fields.ACTIVITY_AREA.clean,
}
EDITABLE = (*PROFILE_CLEANERS, "hub", "category")


def _profile_value(row: Mapping[str, Any], key: str) -> Any:
    value = row["hub_id"] if key == "hub" else row.get(key)
    return "" if value is None and key in REGISTER_FIELDS else value


class OrganizationCommands(Commands):
    EDITABLE = EDITABLE

    def add_org(self, name: str, category: str, hub: str | None = None, *,
                status: str = "filed", entered: str | None = None, stage: str | None = None,
                community: str = "", contact: str = "", phone: str = "",
                members: int | str = 0, party: str = "none", notes: str = "",
                register_fields: Mapping[str, Any] | None = None) -> str:
        """Register an organization: resident in `hub`, or on the district register alone
        (no hub, no incubation stage). `register_fields` are the filing record's fields."""
        typed = {"name": name, "category": category, "legal_status": status,
                 "entered": entered or self.today().isoformat(), "community": community,
                 "contact": contact, "phone": phone, "members": members, "party_org": party,
                 "notes": notes, **(register_fields or {})}
        unknown = set(register_fields or {}) - set(REGISTER_FIELDS)
        if unknown:
            raise DomainError("Field {field} cannot be edited", field=", ".join(sorted(unknown)))
        profile = {key: self._clean_profile_value(key, text) for key, text in typed.items()}
        if hub:
            profile["hub"] = self._clean_profile_value("hub", hub)
            profile["stage"] = self._clean_profile_value("stage", stage or Stage.STARTUP.value)
            if profile["stage"] not in NEW_STAGES:
                raise DomainError("A new organization starts as applicant, startup or growth")
        elif stage:
            raise DomainError("An organization without a hub has no incubation stage: give "
                              "--hub too")
        self._check_profile(profile)
        self._check_unique_name(profile["name"], profile.get("hub"))
        org_id = self._new_id()
        self._create_org_document(org_id, profile)
        return org_id

    def _create_org_document(self, org_id: str, profile: Mapping[str, Any]) -> None:
        self.replica.change(
            org_doc(org_id), "Registered {name}", {"name": profile["name"]},
            lambda ed: set_all(ed, {("profile",): dict(profile)}), create=True,
        )

    def _write_profile(self, org_id: str, changed: Mapping[str, Any]) -> None:
        """One recorded change writing the profile fields `changed` (and only those)."""
        self.replica.change(
            org_doc(org_id), "Edited {fields}", {"fields": ", ".join(sorted(changed))},
            lambda ed: set_all(ed, {("profile", k): v for k, v in changed.items()}),
        )

    def _check_profile(self, profile: Mapping[str, Any]) -> None:
        """The rules across fields: identifiers fit the legal status, dates not ahead."""
        register.check_identifiers(profile)
        if profile.get("registered_on"):
            register.check_registered_on(parse_date(profile["registered_on"]), self.today())

    def _check_unique_name(self, name: str, hub_id: str | None,
                           except_id: str | None = None) -> None:
        """Refuse a name that is the same as another one of the hub, however it is typed
        (full-width, traditional characters, invisible marks: `domain.names.name_key`)."""
        existing = queries.org_named_in_hub(self.db, name, hub_id, except_id)
        if existing is not None:
            refuse_duplicate(name, existing, N_("An organization named {name} already exists "
                                                "in this hub"))

    def edit_org(self, org: str, changes: Mapping[str, Any],
                 opened: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Change profile fields; returns what was written. With `opened` (the values a
        form was opened with), compare-and-set: a field to be written whose stored value is
        no longer its opened one refuses the whole edit (`StaleEdit`)."""
        org_id = queries.resolve_org(self.db, org)
        with self.replica.transaction():
            current = queries.org_row(self.db, org_id)
            cleaned: dict[str, Any] = {}
            for key, value in changes.items():
                if value is None:
                    continue
                if key not in EDITABLE:
                    raise DomainError("Field {field} cannot be edited", field=key)
                cleaned[key] = self._clean_profile_value(key, value)
            if not cleaned:
                raise DomainError("Nothing to change")
            for key in cleaned.keys() & (opened or {}).keys():
                if cleaned[key] == _profile_value(current, key):
                    continue  # already what was typed: nothing stale to overwrite
                was = "" if opened[key] is None and key in REGISTER_FIELDS else opened[key]
                self._refuse_if_changed(
                    org_doc(org_id), f"profile/{key}", was, _profile_value(current, key),
                    Text("{name}: {field}", {"name": current["name"],
                                             "field": Text(PROFILE_LABELS[key])}),
                    lambda value: "" if value is None else str(value))
            if current["stage"] is None:
                if "stage" in cleaned and "hub" not in cleaned:
                    raise DomainError("An organization without a hub has no incubation stage: "
                                      "give --hub too")
                if "hub" in cleaned:  # it joins a hub from the district register
                    cleaned.setdefault("stage", Stage.APPLICANT.value)
                    if cleaned["stage"] not in NEW_STAGES:
                        raise DomainError("A new organization starts as applicant, startup or "
                                          "growth")
            elif "stage" in cleaned:
                organization.check_stage_change(Stage(current["stage"]),
                                                Stage(cleaned["stage"]))
            if "name" in cleaned or "hub" in cleaned:
                self._check_unique_name(cleaned.get("name", current["name"]),
                                        cleaned.get("hub", current["hub_id"]), org_id)
            changed = {k: v for k, v in cleaned.items() if v != _profile_value(current, k)}
            if not changed:
                raise DomainError("Nothing to change")
            self._check_profile({**{k: _profile_value(current, k) for k in EDITABLE}, **changed})
            self._write_profile(org_id, changed)
        return changed

    def _clean_profile_value(self, key: str, value: Any) -> Any:
        if key == "hub":
            return queries.resolve_hub(self.db, value)
        if key == "category":
            return resolve_category(value, queries.categories(self.db))
        return PROFILE_CLEANERS[key](value)
