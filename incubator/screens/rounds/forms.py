"""The round area's forms: a need, a library project, a round, an application, a review
score, an evaluation and the funding decision, each on `FormScreen` (the domain checks
what is saved; what was typed stays when it is refused)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any

from textual.widgets import Input, Select

from ...domain.fieldwork import MAX_COUNT, clean_count
from ...domain.rounds import MAX_YUAN, clean_scores, clean_yuan
from ...domain.models import (
    EvaluationMethod, EvaluationPhase, EvaluationResult, NeedSource, ReviewerKind, ServiceArea,
)
from ...i18n import N_, _, language
from ...present.labels import label_of
from ...store import queries
from ...store.commands import Store
from ..widgets.checks import checked_input
from ..widgets.choice import Choice
from ..widgets.form import Field, FormScreen
from ..widgets.org_select import OrgSelect
from ..widgets.pickers import DateInput

APPLICANT_STAGES = ("graduated", "growth", "startup")
YUAN = r"[0-9.]*"


def choices(enum_cls: type[StrEnum], first: StrEnum | None = None) -> Select:
    return Select([(label_of(member), member.value) for member in enum_cls],
                  allow_blank=False, value=(first or next(iter(enum_cls))).value)


def yuan_input(what: str, value: str = "", optional: bool = False) -> Input:
    """An amount of yuan, checked by the domain (`what`: the field's msgid, in refusals)."""
    return checked_input(lambda text: clean_yuan(text, what), value,
                         max_length=len(f"{MAX_YUAN:.2f}"), valid_empty=optional,
                         restrict=YUAN)


def count_input(what: str, optional: bool = True) -> Input:
    """A count of people or person-times, checked by the domain."""
    return checked_input(lambda text: clean_count(text, what),
                         max_length=len(str(MAX_COUNT)), valid_empty=optional,
                         restrict=r"[0-9]*")


def criterion_input(criterion) -> Input:
    """A reviewer's score of one criterion, 0 to 100, checked as `review add` checks it."""
    return checked_input(lambda text: clean_scores([criterion], [f"{criterion.key}={text}"]),
                         max_length=6, restrict=r"[0-9.]*")


def text_input(maximum: int) -> Input:
    return Input(max_length=maximum)


def form(title: str, fields: list[Field], write: Callable[[dict[str, Any]], Any],
         saved: str) -> FormScreen:
    return FormScreen(title, fields, write, lambda _result: saved)


def need_form(store: Store, today: date) -> FormScreen:
    fields = [
        ("community", N_("Community or village"), text_input(60)),
        ("area", N_("Service area"), choices(ServiceArea)),
        ("description", N_("Description"), text_input(500)),
        ("source", N_("How gathered"), choices(NeedSource)),
        ("asked_by", N_("Asked by"), text_input(40)),
        ("on", N_("Date"), DateInput(today.isoformat())),
    ]
    return form(_("Record a need"), fields, lambda v: store.add_need(
        v["community"], v["area"], v["description"], v["source"], v["on"], v["asked_by"]),
        _("Need recorded"))


def project_form(store: Store, reader, today: date) -> FormScreen:
    free = sum(1 for need in queries.needs(reader) if not need["projects"])
    fields = [
        ("title", N_("Title"), text_input(100)),
        ("needs", N_("Needs (ids, separated by spaces)"), text_input(2000)),
        ("budget", N_("Budget ceiling (yuan)"),
         yuan_input(N_("Budget ceiling (yuan)"), optional=True)),
        ("beneficiaries", N_("Expected beneficiaries"),
         count_input(N_("Expected beneficiaries"))),
        ("target_group", N_("Target group"), text_input(100)),
        ("on", N_("Date"), DateInput(today.isoformat())),
    ]
    return form(_("Merge needs into a library project ({count} needs not merged yet)").format(
        count=free), fields, lambda v: store.add_project(
        v["title"], v["needs"].replace(",", " ").split(), v["budget"], v["beneficiaries"],
        "", v["target_group"], v["on"]), _("Library project saved"))


def round_form(store: Store, today: date) -> FormScreen:
    fields = [
        ("name", N_("Name"), text_input(100)),
        ("budget", N_("Budget (yuan)"),
         yuan_input(N_("Budget (yuan)"))),
        ("opens", N_("Opens"), DateInput(today.isoformat())),
        ("closes", N_("Closes"), DateInput()),
        ("eligibility", N_("Eligibility"), text_input(500)),
    ]
    return form(_("Open a round"), fields, lambda v: store.add_round(
        v["name"], v["budget"], v["opens"], v["closes"], v["eligibility"]), _("Round saved"))


def application_form(store: Store, reader, round_row: dict, today: date) -> FormScreen:
    projects = [(f"{p['title']} ({p['id']})", p["id"]) for p in queries.library(reader)]
    fields = [
        ("org", N_("Organization"), OrgSelect(reader, stages=APPLICANT_STAGES)),
        ("project", N_("Project"), Choice(projects, prompt=_("Choose a library project"))),
        ("amount", N_("Requested (yuan)"),
         yuan_input(N_("Requested (yuan)"))),
        ("plan", N_("Plan"), text_input(2000)),
        ("on", N_("Date"), DateInput(min(today.isoformat(), round_row["closes"]))),
    ]
    return form(_("Apply to {round}").format(round=round_row["name"]), fields,
                lambda v: store.add_application(
                    round_row["id"], OrgSelect.chosen(v["org"]), OrgSelect.chosen(v["project"]),
                    v["amount"], v["plan"], v["on"]), _("Application saved"))


def review_form(store: Store, reader, application: dict, today: date) -> FormScreen:
    criteria = queries.round_rules(reader, queries.resolve_round(
        reader, application["round_id"])).criteria
    fields: list[Field] = [
        ("reviewer", N_("Reviewer"), text_input(40)),
        ("kind", N_("Reviewer kind"), choices(ReviewerKind)),
        *((f"score-{c.key}", c.label(language()), criterion_input(c)) for c in criteria),
        ("on", N_("Date"), DateInput(today.isoformat())),
    ]
    return form(_("Score the application of {name}").format(name=application["org_name"]),
                fields, lambda v: store.review_application(
                    application["id"], v["reviewer"], v["kind"],
                    [f"{c.key}={v[f'score-{c.key}']}" for c in criteria], v["on"]),
                _("Review saved"))


def evaluation_form(store: Store, application: dict, today: date) -> FormScreen:
    done = set(application["phases"])
    phase = next((p for p in EvaluationPhase if p.value not in done), EvaluationPhase.FINAL)
    fields = [
        ("phase", N_("Phase"), choices(EvaluationPhase, phase)),
        ("method", N_("Method"), choices(EvaluationMethod)),
        ("result", N_("Result"), choices(EvaluationResult)),
        ("beneficiaries", N_("Beneficiaries so far"),
         count_input(N_("Beneficiaries so far"))),
        ("person_times", N_("Person-times so far"),
         count_input(N_("Person-times so far"))),
        ("findings", N_("Findings"), text_input(2000)),
        ("deadline", N_("Rectification deadline"), DateInput(optional=True)),
        ("on", N_("Date"), DateInput(today.isoformat())),
    ]
    return form(_("Evaluate the project of {name}").format(name=application["org_name"]),
                fields, lambda v: store.add_evaluation(
                    application["id"], v["phase"], v["method"], v["result"],
                    beneficiaries=v["beneficiaries"], person_times=v["person_times"],
                    findings=v["findings"], deadline=v["deadline"] or None, on=v["on"]),
                _("Evaluation saved"))


def fund_form(store: Store, round_row: dict, today: date) -> FormScreen:
    fields = [
        ("top", N_("Fund at most (empty: no limit)"),
         count_input(N_("Fund at most (empty: no limit)"))),
        ("on", N_("Date"), DateInput(today.isoformat())),
    ]
    return FormScreen(
        _("Decide the funding of {round} within {budget} yuan").format(
            round=round_row["name"], budget=f"{round_row['budget']:,.0f}"), fields,
        lambda v: store.fund_round(round_row["id"], int(v["top"]) if v["top"] else None,
                                   v["on"]),
        lambda decisions: _("{count} projects funded").format(
            count=sum(1 for d in decisions if d.funded)))
