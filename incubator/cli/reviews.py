"""Annual reviews, graduation and exits."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..domain.errors import N_, DomainError
from ..i18n import _
from ..store import queries
from ..present.labels import rating_text
from .args import JsonFlag, OrgArg, YearOption
from .output import emit
from .root import app, command, group, open_store

review_app = group("review", "Annual reviews and star ratings.")


def parse_yes_no(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("yes", "y", "true", "1", "是", "有"):
        return True
    if lowered in ("no", "n", "false", "0", "否", "无"):
        return False
    raise DomainError("Expected yes or no, got {value}", value=text)


@command(review_app, "set")
def review_set(
    ctx: typer.Context,
    org: OrgArg,
    year: YearOption,
    self_score: Annotated[float, typer.Option("--self", help="Self-evaluation, 0–100.")],
    peer: Annotated[float, typer.Option("--peer", help="Peer evaluation, 0–100.")],
    public: Annotated[float, typer.Option("--public", help="Public evaluation, 0–100.")],
    party: Annotated[Optional[str], typer.Option("--party", help="Party-building compliance, asked for every review (party building first): yes or no.")] = None,
) -> None:
    """Record an annual review; prints the rating and why (party building first)."""
    result = open_store(ctx).set_review(org, year, self_score, peer, public,
                                        parse_yes_no(party) if party is not None else None)
    typer.echo(_("{stars} (composite {composite})").format(
        stars=rating_text(result.stars, result.scale), composite=result.composite))
    for reason in result.reasons:
        typer.echo(f"  - {reason.render(_)}")


@command(review_app, "list")
def review_list(
    ctx: typer.Context,
    year: YearOption,
    stars: Annotated[Optional[int], typer.Option("--stars", min=1, max=5, help="Only this level (5: the priority list for project matching).")] = None,
    json_flag: JsonFlag = False,
) -> None:
    """List the year's reviews, best first (评星定级)."""
    emit(ctx, json_flag, queries.reviews(open_store(ctx).db, year, stars),
         [("org_name", N_("Organization")), ("hub", N_("Hub")), ("self", N_("Self")),
          ("peer", N_("Peer")), ("public", N_("Public")), ("party", N_("Party building")),
          ("composite", N_("Composite")), ("stars", N_("Rating"))],
         shown=lambda row: dict(row, stars=rating_text(row["stars"], row["scale"]),
                                party=_("met") if row["party"] else _("not met")))


@command(app, "graduate")
def graduate(
    ctx: typer.Context,
    org: OrgArg,
    on: Annotated[Optional[str], typer.Option("--date", help="Graduation date (default today).")] = None,
    destination: Annotated[Optional[str], typer.Option("--destination", help="Where it goes next.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Graduate even with unmet criteria (needs --reason).")] = False,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why the criteria are overridden.")] = None,
) -> None:
    """Graduate an organization (出壳); refuses with every unmet criterion."""
    overridden = open_store(ctx).graduate(org, on, destination, force, reason)
    typer.echo(_("Graduated"))
    for criterion in overridden:
        typer.echo(_("  overridden: {criterion}").format(criterion=criterion.text.render(_)))


@command(app, "exit")
def exit_org(
    ctx: typer.Context,
    org: OrgArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it leaves.")],
    on: Annotated[Optional[str], typer.Option("--date", help="Exit date (default today).")] = None,
    ordered: Annotated[bool, typer.Option("--ordered", help="An ordered exit (责令退出).")] = False,
) -> None:
    """Record that an organization leaves the centre; its spaces are released, its waivers
    end and its open warning cases close."""
    open_store(ctx).exit_org(org, reason, on, ordered)
    typer.echo(_("Exited"))
