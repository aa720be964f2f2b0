"""Organizations: registration (入驻登记) and profile edits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ...domain import organization
from ...domain.categories import resolve_category
from ...domain.docids import org_doc
from ...domain.errors import N_, DomainError, Text
from ...domain.models import RESIDENT_STAGES, LegalStatus, PartyOrg, Stage, parse_enum
from ...domain.months import parse_date
from .. import queries
from .base import Commands, refuse_duplicate
from .writes import set_all

NEW_STAGES = frozenset({Stage.APPLICANT, *RESIDENT_STAGES})

# Profile field → its cleaner (the hub is resolved against the replica separately).
PROFILE_CLEANERS: dict[str, Callable[[Any], Any]] = {
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
}
EDITABLE = (*PROFILE_CLEANERS, "hub")
PROFILE_LABELS = {"name": N_("Name"), "category": N_("Category"), "legal_status": N_("Legal status"),
                  "stage": N_("Stage"), "community": N_("Community"), "contact": N_("Contact"),
                  "phone": N_("Phone"), "members": N_("Members"),
                  "party_org": N_("Party organization"), "entered": N_("Entered"),
                  "notes": N_("Notes"), "hub": N_("Hub")}


def _profile_value(row: Mapping[str, Any], key: str) -> Any:
    return row["hub_id"] if key == "hub" else row.get(key)


class OrganizationCommands(Commands):
    EDITABLE = EDITABLE

    def add_org(self, name: str, category: str, hub: str, *, status: str = "filed",
                entered: str | None = None, stage: str = "startup", community: str = "",
                contact: str = "", phone: str = "", members: int | str = 0,
                party: str = "none", notes: str = "") -> str:
        typed = {"name": name, "hub": hub, "category": category, "legal_status": status,
                 "stage": stage, "entered": entered or self.today().isoformat(),
                 "community": community, "contact": contact, "phone": phone,
                 "members": members, "party_org": party, "notes": notes}
        profile = {key: self._clean_profile_value(key, text) for key, text in typed.items()}
        hub_id = profile["hub"]
        if profile["stage"] not in NEW_STAGES:
            raise DomainError("A new organization starts as applicant, startup or growth")
        self._check_unique_name(profile["name"], hub_id)
        org_id = self._new_id()
        self.replica.change(
            org_doc(org_id), "Registered {name}", {"name": profile["name"]},
            lambda ed: set_all(ed, {("profile",): profile}), create=True,
        )
        return org_id

    def _check_unique_name(self, name: str, hub_id: str, except_id: str | None = None) -> None:
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
                self._refuse_if_changed(
                    org_doc(org_id), f"profile/{key}", opened[key], _profile_value(current, key),
                    Text("{name}: {field}", {"name": current["name"],
                                             "field": Text(PROFILE_LABELS[key])}),
                    lambda value: "" if value is None else str(value))
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
                lambda ed: set_all(ed, {("profile", k): v for k, v in changed.items()}),
            )
        return changed

    def _clean_profile_value(self, key: str, value: Any) -> Any:
        if key == "hub":
            return queries.resolve_hub(self.db, value)
        return PROFILE_CLEANERS[key](value)
