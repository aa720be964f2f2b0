"""The profile form: validated as you type, saved in a worker, never loses what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.validation import Integer, Length, Regex
from textual.widgets import Input, Select

from ...domain.models import LegalStatus, PartyOrg, Stage, label
from ...i18n import N_, _, language
from ..widgets.form import Field, RecordForm

TEXT_FIELDS = (
    ("name", N_("Name"), [Length(1, 80)]),
    ("community", N_("Community"), [Length(0, 200)]),
    ("contact", N_("Contact"), [Length(0, 40)]),
    ("phone", N_("Phone"), [Regex(r"^[0-9+\- ]{0,20}$")]),
    ("members", N_("Members"), [Integer(0, 100000)]),
)
EDITABLE_STAGES = (Stage.APPLICANT, Stage.STARTUP, Stage.GROWTH)


def profile_form(store, org: dict[str, Any], reload: Callable[[], dict[str, Any]]) -> RecordForm:
    """A form over the organization's profile (`org`, its row; `reload` reads it again):
    saves only the fields that changed, if nobody changed them since (`RecordForm`)."""
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

    def shown(key: str, value: Any) -> Any:
        """A stored profile value as its widget holds it."""
        if key == "party_org":
            return value or "none"
        return "" if value is None else str(value)

    def write(changed: dict[str, Any], opened: dict[str, Any]) -> dict[str, Any]:
        return store.edit_org(org["id"], {k: str(v).strip() for k, v in changed.items()},
                              opened=opened)

    return RecordForm(_("Edit {name}").format(name=org["name"]), fields, org, reload, shown,
                      write, lambda changed: _("Saved: {fields}").format(
                          fields=", ".join(sorted(changed))))
