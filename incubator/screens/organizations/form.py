"""The profile form: validated as you type, saved in a worker, never loses what was typed."""

from __future__ import annotations

from typing import Any

from textual.validation import Integer, Length, Regex
from textual.widgets import Input, Select

from ...domain.models import LegalStatus, PartyOrg, Stage, label
from ...i18n import N_, _, language
from ..widgets.form import Field, FormScreen

TEXT_FIELDS = (
    ("name", N_("Name"), [Length(1, 80)]),
    ("community", N_("Community"), [Length(0, 200)]),
    ("contact", N_("Contact"), [Length(0, 40)]),
    ("phone", N_("Phone"), [Regex(r"^[0-9+\- ]{0,20}$")]),
    ("members", N_("Members"), [Integer(0, 100000)]),
)
EDITABLE_STAGES = (Stage.APPLICANT, Stage.STARTUP, Stage.GROWTH)


def profile_form(store, org: dict[str, Any]) -> FormScreen:
    """A form over the organization's profile; saves only the fields that changed."""
    lang = language()
    fields: list[Field] = [
        (key, title, Input("" if org.get(key) is None else str(org[key]), validators=validators))
        for key, title, validators in TEXT_FIELDS]
    fields.append(("legal_status", N_("Legal status"), Select(
        [(label(s, lang), s.value) for s in LegalStatus], value=org["legal_status"],
        allow_blank=False)))
    fields.append(("party_org", N_("Party organization"), Select(
        [(label(p, lang), p.value) for p in PartyOrg], value=org["party_org"] or "none",
        allow_blank=False)))
    if Stage(org["stage"]) in EDITABLE_STAGES:
        fields.append(("stage", N_("Stage"), Select(
            [(label(s, lang), s.value) for s in EDITABLE_STAGES], value=org["stage"],
            allow_blank=False)))

    def write(values: dict[str, Any]) -> dict[str, Any]:
        changed = {k: str(v).strip() for k, v in values.items()
                   if str(v).strip() != ("" if org.get(k) is None else str(org[k]))}
        return store.edit_org(org["id"], changed)

    return FormScreen(_("Edit {name}").format(name=org["name"]), fields, write,
                      lambda changed: _("Saved: {fields}").format(fields=", ".join(sorted(changed))))
