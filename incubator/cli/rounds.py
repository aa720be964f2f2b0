"""Venture-philanthropy rounds (公益创投) and the four-step ordering, awards and the time
bank (a round's export is a report of `export`)."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from ..domain.errors import N_, Text
from ..domain.models import (
    EvaluationMethod, EvaluationPhase, EvaluationResult, NeedSource, ReviewerKind, ServiceArea,
)
from ..domain.rounds import yuan_text
from ..i18n import _
from ..present.labels import label_of
from ..store import queries
from .args import JsonFlag, OrgArg, YearOption
from .output import emit, print_json, wants_json
from .root import command, group, open_store

DateOption = Annotated[Optional[str], typer.Option("--date", help="YYYY-MM-DD (default today).")]
RoundArg = Annotated[str, typer.Argument(metavar="ROUND", help="Round id, id prefix or name.")]
ApplicationArg = Annotated[str, typer.Argument(metavar="APPLICATION", help="Application id or id prefix.")]
YuanOption = Annotated[str, typer.Option("--amount", help="Yuan (to the fen).")]


def rendered(value: Any) -> Any:
    """Text (reasons) in the current language; lists of them joined."""
    if isinstance(value, Text):
        return value.render(_)
    if isinstance(value, list) and value and isinstance(value[0], Text):
        return [item.render(_) for item in value]
    return value


def _rows(found: list[dict]) -> list[dict]:
    return [{key: rendered(value) for key, value in row.items()} for row in found]


def _label(enum_cls, value: str | None) -> str:
    return label_of(enum_cls(value)) if value else ""


def _yuan(value: float | None) -> str:
    return "" if value is None else yuan_text(value)


# -- needs and the library ----------------------------------------------------------

need_app = group("need", "Residents' needs (居民点单).")


@command(need_app, "add")
def need_add(
    ctx: typer.Context,
    community: Annotated[str, typer.Option("--community", help="The community or village.")],
    area: Annotated[str, typer.Option("--area", help="Service area: elderly, disability, poverty, youth, governance, mutual-aid, volunteers, social-work, legal-aid or other.")],
    description: Annotated[str, typer.Option("--description", help="What the residents need.")],
    source: Annotated[str, typer.Option("--source", help="How it was gathered: questionnaire, visit, salon or other.")] = "questionnaire",
    on: DateOption = None,
    asked_by: Annotated[str, typer.Option("--asked-by", help="Who asked (a resident, a group).")] = "",
) -> None:
    """Record a need residents ordered; prints its id."""
    typer.echo(open_store(ctx).add_need(community, area, description, source, on, asked_by))


@command(need_app, "list")
def need_list(ctx: typer.Context,
              community: Annotated[Optional[str], typer.Option("--community", help="Only this community or village.")] = None,
              json_flag: JsonFlag = False) -> None:
    """List the needs, oldest first, with the library projects they were merged into."""
    emit(ctx, json_flag, queries.needs(open_store(ctx).db, community=community),
         [("id", N_("Id")), ("on_date", N_("Date")), ("community", N_("Community or village")),
          ("area", N_("Service area")), ("description", N_("Description")),
          ("source", N_("How gathered")), ("projects", N_("Library projects"))],
         shown=lambda row: dict(row, area=_label(ServiceArea, row["area"]),
                                source=_label(NeedSource, row["source"]),
                                projects=" ".join(row["projects"])))


library_app = group("library", "The project library (社区制单): needs merged into projects.")


@command(library_app, "add")
def library_add(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title", help="The project's title.")],
    need: Annotated[list[str], typer.Option("--need", help="A need it answers (repeat for each).")],
    budget: Annotated[Optional[str], typer.Option("--budget", help="Budget ceiling in yuan.")] = None,
    beneficiaries: Annotated[Optional[str], typer.Option("--beneficiaries", help="Expected beneficiaries.")] = None,
    area: Annotated[str, typer.Option("--area", help="Service area (default: the first need's).")] = "",
    target_group: Annotated[str, typer.Option("--target-group", help="Who it serves.")] = "",
    on: DateOption = None,
) -> None:
    """Merge needs into a new library project; prints its id."""
    typer.echo(open_store(ctx).add_project(title, need, budget, beneficiaries, area,
                                           target_group, on))


@command(library_app, "merge")
def library_merge(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(metavar="PROJECT", help="Library project id, id prefix or title.")],
    need: Annotated[list[str], typer.Option("--need", help="A need it answers (repeat for each).")],
) -> None:
    """Merge more needs into a library project."""
    typer.echo(open_store(ctx).merge_needs(project, need))


@command(library_app, "list")
def library_list(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """List the library projects with the needs each answers."""
    emit(ctx, json_flag, queries.library(open_store(ctx).db),
         [("id", N_("Id")), ("title", N_("Title")), ("area", N_("Service area")),
          ("budget", N_("Budget ceiling (yuan)")), ("beneficiaries", N_("Expected beneficiaries")),
          ("need_count", N_("Needs"))],
         shown=lambda row: dict(row, area=_label(ServiceArea, row["area"]),
                                budget=_yuan(row["budget"])))


# -- rounds -----------------------------------------------------------------------

round_app = group("round", "Venture-philanthropy rounds (公益创投): the call, ranking and funding.")

ROUND_COLUMNS = [
    ("name", N_("Round")), ("opens", N_("Opens")), ("closes", N_("Closes")),
    ("budget", N_("Budget (yuan)")), ("applications", N_("Applications")),
    ("funded", N_("Funded")), ("amount_funded", N_("Funded (yuan)")),
    ("amount_paid", N_("Paid (yuan)")), ("amount_recovered", N_("Recovered (yuan)")),
    ("beneficiaries", N_("Beneficiaries")), ("person_times", N_("Person-times")),
]
MONEY = ("budget", "amount_funded", "amount_paid", "amount_recovered", "left", "amount",
         "agreed", "paid", "recovered")


def _money(row: dict) -> dict:
    return {key: _yuan(value) if key in MONEY else value for key, value in row.items()}


@command(round_app, "add")
def round_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The round's name.")],
    budget: Annotated[str, typer.Option("--budget", help="Its budget in yuan.")],
    opens: Annotated[str, typer.Option("--opens", help="The call opens (YYYY-MM-DD).")],
    closes: Annotated[str, typer.Option("--closes", help="The call closes (YYYY-MM-DD).")],
    eligibility: Annotated[str, typer.Option("--eligibility", help="Who may apply, as announced.")] = "",
) -> None:
    """Open a round with its budget and call dates; prints its id."""
    typer.echo(open_store(ctx).add_round(name, budget, opens, closes, eligibility))


@command(round_app, "list")
def round_list(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """List the rounds with their totals."""
    found = queries.rounds(open_store(ctx).db)
    for row in found:
        row.pop("doc_id", None)
        row.pop("name_key", None)
    emit(ctx, json_flag, found, ROUND_COLUMNS, shown=_money)


@command(round_app, "show")
def round_show(ctx: typer.Context, round_: RoundArg, json_flag: JsonFlag = False) -> None:
    """Show a round with its totals: applications, funded, amounts funded, paid and
    recovered, beneficiaries, person-times."""
    store = open_store(ctx)
    row = queries.round_summary(store.db, queries.resolve_round(store.db, round_))
    row.pop("doc_id", None)
    row.pop("name_key", None)
    if wants_json(ctx, json_flag):
        print_json(row)
        return
    shown = _money(row)
    for key, header in [*ROUND_COLUMNS, ("left", N_("Budget left (yuan)")),
                        ("decided_on", N_("Funding decided on")),
                        ("eligibility", N_("Eligibility"))]:
        if shown.get(key) not in (None, ""):
            typer.echo(f"{_(header)}: {shown[key]}")


@command(round_app, "rank")
def round_rank(ctx: typer.Context, round_: RoundArg, json_flag: JsonFlag = False) -> None:
    """The applications ranked by their review totals, with the reasons (priority, not
    eligible, not reviewed)."""
    store = open_store(ctx)
    found = _rows(queries.ranking_rows(queries.standing(store.db, round_, store.today())))
    emit(ctx, json_flag, found,
         [("position", N_("Rank")), ("org_name", N_("Organization")), ("project", N_("Project")),
          ("amount", N_("Requested (yuan)")), ("reviews", N_("Reviewers")), ("total", N_("Review total")),
          ("score", N_("Score with priority")), ("reasons", N_("Reasons"))],
         shown=lambda row: dict(_money(row), reasons="; ".join(row["reasons"])))


@command(round_app, "fund")
def round_fund(
    ctx: typer.Context, round_: RoundArg,
    top: Annotated[Optional[int], typer.Option("--top", help="Fund at most this many.")] = None,
    on: DateOption = None, json_flag: JsonFlag = False,
) -> None:
    """Fund in rank order within the budget (again until a tranche is paid or a phase evaluated)."""
    store = open_store(ctx)
    decisions = store.fund_round(round_, top, on)
    names = {row["id"]: row for row in queries.applications(
        store.db, queries.resolve_round(store.db, round_)["id"])}
    found = [{"id": d.application, "org_name": names[d.application]["org_name"],
              "project": names[d.application]["project"], "rank": d.rank, "funded": d.funded,
              "amount": d.amount, "reason": d.reason.render(_)} for d in decisions]
    emit(ctx, json_flag, found,
         [("rank", N_("Rank")), ("org_name", N_("Organization")), ("project", N_("Project")),
          ("amount", N_("Agreed (yuan)")), ("reason", N_("Decision"))],
         shown=lambda row: dict(row, amount=_yuan(row["amount"]) if row["funded"] else ""))


@command(round_app, "totals")
def round_totals(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", help="round, area, hub, org or year.")] = "round",
    json_flag: JsonFlag = False,
) -> None:
    """Totals per round, service area, hub, organization or year: applications, funded,
    amounts funded, paid and recovered, beneficiaries and person-times."""
    found = queries.totals(open_store(ctx).db, by)
    emit(ctx, json_flag, found, [(by, {"round": N_("Round"), "area": N_("Service area"),
                                       "hub": N_("Hub"), "org": N_("Organization"),
                                       "year": N_("Year")}[by]), *ROUND_COLUMNS[4:]],
         shown=lambda row: dict(_money(row), area=_label(ServiceArea, row.get("area"))))


# -- applications, evaluations, money --------------------------------------------------

application_app = group("application", "Applications to a round (社会组织承单) and their review.")


@command(application_app, "add")
def application_add(
    ctx: typer.Context, round_: RoundArg, org: OrgArg,
    project: Annotated[str, typer.Option("--project", help="The library project applied for (id, prefix or title).")],
    amount: YuanOption,
    plan: Annotated[str, typer.Option("--plan", help="How the organization will deliver it.")] = "",
    on: DateOption = None,
) -> None:
    """An organization applies for a library project; prints the application's id."""
    typer.echo(open_store(ctx).add_application(round_, org, project, amount, plan, on))


@command(application_app, "review")
def application_review(
    ctx: typer.Context, application: ApplicationArg,
    reviewer: Annotated[str, typer.Option("--reviewer", help="The reviewer's name.")],
    kind: Annotated[str, typer.Option("--kind", help="expert, resident or official.")],
    score: Annotated[list[str], typer.Option("--score", help="KEY=VALUE, 0–100, for every criterion (settings round_criteria).")],
    on: DateOption = None,
) -> None:
    """One reviewer's scores of an application (scoring again replaces them); prints the
    reviewer's weighted score."""
    weighted = open_store(ctx).review_application(application, reviewer, kind, score, on)
    typer.echo(_("Weighted score: {score}").format(score=f"{weighted:.1f}"))


@command(application_app, "list")
def application_list(ctx: typer.Context, round_: RoundArg, json_flag: JsonFlag = False) -> None:
    """A round's applications with their review totals and funding state."""
    store = open_store(ctx)
    found = _rows(queries.ranking_rows(queries.standing(store.db, round_, store.today())))
    figures = {row["id"]: row for row in queries.applications(
        store.db, queries.resolve_round(store.db, round_)["id"])}
    found = [{**row, **{key: figures[row["id"]][key] for key in (
        "on_date", "paid", "recovered", "phases", "beneficiaries", "person_times")}}
             for row in found]
    emit(ctx, json_flag, found,
         [("id", N_("Id")), ("org_name", N_("Organization")), ("project", N_("Project")),
          ("amount", N_("Requested (yuan)")), ("reviews", N_("Reviewers")), ("total", N_("Review total")),
          ("position", N_("Rank")), ("agreed", N_("Agreed (yuan)")), ("paid", N_("Paid (yuan)")),
          ("phases", N_("Phases"))],
         shown=lambda row: dict(_money(row), phases=" ".join(
             _label(EvaluationResult, row["phases"][p.value]) if p.value in row["phases"]
             else "-" for p in EvaluationPhase)))


@command(application_app, "show")
def application_show(ctx: typer.Context, application: ApplicationArg,
                     json_flag: JsonFlag = False) -> None:
    """One application: its reviews, evaluations, payments and recoveries."""
    store = open_store(ctx)
    row = queries.resolve_application(store.db, application)
    detail = {**row, "review_scores": queries.reviews_of(store.db, [row["id"]]),
              "evaluations": queries.evaluations(store.db, row["id"]),
              "money": queries.money(store.db, row["id"])}
    if wants_json(ctx, json_flag):
        print_json(detail)
        return
    typer.echo(f"{row['org_name']} · {row['project']} · {row['round']}")
    typer.echo(_("Requested {amount} yuan, agreed {agreed}, paid {paid}, recovered {recovered}")
               .format(amount=_yuan(row["amount"]), agreed=_yuan(row["agreed"]) or "-",
                       paid=_yuan(row["paid"]), recovered=_yuan(row["recovered"])))
    for review in detail["review_scores"]:
        typer.echo(f"  {review['reviewer']} ({_label(ReviewerKind, review['kind'])}): "
                   + " ".join(f"{k}={v:g}" for k, v in sorted(review["scores"].items())))
    for e in detail["evaluations"]:
        typer.echo(f"  {e['on_date']} {_label(EvaluationPhase, e['phase'])} "
                   f"{_label(EvaluationMethod, e['method'])} "
                   f"{_label(EvaluationResult, e['result'])} {e['deadline'] or ''} "
                   f"{e['findings'] or ''}".rstrip())


evaluation_app = group("evaluation", "The third-party evaluation of a funded project in three phases.")


@command(evaluation_app, "add")
def evaluation_add(
    ctx: typer.Context, application: ApplicationArg,
    phase: Annotated[str, typer.Option("--phase", help="initial, mid or final.")],
    method: Annotated[str, typer.Option("--method", help="document, site or phone.")],
    result: Annotated[str, typer.Option("--result", help="pass, rectify or fail.")],
    beneficiaries: Annotated[Optional[str], typer.Option("--beneficiaries", help="Beneficiaries so far.")] = None,
    person_times: Annotated[Optional[str], typer.Option("--person-times", help="Service person-times so far.")] = None,
    findings: Annotated[str, typer.Option("--findings", help="What the evaluator found.")] = "",
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="A rectification's deadline (YYYY-MM-DD).")] = None,
    on: DateOption = None,
) -> None:
    """Record one phase's evaluation of a funded project; prints its id."""
    typer.echo(open_store(ctx).add_evaluation(
        application, phase, method, result, beneficiaries=beneficiaries,
        person_times=person_times, findings=findings, deadline=deadline, on=on))


recovery_app = group("recovery", "Funds recovered (追回) from a funded project.")


@command(recovery_app, "add")
def recovery_add(ctx: typer.Context, application: ApplicationArg, amount: YuanOption,
                 reason: Annotated[str, typer.Option("--reason", help="Why the funds are recovered.")],
                 on: DateOption = None) -> None:
    """Record funds recovered from a project; prints its id."""
    typer.echo(open_store(ctx).add_recovery(application, amount, reason, on))


payment_app = group("payment", "Tranches paid to a funded project (政府买单).")


@command(payment_app, "add")
def payment_add(ctx: typer.Context, application: ApplicationArg, amount: YuanOption,
                on: DateOption = None,
                note: Annotated[str, typer.Option("--note", help="E.g. the tranche.")] = "") -> None:
    """Record a tranche paid to a funded project; prints its id."""
    typer.echo(open_store(ctx).add_payment(application, amount, on, note))


# -- awards and the time bank -------------------------------------------------------------

award_app = group("award", "Awards (表彰/奖励) to organizations: they count in the ranking's influence.")


@command(award_app, "add")
def award_add(ctx: typer.Context, org: OrgArg, year: YearOption,
              title: Annotated[str, typer.Option("--title", help="The award.")],
              amount: Annotated[Optional[str], typer.Option("--amount", help="Yuan awarded.")] = None
              ) -> None:
    """Record an award to an organization for a year; prints its id."""
    typer.echo(open_store(ctx).add_award(org, year, title, amount))


@command(award_app, "list")
def award_list(ctx: typer.Context,
               org: Annotated[Optional[str], typer.Option("--org", help="Only this organization.")] = None,
               year: Annotated[Optional[int], typer.Option("--year", help="Only this year.")] = None,
               json_flag: JsonFlag = False) -> None:
    """List awards, newest year first."""
    store = open_store(ctx)
    emit(ctx, json_flag, queries.awards(
        store.db, org_id=queries.resolve_org(store.db, org) if org else None, year=year),
        [("year", N_("Year")), ("org_name", N_("Organization")), ("hub", N_("Hub")),
         ("title", N_("Award")), ("amount", N_("Yuan"))],
        shown=lambda row: dict(row, amount=_yuan(row["amount"])))


timebank_app = group("timebank", "The time bank (爱心储蓄): volunteers bank service hours and draw service.")
PersonArg = Annotated[str, typer.Argument(metavar="PERSON", help="The volunteer's name (or account id).")]
HoursOption = Annotated[str, typer.Option("--hours", help="Hours.")]
NoteOption = Annotated[str, typer.Option("--note", help="What was done.")]


@command(timebank_app, "deposit")
def timebank_deposit(ctx: typer.Context, person: PersonArg, hours: HoursOption,
                     org: Annotated[Optional[str], typer.Option("--org", help="The organization served through (may count towards its service for rent).")] = None,
                     on: DateOption = None, note: NoteOption = "") -> None:
    """Bank hours a volunteer served (a new name opens an account); prints the account id."""
    typer.echo(open_store(ctx).deposit_hours(person, hours, org, on, note))


@command(timebank_app, "draw")
def timebank_draw(ctx: typer.Context, person: PersonArg, hours: HoursOption,
                  on: DateOption = None, note: NoteOption = "") -> None:
    """Draw service from a volunteer's balance (never below 0); prints the entry's id."""
    typer.echo(open_store(ctx).draw_hours(person, hours, on, note))


@command(timebank_app, "ledger")
def timebank_ledger(
    ctx: typer.Context,
    person: Annotated[Optional[str], typer.Option("--person", help="One volunteer's entries with the running balance.")] = None,
    org: Annotated[Optional[str], typer.Option("--org", help="Only the hours banked through this organization.")] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Every account's balance; with --person or --org, the entries with running balances."""
    store = open_store(ctx)
    org_id = queries.resolve_org(store.db, org) if org else None
    if person is None and org is None:
        emit(ctx, json_flag, queries.bank_accounts(store.db),
             [("name", N_("Volunteer")), ("org_name", N_("Organization")),
              ("deposited", N_("Banked")), ("drawn", N_("Drawn")), ("balance", N_("Balance"))],
             shown=lambda row: dict(row, balance=f"{row['balance']:g}" + (
                 " " + _("overdrawn") if row["overdrawn"] else "")))
        return
    person_id = queries.resolve_person(store.db, person)["id"] if person else None
    emit(ctx, json_flag, queries.bank_entries(store.db, person_id=person_id, org_id=org_id),
         [("on_date", N_("Date")), ("name", N_("Volunteer")), ("kind", N_("Entry")),
          ("hours", N_("Hours")), ("org_name", N_("Organization")), ("balance", N_("Balance")),
          ("note", N_("Note"))],
         shown=lambda row: dict(row, kind=_("banked") if row["kind"] == "deposit"
                                else _("drawn")))
