"""Organizations: registration, listing and counting, one organization's record, edits."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..domain.categories import resolve_category
from ..domain.errors import N_, DomainError
from ..domain.models import AreaKind, LegalStatus, PartyOrg, Stage, parse_enum
from .. import i18n
from ..i18n import _
from ..domain.warnings import pressing_status
from ..present.labels import (
    case_row, case_status_text, category_text, enum_label, exit_kind_text, fields_text,
    rating_text, stage_text, warning_status_text,
)
from ..store import queries
from .args import JsonFlag, OrgArg
from .output import emit, note_partial, print_json, wants_json
from .root import command, group, open_store

org_app = group("org", "Community social organizations.")

ORG_COLUMNS = [("id", N_("ID")), ("name", N_("Name")), ("category", N_("Category")), ("hub", N_("Hub")),
               ("stage", N_("Stage")), ("legal_status", N_("Legal status")),
               ("town", N_("Street or town")), ("village", N_("Community or village")),
               ("last_score10", N_("Last score")), ("stars", N_("Stars"))]
SHOW_FIELDS = [
    ("id", N_("ID")), ("name", N_("Name")), ("category", N_("Category")), ("hub_id", N_("Hub")),
    ("stage", N_("Stage")), ("legal_status", N_("Legal status")), ("community", N_("Community")),
    ("contact", N_("Contact")), ("phone", N_("Phone")), ("members", N_("Members")),
    ("party_org", N_("Party organization")), ("entered", N_("Entered")),
    ("area", N_("Urban or rural")), ("town", N_("Street or town")),
    ("village", N_("Community or village")), ("credit_code", N_("Unified social credit code")),
    ("filing_number", N_("Filing number")), ("registered_on", N_("Registered or filed on")),
    ("leader", N_("Person in charge")), ("supervisor", N_("Supervising unit")),
    ("org_form", N_("Organization form")), ("place", N_("Activity place")),
    ("activity_area", N_("Activity area")),
    ("last_month", N_("Last scored month")), ("last_score10", N_("Last score")),
    ("stars", N_("Stars")), ("graduated_on", N_("Graduated")), ("exit", N_("Exited")),
    ("warning", N_("Warning status")), ("zombie", N_("Zombie"))]

COUNT_HEADERS = {
    "hub": N_("Hub"), "town": N_("Street or town"), "village": N_("Community or village"),
    "area": N_("Urban or rural"), "legal_status": N_("Legal status"),
    "party_org": N_("Party organization"), "category": N_("Category"), "stage": N_("Stage"),
    "org_form": N_("Organization form"), "resident": N_("Resident"),
}

AreaOption = Annotated[Optional[str], typer.Option("--area", help="urban or rural (城市/农村).")]
TownOption = Annotated[Optional[str], typer.Option("--town", help="Street or town (街道/乡镇).")]
VillageOption = Annotated[Optional[str], typer.Option("--village", help="Community or village (社区/村).")]
CodeOption = Annotated[Optional[str], typer.Option("--credit-code", help="Unified social credit code (registered organizations).")]
FilingOption = Annotated[Optional[str], typer.Option("--filing-number", help="Filing number (filed organizations).")]
RegisteredOption = Annotated[Optional[str], typer.Option("--registered-on", help="Registration or filing date.")]
LeaderOption = Annotated[Optional[str], typer.Option("--leader", help="Person in charge (负责人).")]
SupervisorOption = Annotated[Optional[str], typer.Option("--supervisor", help="Supervising unit (业务主管单位).")]
FormOption = Annotated[Optional[str], typer.Option("--form", help="social-group, non-enterprise or foundation.")]
PlaceOption = Annotated[Optional[str], typer.Option("--place", help="Activity place (活动场所).")]
ActivityAreaOption = Annotated[Optional[str], typer.Option("--activity-area", help="Activity area (活动地域).")]


def register_fields(area, town, village, credit_code, filing_number, registered_on, leader,
                    supervisor, form, place, activity_area) -> dict[str, Optional[str]]:
    """The district-register options of `org add` and `org edit`, by profile field."""
    return {"area": area, "town": town, "village": village, "credit_code": credit_code,
            "filing_number": filing_number, "registered_on": registered_on, "leader": leader,
            "supervisor": supervisor, "org_form": form, "place": place,
            "activity_area": activity_area}


@command(org_app, "add")
def org_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    category: Annotated[str, typer.Option("--category", help="Category key or label.")],
    hub: Annotated[Optional[str], typer.Option("--hub", help="Hub id or name (none: on the district register only).")] = None,
    status: Annotated[str, typer.Option("--status", help="registered or filed.")] = "filed",
    entered: Annotated[Optional[str], typer.Option("--entered", help="Entry date (default today).")] = None,
    stage: Annotated[Optional[str], typer.Option("--stage", help="applicant, startup or growth (default startup; with --hub).")] = None,
    community: Annotated[str, typer.Option("--community", help="Community served.")] = "",
    contact: Annotated[str, typer.Option("--contact", help="Contact person.")] = "",
    phone: Annotated[str, typer.Option("--phone", help="Contact phone.")] = "",
    members: Annotated[str, typer.Option("--members", help="Member count.")] = "0",
    party: Annotated[str, typer.Option("--party", help="Party organization: independent, joint or none.")] = "none",
    area: AreaOption = None, town: TownOption = None, village: VillageOption = None,
    credit_code: CodeOption = None, filing_number: FilingOption = None,
    registered_on: RegisteredOption = None, leader: LeaderOption = None,
    supervisor: SupervisorOption = None, form: FormOption = None, place: PlaceOption = None,
    activity_area: ActivityAreaOption = None,
) -> None:
    """Register an organization (in a hub, or on the district register); prints its id."""
    fields = register_fields(area, town, village, credit_code, filing_number, registered_on,
                             leader, supervisor, form, place, activity_area)
    typer.echo(open_store(ctx).add_org(
        name, category, hub, status=status, entered=entered, stage=stage, community=community,
        contact=contact, phone=phone, members=members, party=party,
        register_fields={k: v for k, v in fields.items() if v is not None}))


def _filters(store, hub, stage, category, search, town, village, area, status, party,
             resident, zombie) -> dict:
    """The filters of `org list` and `org count`, as typed, checked and resolved."""
    return {
        "hub": hub, "stage": parse_enum(Stage, stage).value if stage else None,
        "category": resolve_category(category, queries.categories(store.db))
        if category else None,
        "search": search, "town": town, "village": village,
        "area": parse_enum(AreaKind, area).value if area else None,
        "legal_status": parse_enum(LegalStatus, status).value if status else None,
        "party_org": parse_enum(PartyOrg, party).value if party else None,
        "resident": resident,
        "ids": [row["id"] for row in queries.zombies(
            store.db, store.today(), store.settings().zombie_months)] if zombie else None,
    }


HubFilter = Annotated[Optional[str], typer.Option("--hub", help="Only this hub.")]
StageFilter = Annotated[Optional[str], typer.Option("--stage", help="Only this stage.")]
CategoryFilter = Annotated[Optional[str], typer.Option("--category", help="Only this category.")]
SearchFilter = Annotated[Optional[str], typer.Option("--search", help="Text in the name, id, community or contact, or the name's pinyin (full or initials).")]
StatusFilter = Annotated[Optional[str], typer.Option("--status", help="Only registered or only filed.")]
PartyFilter = Annotated[Optional[str], typer.Option("--party", help="Only this party organization: independent, joint or none.")]
ResidentFilter = Annotated[Optional[bool], typer.Option("--resident/--not-resident", help="Only residents of a hub, or only the others.")]
ZombieFilter = Annotated[bool, typer.Option("--zombie", help="Only zombie organizations (no activity for the zombie_months setting).")]


@command(org_app, "list")
def org_list(
    ctx: typer.Context,
    hub: HubFilter = None, stage: StageFilter = None, category: CategoryFilter = None,
    search: SearchFilter = None, town: TownOption = None, village: VillageOption = None,
    area: AreaOption = None, status: StatusFilter = None, party: PartyFilter = None,
    resident: ResidentFilter = None, zombie: ZombieFilter = False,
    sort: Annotated[str, typer.Option("--sort", help="Column to sort by: name (in pinyin order), id, category, hub, stage, legal_status, last_score10, stars, entered, exited_on, town, village, area or registered_on.")] = "name",
    descending: Annotated[bool, typer.Option("--desc", help="Sort in descending order.")] = False,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="At most this many rows.")] = None,
    json_flag: JsonFlag = False,
) -> None:
    """List organizations, filtered and sorted in SQL (--search also finds a name by its pinyin or initials)."""
    if sort not in queries.ORG_SORTS:
        raise DomainError("Sort by one of {choices} (not {value})",
                          choices=", ".join(sorted(queries.ORG_SORTS)), value=sort[:60])
    store = open_store(ctx)
    known = queries.categories(store.db)
    rows = queries.organizations(
        store.db, **_filters(store, hub, stage, category, search, town, village, area, status,
                             party, resident, zombie), sort=sort, descending=descending,
        limit=limit, lang=i18n.language())
    note_partial(store.db)
    emit(ctx, json_flag, rows, ORG_COLUMNS, shown=lambda row: dict(
        row, category=category_text(row["category"], known), stage=stage_text(row),
        legal_status=enum_label(row["legal_status"]),
        stars=rating_text(row["stars"], row["stars_scale"])))


@command(org_app, "count")
def org_count(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", help="FIELD[,FIELD]: hub, town, village, area, legal_status, party_org, category, stage, org_form, resident.")],
    hub: HubFilter = None, stage: StageFilter = None, category: CategoryFilter = None,
    search: SearchFilter = None, town: TownOption = None, village: VillageOption = None,
    area: AreaOption = None, status: StatusFilter = None, party: PartyFilter = None,
    resident: ResidentFilter = None, zombie: ZombieFilter = False,
    json_flag: JsonFlag = False,
) -> None:
    """Count organizations by one or more fields (with the filters of org list)."""
    fields = [field.strip() for field in by.replace("，", ",").split(",") if field.strip()]
    unknown = [field for field in fields if field not in queries.COUNT_FIELDS]
    if not fields or unknown or len(set(fields)) < len(fields):
        raise DomainError("Count by one or more of {choices}, each once (not {value})",
                          choices=", ".join(queries.COUNT_FIELDS), value=by[:60])
    store = open_store(ctx)
    known = queries.categories(store.db)
    rows = queries.count_by(store.db, fields, **_filters(
        store, hub, stage, category, search, town, village, area, status, party, resident,
        zombie))
    for row in rows:
        if "resident" in row:
            row["resident"] = bool(row["resident"])
    note_partial(store.db)
    shown = {"category": lambda v: category_text(v, known),
             "resident": lambda v: _("resident") if v else _("district register only")}
    emit(ctx, json_flag, rows, [(field, COUNT_HEADERS[field]) for field in fields]
         + [("count", N_("Count"))],
         shown=lambda row: {k: shown.get(k, enum_label)(v) if k != "count" else v
                            for k, v in row.items()})


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
        "zombie": org_id in {r["id"] for r in queries.zombies(
            store.db, store.today(), store.settings().zombie_months)},
    }
    if wants_json(ctx, json_flag):
        print_json(detail)
        return
    exit_ = detail["exit"]
    shown = dict(detail, category=category_text(row["category"], queries.categories(store.db)),
                 stage=stage_text(row), legal_status=enum_label(row["legal_status"]),
                 party_org=enum_label(row["party_org"]), area=enum_label(row["area"]),
                 org_form=enum_label(row["org_form"]),
                 hub_id=queries.hub_name(store.db, row["hub_id"]) if row["hub_id"] else "",
                 stars=rating_text(row["stars"], row["stars_scale"]),
                 warning=warning_status_text(detail["warning"]),
                 graduated_on=" ".join(filter(None, (row["graduated_on"], row["destination"]))),
                 exit=f"{exit_['on']} {exit_kind_text(exit_['ordered'])}: {exit_['reason']}"
                 if exit_ else None,
                 zombie=_("yes") if detail["zombie"] else "")
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
    hub: Annotated[Optional[str], typer.Option("--hub", help="Move to another hub (or into one from the district register).")] = None,
    notes: Annotated[Optional[str], typer.Option("--notes")] = None,
    area: AreaOption = None, town: TownOption = None, village: VillageOption = None,
    credit_code: CodeOption = None, filing_number: FilingOption = None,
    registered_on: RegisteredOption = None, leader: LeaderOption = None,
    supervisor: SupervisorOption = None, form: FormOption = None, place: PlaceOption = None,
    activity_area: ActivityAreaOption = None,
) -> None:
    """Change profile fields of an organization (an empty value clears a register field)."""
    changed = open_store(ctx).edit_org(org, {
        "name": name, "category": category, "legal_status": status, "stage": stage,
        "community": community, "contact": contact, "phone": phone, "members": members,
        "party_org": party, "entered": entered, "hub": hub, "notes": notes,
        **register_fields(area, town, village, credit_code, filing_number, registered_on,
                          leader, supervisor, form, place, activity_area)})
    typer.echo(_("Saved: {fields}").format(fields=fields_text(sorted(changed))))
