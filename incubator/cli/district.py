"""The whole district: categories, activities, visits, trainings, archives, zombies, ranking."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..domain.categories import CATEGORIES
from ..domain.errors import N_, DomainError
from ..domain.models import RankDimension, english_label, parse_enum
from ..domain.months import parse_date
from ..i18n import _, language
from ..present.labels import enum_label
from ..store import queries
from ..store.commands import ActivityEntry, VisitEntry
from ..store.home import replica_path
from .args import JsonFlag, OrgArg
from .output import emit, note_partial, print_json, print_table, wants_json
from .root import app, command, group, guarded, open_store, session

DateOption = Annotated[str, typer.Option("--date", help="YYYY-MM-DD.")]
OrgFilter = Annotated[Optional[str], typer.Option("--org", help="Only this organization.")]
SinceOption = Annotated[Optional[str], typer.Option("--since", help="Only from this date on (YYYY-MM-DD).")]
HubFilter = Annotated[Optional[str], typer.Option("--hub", help="Only this hub.")]
TownFilter = Annotated[Optional[str], typer.Option("--town", help="Only this street or town.")]

categories_app = group("categories", "Organization categories: the network's list.",
                       invoke_without_command=True)


@categories_app.callback()
@guarded
def categories_list(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """List category keys with their labels; every --category takes either."""
    if ctx.invoked_subcommand is not None:
        return
    known = (queries.categories(open_store(ctx).db)
             if replica_path(session(ctx).home).exists() else CATEGORIES)  # the defaults
    rows = [{"key": key, "zh": zh, "en": en} for key, (zh, en) in known.items()]
    emit(ctx, json_flag, rows, [("key", N_("Key")), ("zh", N_("Chinese")), ("en", N_("English"))])


@command(categories_app, "set")
def categories_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The category's key, e.g. time-bank.")],
    zh: Annotated[str, typer.Option("--label", help="Its Chinese label.")],
    en: Annotated[Optional[str], typer.Option("--en", help="Its English label (default the Chinese).")] = None,
) -> None:
    """Add a category to the network's list, or relabel one (hub devices)."""
    typer.echo(_("Saved category {key}").format(key=open_store(ctx).set_category(key, zh, en)))


activity_app = group("activity", "Activity records (活动记录).")


@command(activity_app, "add")
def activity_add(
    ctx: typer.Context,
    org: OrgArg,
    on: DateOption,
    title: Annotated[str, typer.Option("--title", help="What was held.")],
    kind: Annotated[str, typer.Option("--kind", help="Kind, e.g. 文艺演出, 志愿服务.")] = "",
    place: Annotated[str, typer.Option("--place", help="Where (the community or village served).")] = "",
    participants: Annotated[str, typer.Option("--participants", help="Members taking part.")] = "0",
    beneficiaries: Annotated[str, typer.Option("--beneficiaries", help="Residents served.")] = "0",
    person_times: Annotated[str, typer.Option("--person-times", help="Service person-times.")] = "0",
    hours: Annotated[str, typer.Option("--hours", help="Volunteer hours.")] = "0",
    note: Annotated[str, typer.Option("--note", help="Evidence (photos, sign-in sheet …).")] = "",
) -> None:
    """Record an activity an organization held; prints its id."""
    typer.echo(open_store(ctx).add_activity(ActivityEntry(
        org, on, title, kind, place, participants, beneficiaries, person_times, hours, note)))


@command(activity_app, "list")
def activity_list(ctx: typer.Context, org: OrgFilter = None, since: SinceOption = None,
                  json_flag: JsonFlag = False) -> None:
    """List activity records, newest first."""
    store = open_store(ctx)
    emit(ctx, json_flag, queries.activities(
        store.db, org_id=queries.resolve_org(store.db, org) if org else None,
        since=parse_date(since).isoformat() if since else None),
        [("on_date", N_("Date")), ("org_name", N_("Organization")), ("title", N_("Title")),
         ("kind", N_("Kind")), ("place", N_("Place")), ("participants", N_("Participants")),
         ("beneficiaries", N_("Beneficiaries")), ("person_times", N_("Person-times")),
         ("hours", N_("Volunteer hours"))])


visit_app = group("visit", "Field visits (走访 / 上门视导).")


@command(visit_app, "add")
def visit_add(
    ctx: typer.Context,
    org: OrgArg,
    on: DateOption,
    purpose: Annotated[str, typer.Option("--purpose", help="routine, pre-evaluation or rectification.")],
    findings: Annotated[str, typer.Option("--findings", help="What was found.")],
    follow_up: Annotated[str, typer.Option("--follow-up", help="What is to be done next.")] = "",
    archive: Annotated[Optional[list[str]], typer.Option("--archive", help="ITEM=present|partial|missing for an archive item checked.")] = None,
) -> None:
    """Record a visit by this device's person; the archive items checked update the checklist."""
    typer.echo(open_store(ctx).add_visit(VisitEntry(org, on, purpose, findings, follow_up,
                                                    tuple(archive or ()))))


@command(visit_app, "list")
def visit_list(ctx: typer.Context, org: OrgFilter = None, since: SinceOption = None,
               json_flag: JsonFlag = False) -> None:
    """List visits, newest first."""
    store = open_store(ctx)
    emit(ctx, json_flag, queries.visits(
        store.db, org_id=queries.resolve_org(store.db, org) if org else None,
        since=parse_date(since).isoformat() if since else None),
        [("on_date", N_("Date")), ("org_name", N_("Organization")), ("purpose", N_("Purpose")),
         ("visitor", N_("Visited by")), ("findings", N_("Findings")),
         ("checks", N_("Archives checked"))],
        shown=lambda row: dict(row, purpose=enum_label(row["purpose"]), checks=" ".join(
            f"{item}={enum_label(state)}" for item, state in row["checks"].items())))


training_app = group("training", "Trainings (培训) attended by organizations.")


@command(training_app, "add")
def training_add(
    ctx: typer.Context,
    on: DateOption,
    topic: Annotated[str, typer.Option("--topic", help="What it taught.")],
    org: Annotated[list[str], typer.Option("--org", help="An organization that attended (repeat for each).")],
    people: Annotated[str, typer.Option("--people", help="People attending in all.")] = "0",
) -> None:
    """Record a training; it is written into each attending organization's record."""
    typer.echo(open_store(ctx).add_training(on, topic, org, people))


@command(training_app, "list")
def training_list(ctx: typer.Context, org: OrgFilter = None, json_flag: JsonFlag = False) -> None:
    """List trainings, newest first, with the organizations that attended."""
    store = open_store(ctx)
    emit(ctx, json_flag, queries.trainings(
        store.db, org_id=queries.resolve_org(store.db, org) if org else None),
        [("on_date", N_("Date")), ("topic", N_("Topic")), ("people", N_("People")),
         ("organizations", N_("Organizations")), ("attended", N_("Attended"))],
        shown=lambda row: dict(row, attended="、".join(a["name"] for a in row["attended"])))


archives_app = group("archives", "The archives checklist (档案资料) of each organization.")


def _item_label(row: dict) -> str:
    return row["en"] if language() == "en" else row["zh"]


@command(archives_app, "show")
def archives_show(ctx: typer.Context, org: OrgArg, json_flag: JsonFlag = False) -> None:
    """Every item of the checklist for one organization, and its completeness."""
    store = open_store(ctx)
    org_id = queries.resolve_org(store.db, org)
    items = store.archive_items()
    checklist = queries.archive_checklist(store.db, org_id, items)
    completeness = queries.archive_report(store.db, items, org_id=org_id)[0]["completeness"]
    if wants_json(ctx, json_flag):
        print_json({"org_id": org_id, "completeness": completeness, "items": checklist})
        return
    print_table([dict(row, label=_item_label(row),
                      state=enum_label(row["state"]) if row["state"] else _("not checked"))
                 for row in checklist],
                [("item", N_("Key")), ("label", N_("Item")), ("state", N_("State")),
                 ("on_date", N_("Checked on")), ("checked_by", N_("Checked by")),
                 ("note", N_("Note"))],
                title=_("Archives of {name}: complete {completeness}%").format(
                    name=queries.org_name(store.db, org_id), completeness=completeness))


@command(archives_app, "set")
def archives_set(
    ctx: typer.Context,
    org: OrgArg,
    item: Annotated[str, typer.Argument(help="The item's key or label.")],
    state: Annotated[str, typer.Argument(help="present, partial or missing.")],
    note: Annotated[str, typer.Option("--note", help="A remark.")] = "",
) -> None:
    """Record the state of one archive item, checked today by this device's person."""
    found = open_store(ctx).set_archive(org, item, state, note)
    typer.echo(_("Saved: {item}").format(item=found.label(language())))


@command(archives_app, "report")
def archives_report(
    ctx: typer.Context,
    by: Annotated[Optional[str], typer.Option("--by", help="hub or town (default: per organization).")] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Archives completeness per organization, or averaged per hub or town."""
    store = open_store(ctx)
    if by is not None and by not in queries.REPORT_GROUPS:
        raise DomainError("Report by {choices}, not {value}",
                          choices=" or ".join(queries.REPORT_GROUPS), value=by[:40])
    rows = queries.archive_report(store.db, store.archive_items(), by)
    note_partial(store.db)
    if by is None:
        columns = [("name", N_("Organization")), ("hub", N_("Hub")), ("town", N_("Street or town")),
                   ("completeness", N_("Complete %")), ("present", N_("Present")),
                   ("partial", N_("Partial")), ("missing", N_("Missing")),
                   ("unchecked", N_("Not checked"))]
    else:
        columns = [(by, N_("Hub") if by == "hub" else N_("Street or town")),
                   ("organizations", N_("Organizations")), ("completeness", N_("Complete %")),
                   ("complete", N_("Complete")), ("empty", N_("Nothing present"))]
    emit(ctx, json_flag, rows, columns)


@command(app, "zombies")
def zombies(
    ctx: typer.Context,
    months: Annotated[Optional[int], typer.Option("--months", min=1, max=120, help="Months without activity (default the zombie_months setting).")] = None,
    hub: HubFilter = None, town: TownFilter = None, json_flag: JsonFlag = False,
) -> None:
    """Zombie organizations (僵尸组织): no activity, service hours or active month for N months."""
    store = open_store(ctx)
    note_partial(store.db)
    emit(ctx, json_flag, queries.zombies(store.db, store.today(),
                                         months or store.settings().zombie_months,
                                         hub=hub, town=town),
         [("id", N_("ID")), ("name", N_("Organization")), ("hub", N_("Hub")),
          ("town", N_("Street or town")), ("village", N_("Community or village")),
          ("since", N_("Exists since")), ("last_activity", N_("Last activity"))])


@command(app, "ranking")
def ranking(
    ctx: typer.Context,
    dimension: Annotated[Optional[str], typer.Option("--dimension", help="Order by activity, standardization, coverage or influence (default the total).")] = None,
    hub: HubFilter = None, town: TownFilter = None,
    top: Annotated[Optional[int], typer.Option("--top", min=1, max=100000, help="Only the first N.")] = None,
    json_flag: JsonFlag = False,
) -> None:
    """The four-dimension ranking (即时排位): each 0–100, a percentile within the district."""
    store = open_store(ctx)
    chosen = parse_enum(RankDimension, dimension).value if dimension else None
    note_partial(store.db)
    emit(ctx, json_flag, queries.ranking(store.db, store.today(), store.settings(),
                                         dimension=chosen, hub=hub, town=town, top=top),
         [("position", N_("Position")), ("name", N_("Organization")), ("hub", N_("Hub")),
          ("town", N_("Street or town")), *[(d.value, english_label(d)) for d in RankDimension],
          ("total", N_("Total"))])
