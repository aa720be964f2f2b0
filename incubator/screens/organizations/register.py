"""入驻登记: register an organization, resident in a hub or on the district register alone,
with every profile field `org add` takes; written by the same store command."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.widgets import Select

from ...domain.categories import category_label
from ...domain.models import AreaKind, LegalStatus, OrgForm, PartyOrg, Stage
from ...i18n import N_, _, language
from ...store import queries
from ..widgets.choice import Choice
from ..widgets.form import Field, FormScreen
from ..widgets.pickers import DateInput, enum_select
from .form import EDITABLE_STAGES, REGISTER_TEXT_FIELDS, TEXT_FIELDS


class RegisterForm(FormScreen):
    """Every field of `org add`; the stage only with a hub. `org_id` is the new
    organization's once saved."""

    def __init__(self, store, reader, today) -> None:
        self.org_id: str | None = None
        categories = queries.categories(reader)
        hubs = queries.hub_options(reader)
        texts = {key: (title, make) for key, title, make in
                 (*TEXT_FIELDS, *REGISTER_TEXT_FIELDS)}

        def text(key: str, value: str = "") -> Field:
            title, make = texts[key]
            return key, title, make(value)

        fields: list[Field] = [
            text("name"),
            ("category", N_("Category"), Choice(
                [(category_label(key, language(), categories), key) for key in categories],
                prompt=_("Choose a category"))),
            ("hub", N_("Hub"), Choice(hubs, prompt=_("None: the district register only"),
                                      value=hubs[0][1] if hubs else Select.NULL)),
            ("stage", N_("Stage"), enum_select(EDITABLE_STAGES, Stage.STARTUP.value)),
            ("entered", N_("Entered"), DateInput(today.isoformat())),
            ("legal_status", N_("Legal status"), enum_select(LegalStatus,
                                                             LegalStatus.FILED.value)),
            text("credit_code"), text("filing_number"), text("registered_on"),
            ("org_form", N_("Organization form"), enum_select(OrgForm, prompt=_("Not recorded"))),
            ("party_org", N_("Party organization"), enum_select(PartyOrg, PartyOrg.NONE.value)),
            text("community"), text("contact"), text("phone"), text("members", "0"),
            ("area", N_("Urban or rural"), enum_select(AreaKind, prompt=_("Not recorded"))),
            text("town"), text("village"), text("leader"), text("supervisor"), text("place"),
            text("activity_area"),
        ]

        def write(values: dict[str, Any]) -> str:
            typed = {key: "" if value == Select.NULL else str(value).strip()
                     for key, value in values.items()}
            hub, stage = typed.pop("hub") or None, typed.pop("stage")
            self.org_id = store.add_org(
                typed.pop("name"), typed.pop("category"), hub,
                status=typed.pop("legal_status"), entered=typed.pop("entered"),
                stage=stage if hub else None, community=typed.pop("community"),
                contact=typed.pop("contact"), phone=typed.pop("phone"),
                members=typed.pop("members"), party=typed.pop("party_org"),
                register_fields=typed)
            return self.org_id

        name = fields[0][2]
        fields[3][2].disabled = not hubs
        super().__init__(_("Register an organization"), fields, write,
                         lambda _id: _("Registered {name}").format(name=name.value.strip()))

    @on(Select.Changed, "#hub")
    def stage_follows_hub(self) -> None:
        """An organization of the district register alone has no incubation stage."""
        self.query_one("#stage", Select).disabled = self.query_one("#hub", Select).value \
            == Select.NULL
