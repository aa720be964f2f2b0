"""The warning-case forms: record an interview, close the case, dismiss it, order an exit."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.widgets import Input, Select

from ...domain import fields as domain_fields
from ...domain.errors import DomainError
from ...domain.models import InterviewOutcome, WarningStatus, label
from ...domain.months import month_of, parse_date
from ...domain.settings import SettingsTimeline
from ...domain.warnings import Case, default_deadline
from ...i18n import N_, _, language
from ..widgets.checks import text_input
from ..widgets.form import FormScreen
from ..widgets.pickers import DateInput


class InterviewForm(FormScreen):
    """Date, deadline and note; the deadline follows the date until it is edited by hand."""

    def __init__(self, store_call, org: dict, case: Case, today: date,
                 timeline: SettingsTimeline) -> None:
        self.timeline = timeline
        self.auto_deadline = self.deadline_for(today)
        title = _("Another warning interview: {name}") if case.interviews else \
            _("Warning interview: {name}")
        super().__init__(
            title.format(name=org["name"]),
            [("on", N_("Date"), DateInput(today.isoformat())),
             ("deadline", N_("Rectification deadline"), DateInput(self.auto_deadline)),
             ("note", N_("Note"), text_input(domain_fields.NOTE))],
            lambda v: store_call(org["id"], v["on"], v["deadline"], note=v["note"], case=case.id),
            lambda _r: _("Interview with {name} recorded").format(name=org["name"]))

    def deadline_for(self, day: date) -> str:
        return default_deadline(day, self.timeline.at(month_of(day))).isoformat()

    @on(Input.Changed, "#on")
    def follow_date(self, event: Input.Changed) -> None:
        deadline = self.query_one("#deadline", Input)
        if deadline.value != self.auto_deadline:
            return
        try:
            self.auto_deadline = self.deadline_for(parse_date(event.value))
        except DomainError:
            return
        deadline.value = self.auto_deadline


def exit_confirmation(org: dict, on: str) -> tuple[str, str]:
    """What an ordered exit does, asked before it is written."""
    return (_("Order {name} to leave?").format(name=org["name"]),
            _("{name} leaves the centre on {date} by order (an ordered exit): its spaces are "
              "released and its waivers end that day, its open warning cases close, and the "
              "exit shows in its history and in the exits list. ctrl+z cannot undo it.")
            .format(name=org["name"], date=on))


def close_form(store_call, org: dict, case: Case, today: date) -> FormScreen:
    """Close the case (约谈办结): rectified (a person's judgement, with its reason) or an
    ordered exit, which asks first; a case that still needs its interview cannot end in an
    exit (the interview comes first)."""
    outcomes = [(label(o, language()), o.value) for o in InterviewOutcome
                if not (o is InterviewOutcome.EXIT and needs_interview_first(case))]
    return FormScreen(
        _("Close the warning case: {name}").format(name=org["name"]),
        [("outcome", N_("Outcome"), Select(outcomes, allow_blank=False,
                                            value=InterviewOutcome.RECTIFIED.value)),
         ("reason", N_("Reason"), text_input(domain_fields.REASON)),
         ("on", N_("Date"), DateInput(today.isoformat()))],
        lambda v: store_call(org["id"], v["outcome"], on=v["on"], reason=v["reason"],
                             case=case.id),
        lambda _r: _("Warning case of {name} closed").format(name=org["name"]),
        confirm=lambda v: exit_confirmation(org, v["on"])
        if v["outcome"] == InterviewOutcome.EXIT.value else None)


def dismiss_form(store_call, org: dict, case: Case) -> FormScreen:
    """Dismiss a case that needs an interview: who decided, and why."""
    return FormScreen(
        _("Dismiss the warning case: {name}").format(name=org["name"]),
        [("reason", N_("Reason"), text_input(domain_fields.REASON, required=True)),
         ("by", N_("Dismissed by"), text_input(domain_fields.DISMISSED_BY, required=True))],
        lambda v: store_call(org["id"], v["reason"], v["by"], case=case.id),
        lambda _r: _("Warning case of {name} dismissed").format(name=org["name"]))


def exit_form(store_call, org: dict, today: date) -> FormScreen:
    """Order the organization to leave the centre, with a reason."""
    return FormScreen(
        _("Order {name} to leave").format(name=org["name"]),
        [("reason", N_("Reason"),
          text_input(domain_fields.REASON, _("Rectification failed after a warning interview"),
                     required=True)),
         ("on", N_("Date"), DateInput(today.isoformat()))],
        lambda v: store_call(org["id"], v["reason"], on=v["on"], ordered=True),
        lambda _r: _("{name} was ordered to leave").format(name=org["name"]),
        confirm=lambda v: exit_confirmation(org, v["on"]))


def needs_interview_first(case: Case) -> bool:
    """A case only flagged (需约谈提醒): no exit is offered before its interview."""
    return case.status == WarningStatus.NEEDS_INTERVIEW
