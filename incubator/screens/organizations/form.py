"""The profile form: validated as you type, saved in a worker, never loses what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.validation import Integer, Length, Regex
from textual.widgets import Input, Select

from ...domain.models import AreaKind, LegalStatus, OrgForm, PartyOrg, Stage, label
from ...i18n import N_, _, language
from ..widgets.form import Field, RecordForm

TEXT_FIELDS = (
    ("name", N_("Name"), [Length(1, 80)]),
    ("community", N_("Community"), [Length(0, 200)]),
    ("contact", N_("Contact"), [Length(0, 40)]),
    ("phone", N_("Phone"), [Regex(r"^[0-9+\- ]{0,20}$")]),
    ("members", N_("Members"), [Integer(0, 100000)]),
)
# the district register's fields (checked by the store: a credit code's check character …)
REGISTER_TEXT_FIELDS = (
    ("town", N_("Street or town"), [Length(0, 40)]),
    ("village", N_("Community or village"), [Length(0, 40)]),
    ("credit_code", N_("Unified social credit code"), [Length(0, 40)]),
    ("filing_number", N_("Filing number"), [Length(0, 40)]),
    ("registered_on", N_("Registered or filed on"), [Regex(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]),
    ("leader", N_("Person in charge"), [Length(0, 40)]),
    ("supervisor", N_("Supervising unit"), [Length(0, 80)]),
    ("place", N_("Activity place"), [Length(0, 200)]),
    ("activity_area", N_("Activity area"), [Length(0, 200)]),
)
EDITABLE_STAGES = (Stage.APPLICANT, Stage.STARTUP, Stage.GROWTH)


def profile_form(store, org: dict[str, Any], reload: Callable[[], dict[str, Any]]) -> RecordForm:
    """A form over the organization's profile (`org`, its row; `reload` reads it again):
    saves only the fields that changed, if nobody changed them since (`RecordForm`)."""
    lang = language()
    fields: list[Field] = [
        (key, title, Input("" if org.get(key) is None else str(org[key]), validators=validators))
        for key, title, validators in TEXT_FIELDS]
    fields.append(("area", N_("Urban or rural"), Select(
        [(label(a, lang), a.value) for a in AreaKind], value=org.get("area") or Select.NULL)))
    fields += [(key, title, Input("" if org.get(key) is None else str(org[key]),
                                  validators=validators))
               for key, title, validators in REGISTER_TEXT_FIELDS]
    fields.append(("org_form", N_("Organization form"), Select(
        [(label(f, lang), f.value) for f in OrgForm], value=org.get("org_form") or Select.NULL)))
    fields.append(("legal_status", N_("Legal status"), Select(
        [(label(s, lang), s.value) for s in LegalStatus], value=org["legal_status"],
        allow_blank=False)))
    fields.append(("party_org", N_("Party organization"), Select(
        [(label(p, lang), p.value) for p in PartyOrg], value=org["party_org"] or "none",
        allow_blank=False)))
    if org["stage"] and Stage(org["stage"]) in EDITABLE_STAGES:
        fields.append(("stage", N_("Stage"), Select(
            [(label(s, lang), s.value) for s in EDITABLE_STAGES], value=org["stage"],
            allow_blank=False)))

    def shown(key: str, value: Any) -> Any:
        """A stored profile value as its widget holds it."""
        if key == "party_org":
            return value or "none"
        if key in ("area", "org_form"):
            return value or Select.NULL
        return "" if value is None else str(value)

    def write(changed: dict[str, Any], opened: dict[str, Any]) -> dict[str, Any]:
        typed = {k: "" if v == Select.NULL else str(v).strip() for k, v in changed.items()}
        return store.edit_org(org["id"], typed, opened=opened)

    return RecordForm(_("Edit {name}").format(name=org["name"]), fields, org, reload, shown,
                      write, lambda changed: _("Saved: {fields}").format(
                          fields=", ".join(sorted(changed))))
