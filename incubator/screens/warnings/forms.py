"""The warning-interview forms: record an interview, close it, order an exit."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.widgets import Input, Select

from ...domain.errors import DomainError
from ...domain.models import InterviewOutcome, label
from ...domain.months import parse_date
from ...domain.settings import Settings
from ...domain.warnings import default_deadline
from ...i18n import N_, _, language
from ..widgets.form import FormScreen
from ..widgets.pickers import DateInput


class InterviewForm(FormScreen):
    """Date, deadline and note; the deadline follows the date until it is edited by hand."""

    def __init__(self, store_call, org: dict, today: date, settings: Settings) -> None:
        self.settings = settings
        self.auto_deadline = default_deadline(today, settings).isoformat()
        super().__init__(
            _("Warning interview: {name}").format(name=org["name"]),
            [("on", N_("Date"), DateInput(today.isoformat())),
             ("deadline", N_("Rectification deadline"), DateInput(self.auto_deadline)),
             ("note", N_("Note"), Input(max_length=500))],
            lambda v: store_call(org["id"], v["on"], v["deadline"], note=v["note"]),
            lambda _r: _("Interview with {name} recorded").format(name=org["name"]))

    @on(Input.Changed, "#on")
    def follow_date(self, event: Input.Changed) -> None:
        deadline = self.query_one("#deadline", Input)
        if deadline.value != self.auto_deadline:
            return
        try:
            self.auto_deadline = default_deadline(parse_date(event.value),
                                                  self.settings).isoformat()
        except DomainError:
            return
        deadline.value = self.auto_deadline


def close_form(store_call, org: dict, today: date) -> FormScreen:
    """Close the open interview as rectified or as an ordered exit."""
    outcomes = [(label(o, language()), o.value) for o in InterviewOutcome]
    return FormScreen(
        _("Close the interview: {name}").format(name=org["name"]),
        [("outcome", N_("Outcome"), Select(outcomes, allow_blank=False,
                                            value=InterviewOutcome.RECTIFIED.value)),
         ("on", N_("Date"), DateInput(today.isoformat()))],
        lambda v: store_call(org["id"], v["outcome"], on=v["on"]),
        lambda _r: _("Interview with {name} closed").format(name=org["name"]))


def exit_form(store_call, org: dict, today: date) -> FormScreen:
    """Order the organization to leave the centre, with a reason."""
    return FormScreen(
        _("Order {name} to leave").format(name=org["name"]),
        [("reason", N_("Reason"),
          Input(_("Rectification failed after a warning interview"), max_length=500)),
         ("on", N_("Date"), DateInput(today.isoformat()))],
        lambda v: store_call(org["id"], v["reason"], on=v["on"], ordered=True),
        lambda _r: _("{name} was ordered to leave").format(name=org["name"]))
