"""The profile form: validated as you type, saved in a worker, never loses what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Input, Select

from ...domain import credit_code, fields as domain_fields, register
from ...domain.models import AreaKind, LegalStatus, OrgForm, PartyOrg, Stage, label
from ...domain.organization import MEMBERS_MAX, PHONE_MAX_CHARS, clean_member_count, clean_phone
from ...i18n import N_, _, language
from ..undo import profile_undo
from ..widgets.checks import checked_input, name_input, text_input
from ...present.labels import fields_text
from ..widgets.form import Field, RecordForm
from ..widgets.pickers import DateInput

# (key, msgid of its label, its input from the stored text): checked by the domain's rules
TEXT_FIELDS: tuple[tuple[str, str, Callable[[str], Input]], ...] = (
    ("name", N_("Name"), name_input),
    ("community", N_("Community"), lambda v: text_input(domain_fields.COMMUNITY, v)),
    ("contact", N_("Contact"), lambda v: text_input(domain_fields.CONTACT, v)),
    ("phone", N_("Phone"), lambda v: checked_input(clean_phone, v, max_length=PHONE_MAX_CHARS)),
    ("members", N_("Members"), lambda v: checked_input(
        clean_member_count, v, max_length=len(str(MEMBERS_MAX)), restrict=r"[0-9]*")),
)
# the district register's fields (a credit code's check character is checked as typed)
REGISTER_TEXT_FIELDS: tuple[tuple[str, str, Callable[[str], Input]], ...] = (
    ("town", N_("Street or town"), lambda v: text_input(domain_fields.TOWN, v)),
    ("village", N_("Community or village"), lambda v: text_input(domain_fields.VILLAGE, v)),
    ("credit_code", N_("Unified social credit code"), lambda v: checked_input(
        register.clean_credit_code, v, max_length=credit_code.LENGTH)),
    ("filing_number", N_("Filing number"), lambda v: checked_input(
        register.clean_filing_number, v, max_length=domain_fields.FILING_NUMBER.maximum)),
    ("registered_on", N_("Registered or filed on"), lambda v: DateInput(v, optional=True)),
    ("leader", N_("Person in charge"), lambda v: text_input(domain_fields.LEADER, v)),
    ("supervisor", N_("Supervising unit"), lambda v: text_input(domain_fields.SUPERVISOR, v)),
    ("place", N_("Activity place"), lambda v: text_input(domain_fields.ACTIVITY_PLACE, v)),
    ("activity_area", N_("Activity area"),
     lambda v: text_input(domain_fields.ACTIVITY_AREA, v)),
)
EDITABLE_STAGES = (Stage.APPLICANT, Stage.STARTUP, Stage.GROWTH)
CHOICES = {"area": AreaKind, "org_form": OrgForm, "legal_status": LegalStatus,
           "party_org": PartyOrg, "stage": Stage}  # the fields picked from a vocabulary


def profile_form(store, org: dict[str, Any], reload: Callable[[], dict[str, Any]]) -> RecordForm:
    """A form over the organization's profile (`org`, its row; `reload` reads it again):
    saves only the fields that changed, if nobody changed them since (`RecordForm`)."""
    lang = language()
    fields: list[Field] = [(key, title, make("" if org.get(key) is None else str(org[key])))
                           for key, title, make in TEXT_FIELDS]
    fields.append(("area", N_("Urban or rural"), Select(
        [(label(a, lang), a.value) for a in AreaKind], value=org.get("area") or Select.NULL,
        prompt=_("not recorded"))))
    fields += [(key, title, make("" if org.get(key) is None else str(org[key])))
               for key, title, make in REGISTER_TEXT_FIELDS]
    fields.append(("org_form", N_("Organization form"), Select(
        [(label(f, lang), f.value) for f in OrgForm], value=org.get("org_form") or Select.NULL,
        prompt=_("not recorded"))))
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

    def text(key: str, value: Any) -> str:
        """A stored value as a person reads it (a vocabulary's label)."""
        if value and key in CHOICES:
            return label(CHOICES[key](value), lang)
        return "" if value is None else str(value)

    titles = {key: _(title) for key, title, _widget in fields}
    return RecordForm(_("Edit {name}").format(name=org["name"]), fields, org, reload, shown,
                      write, lambda changed: _("Saved: {fields}").format(
                          fields=fields_text(sorted(changed))),
                      undo=lambda changed, opened: profile_undo(
                          org["id"], org["name"], changed, opened, titles, text))
