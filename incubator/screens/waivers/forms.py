"""The waivers' forms: grant one, end one early, log service-for-rent hours (the same
store commands as `waiver add`, `waiver end`, `service log`), for any organization or for
the one a detail screen shows."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on
from textual.events import Mount
from textual.widgets import Input, Select

from ...domain import fields as domain_fields
from ...domain.models import WaiverKind, label
from ...domain.months import month_add, month_of
from ...domain.waivers import (MAX_HOURS, MAX_MONTHLY_VALUE, check_not_ended, check_yuan,
                               validate_hours)
from ...i18n import N_, _, language
from ...store import queries
from ..widgets.checks import checked_input, number_or_text, text_input
from ..widgets.form import Field, FormScreen
from ..widgets.org_select import OrgSelect
from ..widgets.pickers import DateInput, MonthInput


def kind_text(kind: str) -> str:
    return label(WaiverKind(kind), language())


def yuan_input() -> Input:
    """An amount in yuan a month (empty: not given), checked by the domain."""
    return checked_input(lambda text: check_yuan(number_or_text(text)),
                         max_length=len(f"{MAX_MONTHLY_VALUE:.2f}"), valid_empty=True,
                         restrict=r"[0-9.]*")


def hours_input(*, valid_empty: bool) -> Input:
    """Hours of service (a month's), checked by the domain."""
    return checked_input(lambda text: validate_hours(number_or_text(text)),
                         max_length=len(f"{MAX_HOURS:.2f}"), valid_empty=valid_empty,
                         restrict=r"[0-9.]*")


def number(text: str) -> float | None:
    return float(text) if text else None


def org_field(reader, org: dict | None, options=None, chosen: str | None = None) -> list[Field]:
    """The organization picker (of `options`, `chosen` picked), unless the form is for
    `org` alone."""
    if org is not None:
        return []
    picker = OrgSelect(reader) if options is None else Select(
        options, prompt=_("Choose an organization"),
        value=chosen if chosen in {value for _name, value in options} else Select.NULL)
    return [("org", N_("Organization"), picker)]


def chosen_org(values: dict[str, Any], org: dict | None) -> str:
    return org["id"] if org is not None else OrgSelect.chosen(values["org"])


def titled(text: str, org: dict | None) -> str:
    return text if org is None else f"{text}：{org['name']}"


def add_waiver_form(store, reader, today: date, org: dict | None = None) -> FormScreen:
    kinds = [(kind_text(k), k.value) for k in WaiverKind]
    fields = [
        *org_field(reader, org),
        ("kind", N_("Kind"), Select(kinds, allow_blank=False, value=WaiverKind.RENT_FREE.value)),
        ("start", N_("From"), DateInput(today.isoformat())),
        ("end", N_("To"), DateInput()),
        ("value", N_("Yuan per month"), yuan_input()),
        ("charged", N_("Rent charged (low rent)"), yuan_input()),
        ("standard", N_("Standard rent (low rent)"), yuan_input()),
        ("hours", N_("Hours per month (service for rent)"), hours_input(valid_empty=True)),
        ("approved", N_("Approved by"), text_input(domain_fields.APPROVED_BY)),
    ]

    def write(v: dict) -> str:
        return store.add_waiver(chosen_org(v, org), v["kind"], v["start"], v["end"],
                                number(v["value"]), number(v["hours"]), v["approved"],
                                rent_charged=number(v["charged"]),
                                standard_rent=number(v["standard"]))

    return FormScreen(titled(_("Add a waiver"), org), fields, write,
                      lambda _r: _("Waiver saved"))


def end_waiver_form(store, waiver: dict, today: date) -> FormScreen:
    """End `waiver` early (the first day without it, and why); refused at once, before the
    form opens, when it has already ended (`DomainError`)."""
    check_not_ended(date.fromisoformat(waiver["ended_on"]) if waiver["ended_on"] else None)
    fields = [("on", N_("First day without it"), DateInput(today.isoformat())),
              ("reason", N_("Reason"), text_input(domain_fields.REASON))]
    return FormScreen(
        _("End the waiver of {name}").format(name=waiver["org_name"]) +
        f"（{kind_text(waiver['kind'])} {waiver['start']}–{waiver['last_day']}）", fields,
        lambda v: store.end_waiver(waiver["id"], v["on"], v["reason"]),
        lambda _r: _("Waiver ended"))


class ServiceHoursForm(FormScreen):
    """The hours delivered in a month for a service-for-rent waiver; the hours field shows
    what is already logged for the month (a save replaces it) until it is typed in."""

    def __init__(self, store, reader, today: date, org: dict | None = None,
                 chosen: str | None = None) -> None:
        self.org = org
        self.shown_hours = ""
        month = month_add(month_of(today), -1)
        fields = [
            *org_field(reader, org, queries.service_org_options(reader), chosen),
            ("month", N_("Month"), MonthInput(month, today)),
            ("hours", N_("Hours delivered"), hours_input(valid_empty=False)),
        ]

        def write(v: dict) -> tuple[float, str]:
            store.log_service(chosen_org(v, org), v["month"], float(v["hours"]))
            return float(v["hours"]), v["month"]

        super().__init__(titled(_("Log service hours"), org), fields, write,
                         lambda logged: _("Logged {hours} service hours for {month}").format(
                             hours=f"{logged[0]:g}", month=logged[1]))

    @on(Mount)
    @on(Input.Changed, "#month")
    @on(Select.Changed, "#org")
    def show_logged(self) -> None:
        """The month's logged hours, unless the person typed other hours."""
        hours = self.query_one("#hours", Input)
        if hours.value != self.shown_hours:
            return
        org_id = chosen_org({"org": self.query_one("#org", Select).value}
                            if self.org is None else {}, self.org)
        logged = queries.service_hours_logged(self.reader, org_id, self.query_one(
            "#month", Input).value) if org_id else None
        self.shown_hours = "" if logged is None else f"{logged:g}"
        hours.value = self.shown_hours
