"""Monthly scores, warnings and warning interviews."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..domain.errors import N_
from ..domain.models import CaseKind, parse_enum
from ..domain.months import parse_month
from ..domain.rubric import parse_score_items
from ..domain.warnings import is_open
from ..i18n import _
from ..present.labels import case_row, case_status_text, enum_label
from ..store import queries
from ..store.commands import ScoreEntry
from .args import JsonFlag, OrgArg
from .output import emit
from .root import app, command, group, open_store

score_app = group("score", "Monthly scores (月规范).")


@command(score_app, "set")
def score_set(
    ctx: typer.Context,
    org: OrgArg,
    month: Annotated[str, typer.Option("--month", help="YYYY-MM.")],
    item: Annotated[list[str], typer.Option("--item", help="ITEM=VALUE for every rubric item (key or label).")],
    note: Annotated[Optional[str], typer.Option("--note", help="A remark.")] = None,
) -> None:
    """Enter an organization's monthly score."""
    saved, = open_store(ctx).set_scores([ScoreEntry(org, month, parse_score_items(item), note)])
    typer.echo(_("Saved {month}: {total} / {max_total}").format(**saved))


@command(score_app, "delete")
def score_delete(
    ctx: typer.Context,
    org: OrgArg,
    month: Annotated[str, typer.Option("--month", help="YYYY-MM.")],
) -> None:
    """Delete a monthly score (e.g. one for a future month, from a laptop with a wrong clock)."""
    open_store(ctx).delete_score(org, month)
    typer.echo(_("Deleted the score of {month}").format(month=parse_month(month)))


@command(score_app, "list")
def score_list(ctx: typer.Context,
               month: Annotated[Optional[str], typer.Option("--month", help="Only this month.")] = None,
               org: Annotated[Optional[str], typer.Option("--org", help="Only this organization.")] = None,
               json_flag: JsonFlag = False) -> None:
    """List monthly scores, newest first."""
    store = open_store(ctx)
    rows = queries.scores(store.db, month=parse_month(month) if month else None,
                          org_id=queries.resolve_org(store.db, org) if org else None)
    emit(ctx, json_flag, rows, [("month", N_("Month")), ("org_name", N_("Organization")),
                                ("total", N_("Total")), ("max_total", N_("Maximum")),
                                ("note", N_("Note"))])


@command(app, "warnings")
def warnings_list(
    ctx: typer.Context,
    all_cases: Annotated[bool, typer.Option("--all", help="Every case, closed ones too (rectified, dismissed, exits).")] = False,
    kind: Annotated[Optional[str], typer.Option("--kind", help="Only monthly or annual cases.")] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Open warning cases: low streaks and low ratings, interviews, deadlines, failures."""
    store = open_store(ctx)
    wanted = parse_enum(CaseKind, kind) if kind else None
    rows = [case_row(org, case) for org, case in queries.warning_states(store.db, store.today())
            if (all_cases or is_open(case)) and wanted in (None, case.kind)]
    emit(ctx, json_flag, rows, [("org_id", N_("ID")), ("name", N_("Organization")),
                                ("hub", N_("Hub")), ("kind", N_("Kind")), ("case", N_("Case")),
                                ("status", N_("Status")), ("streak", N_("Low months")),
                                ("deadline", N_("Deadline"))],
         shown=lambda row: dict(row, kind=enum_label(row["kind"]),
                                status=case_status_text(row), streak=" ".join(row["streak"])))


interview_app = group("interview", "Warning interviews (约谈提醒) and their outcomes.")

CaseOption = Annotated[Optional[str], typer.Option("--case", help="The warning case (its first low month YYYY-MM, or the review year), when there are several.")]


@command(interview_app, "record")
def interview_record(
    ctx: typer.Context,
    org: OrgArg,
    on: Annotated[Optional[str], typer.Option("--date", help="Interview date (default today).")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="Rectification deadline (default one month later).")] = None,
    outcome: Annotated[Optional[str], typer.Option("--outcome", help="rectified (needs --reason) or exit, if already known.")] = None,
    note: Annotated[Optional[str], typer.Option("--note")] = None,
    case: CaseOption = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why it counts as rectified, or why it is ordered to leave.")] = None,
) -> None:
    """Record a warning interview with its rectification deadline (again: a new deadline)."""
    typer.echo(open_store(ctx).record_interview(org, on, deadline, outcome, note, case, reason))


@command(interview_app, "close")
def interview_close(
    ctx: typer.Context,
    org: OrgArg,
    outcome: Annotated[str, typer.Option("--outcome", help="rectified or exit.")],
    on: Annotated[Optional[str], typer.Option("--date", help="Closing date, and the exit date when ordered to leave (default today).")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why it counts as rectified (required: an override), or why it is ordered to leave.")] = None,
    case: CaseOption = None,
) -> None:
    """Close a warning case after its interview (约谈办结): rectified or ordered exit."""
    open_store(ctx).close_interview(org, outcome, on, reason, case)
    typer.echo(_("Saved"))


@command(interview_app, "dismiss")
def interview_dismiss(
    ctx: typer.Context,
    org: OrgArg,
    reason: Annotated[str, typer.Option("--reason", help="Why no interview is needed.")],
    by: Annotated[str, typer.Option("--by", help="The person who decided.")],
    case: CaseOption = None,
) -> None:
    """Dismiss a warning case that needs an interview, with a reason (recorded and shown)."""
    case_id = open_store(ctx).dismiss_case(org, reason, by, case)
    typer.echo(_("Dismissed warning case {case}").format(case=case_id))
@command(interview_app, "delete")
def interview_delete(
    ctx: typer.Context,
    org: OrgArg,
    interview: Annotated[str, typer.Argument(metavar="INTERVIEW", help="The interview's id, an id prefix or its date (YYYY-MM-DD).")],
) -> None:
    """Delete a warning interview (e.g. one dated in the future by a wrong clock)."""
    deleted = open_store(ctx).delete_interview(org, interview)
    typer.echo(_("Deleted the warning interview {id}").format(id=deleted))
