"""Organizations: registration, listing, one organization's record, profile edits."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..domain.categories import resolve_category
from ..domain.errors import N_
from ..domain.models import Stage, parse_enum
from ..i18n import _
from ..domain.warnings import pressing_status
from ..present.labels import (
    case_row, case_status_text, category_text, enum_label, exit_kind_text, rating_text,
    stage_text, warning_status_text,
)
from ..store import queries
from .args import JsonFlag, OrgArg
from .output import emit, print_json, wants_json
from .root import command, group, open_store

org_app = group("org", "Community social organizations.")

ORG_COLUMNS = [("id", N_("ID")), ("name", N_("Name")), ("category", N_("Category")), ("hub", N_("Hub")),
               ("stage", N_("Stage")), ("legal_status", N_("Legal status")),
               ("last_score10", N_("Last score")), ("stars", N_("Stars"))]
SHOW_FIELDS = [
    ("id", N_("ID")), ("name", N_("Name")), ("category", N_("Category")), ("hub_id", N_("Hub")),
    ("stage", N_("Stage")), ("legal_status", N_("Legal status")), ("community", N_("Community")),
    ("contact", N_("Contact")), ("phone", N_("Phone")), ("members", N_("Members")),
    ("party_org", N_("Party organization")), ("entered", N_("Entered")),
    ("last_month", N_("Last scored month")), ("last_score10", N_("Last score")),
    ("stars", N_("Stars")), ("graduated_on", N_("Graduated")), ("exit", N_("Exited")),
    ("warning", N_("Warning status"))]


@command(org_app, "add")
def org_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    category: Annotated[str, typer.Option("--category", help="Category key or label.")],
    hub: Annotated[str, typer.Option("--hub", help="Hub id or name.")],
    status: Annotated[str, typer.Option("--status", help="registered or filed.")] = "filed",
    entered: Annotated[Optional[str], typer.Option("--entered", help="Entry date (default today).")] = None,
    stage: Annotated[str, typer.Option("--stage", help="applicant, startup or growth.")] = "startup",
    community: Annotated[str, typer.Option("--community", help="Community served.")] = "",
    contact: Annotated[str, typer.Option("--contact", help="Contact person.")] = "",
    phone: Annotated[str, typer.Option("--phone", help="Contact phone.")] = "",
    members: Annotated[str, typer.Option("--members", help="Member count.")] = "0",
    party: Annotated[str, typer.Option("--party", help="Party organization: independent, joint or none.")] = "none",
) -> None:
    """Register an organization; prints its id."""
    typer.echo(open_store(ctx).add_org(
        name, category, hub, status=status, entered=entered, stage=stage, community=community,
        contact=contact, phone=phone, members=members, party=party))


@command(org_app, "list")
def org_list(
    ctx: typer.Context,
    hub: Annotated[Optional[str], typer.Option("--hub", help="Only this hub.")] = None,
    stage: Annotated[Optional[str], typer.Option("--stage", help="Only this stage.")] = None,
    category: Annotated[Optional[str], typer.Option("--category", help="Only this category.")] = None,
    search: Annotated[Optional[str], typer.Option("--search", help="Text in the name, id, community or contact.")] = None,
    sort: Annotated[str, typer.Option("--sort", help="Column to sort by.")] = "name",
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="At most this many rows.")] = None,
    json_flag: JsonFlag = False,
) -> None:
    """List organizations, filtered and sorted in SQL."""
    store = open_store(ctx)
    rows = queries.organizations(
        store.db, hub=hub, stage=parse_enum(Stage, stage).value if stage else None,
        category=resolve_category(category) if category else None, search=search, sort=sort,
        limit=limit)
    emit(ctx, json_flag, rows, ORG_COLUMNS, shown=lambda row: dict(
        row, category=category_text(row["category"]), stage=stage_text(row),
        legal_status=enum_label(row["legal_status"]),
        stars=rating_text(row["stars"], row["stars_scale"])))


@command(org_app, "show")
def org_show(ctx: typer.Context, org: OrgArg, json_flag: JsonFlag = False) -> None:
    """Show one organization with its scores, waivers, warning cases and reviews."""
    store = open_store(ctx)
    org_id = queries.resolve_org(store.db, org)
    row = queries.org_row(store.db, org_id)
    row.pop("doc_id", None)
    cases = queries.org_cases(store.db, org_id, store.today())
    detail = {
        **row,
        "exit": {"on": row["exited_on"], "reason": row["exit_reason"],
                 "ordered": bool(row["exit_ordered"])} if row["exited_on"] else None,
        "scores": queries.scores(store.db, org_id=org_id),
        "waivers": queries.waivers(store.db, store.today(), org_id=org_id),
        "interviews": queries.interviews(store.db, org_id),
        "reviews": queries.org_reviews(store.db, org_id),
        "cases": [case_row(row, case) for case in cases],
        "warning": pressing_status(cases).value,
    }
    if wants_json(ctx, json_flag):
        print_json(detail)
        return
    exit_ = detail["exit"]
    shown = dict(detail, category=category_text(row["category"]), stage=stage_text(row),
                 legal_status=enum_label(row["legal_status"]),
                 party_org=enum_label(row["party_org"]),
                 hub_id=queries.hub_name(store.db, row["hub_id"]),
                 stars=rating_text(row["stars"], row["stars_scale"]),
                 warning=warning_status_text(detail["warning"]),
                 graduated_on=" ".join(filter(None, (row["graduated_on"], row["destination"]))),
                 exit=f"{exit_['on']} {exit_kind_text(exit_['ordered'])}: {exit_['reason']}"
                 if exit_ else None)
    for key, header in SHOW_FIELDS:
        if shown.get(key) not in (None, ""):
            typer.echo(f"{_(header)}: {shown[key]}")
    typer.echo(_("{count} monthly scores, {waivers} waivers, {reviews} annual reviews").format(
        count=len(detail["scores"]), waivers=len(detail["waivers"]),
        reviews=len(detail["reviews"])))
    for case in detail["cases"]:
        typer.echo(_("Warning case {case} ({kind}): {status}").format(
            case=case["case"], kind=enum_label(case["kind"]), status=case_status_text(case)))
        for step in case["transitions"]:
            typer.echo(f"  {step['at']}  {step['text']}")


@command(org_app, "edit")
def org_edit(
    ctx: typer.Context,
    org: OrgArg,
    name: Annotated[Optional[str], typer.Option("--name")] = None,
    category: Annotated[Optional[str], typer.Option("--category")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="registered or filed.")] = None,
    stage: Annotated[Optional[str], typer.Option("--stage", help="applicant, startup or growth.")] = None,
    community: Annotated[Optional[str], typer.Option("--community")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone")] = None,
    members: Annotated[Optional[str], typer.Option("--members")] = None,
    party: Annotated[Optional[str], typer.Option("--party", help="independent, joint or none.")] = None,
    entered: Annotated[Optional[str], typer.Option("--entered")] = None,
    hub: Annotated[Optional[str], typer.Option("--hub", help="Move to another hub.")] = None,
    notes: Annotated[Optional[str], typer.Option("--notes")] = None,
) -> None:
    """Change profile fields of an organization."""
    changed = open_store(ctx).edit_org(org, {
        "name": name, "category": category, "legal_status": status, "stage": stage,
        "community": community, "contact": contact, "phone": phone, "members": members,
        "party_org": party, "entered": entered, "hub": hub, "notes": notes})
    typer.echo(_("Saved: {fields}").format(fields=", ".join(sorted(changed))))
