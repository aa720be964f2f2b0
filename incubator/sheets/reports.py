"""The reports the bureau asks for, as tables (`workbook.Sheet`) built from the queries.

Every report names the options it takes (`--hub`, `--year`, `--month`); its headers are
in the current language; rows come in the queries' stable order, so the same replica
and options give the same tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..domain.archives import parse_items
from ..domain.errors import N_, DomainError, Text
from ..domain.models import (
    RESIDENT_STAGES, AreaKind, CaseKind, LegalStatus, PartyOrg, WaiverKind, english_label,
)
from ..domain.months import month_add, month_end, month_of, parse_month
from ..domain.review import rating_label
from ..domain.roster import ROSTER_COLUMNS
from ..domain.warnings import is_open
from ..i18n import _, language
from ..present.labels import (
    case_row, case_status_text, category_text, end_reason_text, enum_label, exit_kind_text,
    rating_text,
)
from ..store import queries
from ..store.commands import Store
from .workbook import DATE, FORMULA, INT, MONEY, NUMBER, TEXT, Block, Column, Sheet, Validation

HUB, YEAR, MONTH, ROUND = "hub", "year", "month", "round"


@dataclass(frozen=True)
class Context:
    """What a report is built for: the replica, today, and the options given."""

    store: Store
    today: date
    hub_id: str | None = None
    year: int | None = None
    month: str | None = None
    blank: bool = False
    round_id: str | None = None

    @property
    def db(self):
        return self.store.db

    @property
    def hub_name(self) -> str | None:
        return queries.hub_name(self.db, self.hub_id) if self.hub_id else None

    def hubs(self) -> list[tuple[str, str]]:
        """(name, id) of the hub asked for, or of every hub."""
        return [(name, hub_id) for name, hub_id in queries.hub_options(self.db)
                if self.hub_id in (None, hub_id)]

    def in_hub(self, row: dict, key: str = "hub_id") -> bool:
        return self.hub_id is None or row.get(key) == self.hub_id

    def named_hub(self, row: dict) -> bool:
        return self.hub_id is None or row.get("hub") == self.hub_name

    def report_year(self) -> int:
        return self.year or self.today.year

    def review_year(self) -> int:
        """The year asked for, else the latest reviewed one, else last year."""
        return self.year or next(iter(queries.review_years(self.db)), self.today.year - 1)

    def report_month(self) -> str:
        return self.month or month_add(month_of(self.today), -1)

    def scope(self) -> str:
        return self.hub_name or _("the whole district")


def col(key: str, msgid: str, kind: str = TEXT) -> Column:
    return Column(key, _(msgid), kind)


def counted(label: str, count: int) -> str:
    return _("{label}: {count}").format(label=label, count=count)


# -- score sheet ------------------------------------------------------------------------

SCORE_ID, SCORE_NAME, SCORE_NOTE, SCORE_TOTAL = "id", "name", "note", "total"


def item_header(label: str, maximum: float) -> str:
    return _("{label} (max {maximum})").format(label=label, maximum=f"{maximum:g}")


def score_sheet(ctx: Context) -> list[Sheet]:
    """The month's score form, one sheet per hub: its residents × the rubric's items, each
    item's maximum in its header and a validation rule on its cells; the scores already
    entered filled in (none with `blank`)."""
    month = ctx.report_month()
    version = ctx.store.rubric_for(month)
    stored = {} if ctx.blank else {row["org_id"]: row for row in queries.scores(ctx.db,
                                                                               month=month)}
    item_keys = [f"item:{item.key}" for item in version.items]
    columns = [col(SCORE_ID, N_("ID")), col(SCORE_NAME, N_("Organization")),
               *[Column(key, item_header(item.label, item.maximum), NUMBER)
                 for key, item in zip(item_keys, version.items)],
               Column(SCORE_TOTAL, _("Total (max {maximum})").format(
                   maximum=f"{version.max_total:g}"), FORMULA),
               col(SCORE_NOTE, N_("Note"))]
    validations = {key: Validation("decimal", 0, item.maximum, _(
        "{label}: a number from 0 to {maximum}").format(label=item.label,
                                                        maximum=f"{item.maximum:g}"))
        for key, item in zip(item_keys, version.items)}

    def total(row: int, letter: Callable[[str], str]) -> str:
        cells = f"{letter(item_keys[0])}{row}:{letter(item_keys[-1])}{row}"
        return f'=IF(COUNT({cells})=0,"",SUM({cells}))'

    sheets = []
    for hub_name, hub_id in ctx.hubs():
        rows = []
        for org_id, name in queries.residents_of_hub(ctx.db, hub_id, month_end(month)):
            score = stored.get(org_id)
            rows.append({SCORE_ID: org_id, SCORE_NAME: name,
                         **({f"item:{k}": v for k, v in score["items"].items()}
                            if score else {}),
                         SCORE_TOTAL: score["total"] if score else None,
                         SCORE_NOTE: score["note"] if score else None})
        sheets.append(Sheet(hub_name, _("Monthly scores {month} · {hub}").format(
            month=month, hub=hub_name), [Block(columns, rows, validations=validations,
                                               formulas={SCORE_TOTAL: total})]))
    return sheets


# -- warnings -----------------------------------------------------------------------------

def warnings_report(ctx: Context) -> list[Sheet]:
    """Every warning case, open and closed: streaks, interviews, deadlines, outcomes."""
    rows = []
    for org, case in queries.warning_states(ctx.db, ctx.today):
        if not ctx.in_hub(org):
            continue
        row = case_row(org, case)
        rows.append({**row, "kind": enum_label(row["kind"]), "status": case_status_text(row),
                     "streak": " ".join(row["streak"]), "months": len(row["streak"]) or None,
                     "stars": rating_text(row["stars"]) if row["stars"] else None,
                     "last_step": row["transitions"][-1]["text"] if row["transitions"] else "",
                     "open": is_open(case)})
    columns = [col("name", N_("Organization")), col("hub", N_("Hub")), col("kind", N_("Kind")),
               col("case", N_("Case")), col("status", N_("Status")),
               col("streak", N_("Low months")), col("months", N_("Low months in a row"), INT),
               col("stars", N_("Rating")), col("interview", N_("Interview"), DATE),
               col("interviews", N_("Interviews"), INT),
               col("deadline", N_("Deadline"), DATE), col("check_month", N_("Deciding month")),
               col("last_step", N_("Latest step"))]
    by_status = Counter(row["status"] for row in rows)
    summary = Block([col("status", N_("Status")), col("count", N_("Count"), INT)],
                    [{"status": status, "count": count}
                     for status, count in sorted(by_status.items())],
                    totals={"status": _("Totals"), "count": len(rows)},
                    subtitle=_("Cases by status"))
    return [Sheet(_("Warnings"), _("Warning interviews · {scope} · as of {date}").format(
        scope=ctx.scope(), date=ctx.today.isoformat()),
        [Block(columns, rows, totals={"name": counted(_("Cases"), len(rows)),
                                      "interviews": sum(r["interviews"] for r in rows)}),
         summary])]


# -- stars --------------------------------------------------------------------------------

def stars_report(ctx: Context) -> list[Sheet]:
    """The year's star list, the distribution per hub, the 5-star priority list and the
    low-star list with its follow-up cases."""
    year = ctx.review_year()
    config = ctx.store.timeline().at(f"{year}-12")
    scale = config.rating_scale
    reviews = [row for row in queries.reviews(ctx.db, year) if ctx.named_hub(row)]
    for row in reviews:
        row["rating"] = rating_text(row["stars"], row["scale"])
        row["party_text"] = _("yes") if row["party"] else _("no")
    cases = {org["id"]: case_status_text(case_row(org, case))
             for org, case in queries.warning_states(ctx.db, ctx.today)
             if case.kind is CaseKind.ANNUAL and case.id == str(year)}
    columns = [col("org_name", N_("Organization")), col("hub", N_("Hub")),
               col("self", N_("Self-evaluation"), NUMBER), col("peer", N_("Peer evaluation"),
                                                               NUMBER),
               col("public", N_("Public evaluation"), NUMBER),
               col("party_text", N_("Party building")),
               col("monthly_avg", N_("Monthly average"), NUMBER),
               col("composite", N_("Composite"), NUMBER), col("rating", N_("Rating"))]
    levels = range(5, 0, -1)
    counts = Counter((row["hub"], row["stars"]) for row in reviews)
    hubs = sorted({row["hub"] for row in reviews}, key=lambda hub: (hub is None, hub or ""))
    level_columns = [Column(f"level{level}", _(rating_label(level, scale)), INT)
                     for level in levels]
    distribution = [{"hub": hub or _("district register"),
                     **{f"level{level}": counts[(hub, level)] for level in levels},
                     "total": sum(counts[(hub, level)] for level in levels)} for hub in hubs]
    totals = {"hub": _("Totals"), **{f"level{level}": sum(counts[(hub, level)] for hub in hubs)
                                    for level in levels}, "total": len(reviews)}
    low = [dict(row, case=cases.get(row["org_id"], "")) for row in reviews
           if row["stars"] <= config.low_star_interview_max]
    title = _("Star ratings {year} · {scope}").format(year=year, scope=ctx.scope())
    return [
        Sheet(_("Star list"), title, [Block(columns, reviews, totals={
            "org_name": counted(_("Organizations"), len(reviews))})]),
        Sheet(_("Distribution"), title, [Block(
            [col("hub", N_("Hub")), *level_columns, col("total", N_("Totals"), INT)],
            distribution, totals=totals, subtitle=distribution_text(totals, scale))]),
        Sheet(_("Priority list"), _("Priority in project matching {year}").format(year=year),
              [Block(columns, [row for row in reviews if row["stars"] == 5])]),
        Sheet(_("Low ratings"), _("Interview and rectification {year}").format(year=year),
              [Block([*columns, col("case", N_("Warning case"))], low)]),
    ]


def distribution_text(totals: dict, scale: str) -> str:
    """The distribution as the reports quote it: 五星级 N 个、四星级 N 个…"""
    return _(", ").join(_("{rating} {count}").format(rating=_(rating_label(level, scale)),
                                                   count=totals[f"level{level}"])
                       for level in range(5, 0, -1))


# -- occupancy ----------------------------------------------------------------------------

def occupancy_report(ctx: Context) -> list[Sheet]:
    """Spaces per hub, who uses them, m² used and free (today)."""
    spaces = [dict(row, kind=enum_label(row["kind"])) for row in queries.spaces(
        ctx.db, ctx.today, ctx.hub_id)]
    per_hub: dict[str, dict] = {}
    for row in spaces:
        hub = per_hub.setdefault(row["hub"], {"hub": row["hub"], "spaces": 0, "occupied": 0,
                                              "area": 0.0, "used": 0.0})
        hub["spaces"] += 1
        hub["area"] += row["area"] or 0
        if row["org_id"]:
            hub["occupied"] += 1
            hub["used"] += row["area"] or 0
    for hub in per_hub.values():
        hub["free"] = hub["area"] - hub["used"]
    totals = {"hub": _("Totals"), **{key: sum(h[key] for h in per_hub.values())
                                    for key in ("spaces", "occupied", "area", "used", "free")}}
    title = _("Occupancy · {scope} · {date}").format(scope=ctx.scope(),
                                                      date=ctx.today.isoformat())
    return [
        Sheet(_("Space list"), title, [Block(
            [col("hub", N_("Hub")), col("name", N_("Space")), col("kind", N_("Kind")),
             col("area", N_("Area (m²)"), NUMBER), col("capacity", N_("Capacity"), INT),
             col("org_name", N_("Used by")), col("start", N_("From"), DATE),
             col("end", N_("To"), DATE)], spaces,
            totals={"hub": counted(_("Spaces"), len(spaces)),
                    "area": sum(row["area"] or 0 for row in spaces)})]),
        Sheet(_("By hub"), title, [Block(
            [col("hub", N_("Hub")), col("spaces", N_("Spaces"), INT),
             col("occupied", N_("Occupied"), INT), col("area", N_("Area (m²)"), NUMBER),
             col("used", N_("Used (m²)"), NUMBER), col("free", N_("Free (m²)"), NUMBER)],
            list(per_hub.values()), totals=totals)]),
    ]


# -- waivers ------------------------------------------------------------------------------

def waivers_report(ctx: Context) -> list[Sheet]:
    """Every waiver; the month's totals per hub and kind; the service-for-rent ledger."""
    month = ctx.month or month_of(ctx.today)
    day = min(ctx.today, month_end(month))
    waivers = [dict(row, kind=enum_label(row["kind"]), end_reason=end_reason_text(row))
               for row in queries.waivers(ctx.db, ctx.today) if ctx.named_hub(row)]
    totals = {hub: kinds for hub, kinds in queries.monthly_totals(ctx.db, day).items()
              if ctx.hub_name in (None, hub)}
    kinds = list(WaiverKind)
    by_hub = [{"hub": hub, **{kind.value: values.get(kind.value, 0.0) for kind in kinds},
               "total": sum(values.values())} for hub, values in sorted(totals.items())]
    ledger = [row for row in queries.service_ledger(ctx.db, ctx.today) if ctx.named_hub(row)]
    sums = ("owed", "delivered", "shortfall", "surplus")
    return [
        Sheet(_("Waivers"), _("Fee waivers · {scope}").format(scope=ctx.scope()), [Block(
            [col("org_name", N_("Organization")), col("hub", N_("Hub")),
             col("kind", N_("Kind")), col("start", N_("From"), DATE), col("end", N_("To"), DATE),
             col("last_day", N_("Last day"), DATE),
             col("monthly_value", N_("Monthly value (yuan)"), MONEY),
             col("rent_charged", N_("Rent charged (yuan)"), MONEY),
             col("standard_rent", N_("Standard rent (yuan)"), MONEY),
             col("hours_per_month", N_("Service hours per month"), NUMBER),
             col("approved_by", N_("Approved by")), col("ended_on", N_("Ended on"), DATE),
             col("end_reason", N_("Reason"))], waivers,
            totals={"org_name": counted(_("Waivers"), len(waivers))})]),
        Sheet(_("Monthly totals"), _("Waivers in force {month} (yuan per month)").format(
            month=month), [Block(
                [col("hub", N_("Hub")),
                 *[Column(kind.value, _(english_label(kind)), MONEY) for kind in kinds],
                 col("total", N_("Totals"), MONEY)], by_hub,
                totals={"hub": _("Totals"), **{key: sum(row[key] for row in by_hub)
                                              for key in [*(k.value for k in kinds), "total"]}})]),
        Sheet(_("Service ledger"), _("Service for rent: hours owed and delivered"), [Block(
            [col("org_name", N_("Organization")), col("hub", N_("Hub")),
             col("start", N_("From"), DATE), col("last_day", N_("Last day"), DATE),
             col("hours_per_month", N_("Service hours per month"), NUMBER),
             *[col(key, label, NUMBER) for key, label in zip(sums, (
                 N_("Owed"), N_("Delivered"), N_("Shortfall"), N_("Surplus")))]], ledger,
            totals={"org_name": _("Totals"), **{key: sum(row[key] for row in ledger)
                                               for key in sums}})]),
    ]


# -- graduation ---------------------------------------------------------------------------

def graduation_report(ctx: Context) -> list[Sheet]:
    """Graduations and exits in a year (ordered exits marked)."""
    year = ctx.report_year()
    rows = []
    for row in queries.departures(ctx.db, year, ctx.hub_id):
        graduated = bool(row["graduated_on"])
        rows.append(dict(row, how=_("graduated") if graduated else exit_kind_text(
            row["exit_ordered"]), detail=row["destination"] if graduated else row["exit_reason"],
            category=category_text(row["category"], queries.categories(ctx.db))))
    kinds = Counter(row["how"] for row in rows)
    return [Sheet(_("Graduation and exits"), _("Graduation and exits {year} · {scope}").format(
        year=year, scope=ctx.scope()), [
        Block([col("name", N_("Organization")), col("hub", N_("Hub")),
               col("category", N_("Category")), col("how", N_("Outcome")),
               col("on_date", N_("Date"), DATE), col("detail", N_("Destination or reason")),
               col("entered", N_("Entered"), DATE)], rows,
              totals={"name": counted(_("Organizations"), len(rows))}),
        Block([col("how", N_("Outcome")), col("count", N_("Count"), INT)],
              [{"how": how, "count": count} for how, count in sorted(kinds.items())],
              totals={"how": _("Totals"), "count": len(rows)}, subtitle=_("By outcome"))])]


# -- register -----------------------------------------------------------------------------

REGISTER_FIELDS = ("name", "category", "legal_status", "credit_code", "filing_number",
                   "registered_on", "entered", "leader", "contact", "phone", "town", "village",
                   "area", "members", "party_org", "org_form", "supervisor", "place",
                   "activity_area", "community", "hub", "stage")
REGISTER_KINDS = {"registered_on": DATE, "entered": DATE, "members": INT}


def roster_header(field_name: str) -> str:
    """A field's header as exports write it (and imports read it back)."""
    zh, en, _others = ROSTER_COLUMNS[field_name]
    return en if language() == "en" else zh


def register_report(ctx: Context) -> list[Sheet]:
    """The district register (the roster's own columns, so it can be imported again) and
    the counts the bureaus report per street or town."""
    known = queries.categories(ctx.db)
    rows = [dict(row, category=category_text(row["category"], known),
                 **{key: enum_label(row[key]) for key in ("legal_status", "area", "party_org",
                                                          "org_form", "stage")})
            for row in queries.organizations(ctx.db, hub=ctx.hub_id, sort="town")]
    counts = queries.register_counts(ctx.db, ctx.hub_id)
    keys = ("organizations", "urban", "rural", "registered", "filed", "party_independent",
            "party_joint", "party_none")
    labels = (N_("Organizations"), english_label(AreaKind.URBAN), english_label(AreaKind.RURAL),
              english_label(LegalStatus.REGISTERED), english_label(LegalStatus.FILED),
              english_label(PartyOrg.INDEPENDENT), english_label(PartyOrg.JOINT),
              english_label(PartyOrg.NONE))
    for row in counts:
        row["town"] = row["town"] or _("(no town recorded)")
    title = _("District register · {scope} · {date}").format(scope=ctx.scope(),
                                                             date=ctx.today.isoformat())
    return [
        Sheet(_("Register"), title, [Block(
            [Column(key, roster_header(key), REGISTER_KINDS.get(key, TEXT))
             for key in REGISTER_FIELDS], rows,
            totals={"name": counted(_("Organizations"), len(rows))})]),
        Sheet(_("Counts"), title, [Block(
            [col("town", N_("Street or town")),
             *[col(key, label, INT) for key, label in zip(keys, labels)]], counts,
            totals={"town": _("Totals"), **{key: sum(row[key] or 0 for row in counts)
                                           for key in keys}})]),
    ]


# -- the district issue's lists ------------------------------------------------------------

def ranking_report(ctx: Context) -> list[Sheet]:
    rows = queries.ranking(ctx.db, ctx.today, ctx.store.settings(), hub=ctx.hub_id)
    return [Sheet(_("Ranking"), _("Four-dimension ranking · {scope} · {date}").format(
        scope=ctx.scope(), date=ctx.today.isoformat()), [Block(
            [col("position", N_("Position"), INT), col("name", N_("Organization")),
             col("hub", N_("Hub")), col("town", N_("Street or town")),
             col("village", N_("Community or village")),
             col("activity", N_("Activity"), NUMBER),
             col("standardization", N_("Standardization"), NUMBER),
             col("coverage", N_("Coverage"), NUMBER), col("influence", N_("Influence"), NUMBER),
             col("total", N_("Total"), NUMBER), col("archives", N_("Archives (%)"), NUMBER),
             col("monthly_avg", N_("Monthly average"), NUMBER), col("stars", N_("Stars"), INT),
             col("places", N_("Places"), INT), col("beneficiaries", N_("Beneficiaries"), INT),
             col("person_times", N_("Person-times"), INT),
             col("hours", N_("Volunteer hours"), NUMBER)], rows,
            totals={"name": counted(_("Organizations"), len(rows))})])]


def zombies_report(ctx: Context) -> list[Sheet]:
    months = ctx.store.settings().zombie_months
    rows = [dict(row, area=enum_label(row["area"]), stage=enum_label(row["stage"]))
            for row in queries.zombies(ctx.db, ctx.today, months, hub=ctx.hub_id)]
    return [Sheet(_("Zombies"), _("Zombie organizations (no activity for {months} months) · "
                                  "{scope} · {date}").format(
        months=months, scope=ctx.scope(), date=ctx.today.isoformat()), [Block(
            [col("name", N_("Organization")), col("hub", N_("Hub")),
             col("town", N_("Street or town")), col("village", N_("Community or village")),
             col("area", N_("Urban or rural")), col("stage", N_("Stage")),
             col("since", N_("On record since"), DATE), col("last_activity", N_("Last activity"), DATE)],
            rows, totals={"name": counted(_("Organizations"), len(rows))})])]


def archives_report(ctx: Context) -> list[Sheet]:
    items = parse_items(ctx.store.settings().archive_items)
    rows = [row for row in queries.archive_report(ctx.db, items) if ctx.named_hub(row)]
    for row in rows:
        row["hub"] = row["hub"] or _("district register")

    def grouped(key: str) -> list[dict]:
        groups: dict[str, list[dict]] = {}
        for row in rows:
            groups.setdefault(row[key] or _("(no town recorded)"), []).append(row)
        return [{"group": name, "organizations": len(members),
                 "completeness": round(sum(m["completeness"] for m in members) / len(members), 1),
                 "complete": sum(m["completeness"] == 100 for m in members),
                 "empty": sum(m["completeness"] == 0 for m in members)}
                for name, members in sorted(groups.items())]

    group_columns = [col("organizations", N_("Organizations"), INT),
                     col("completeness", N_("Average completeness (%)"), NUMBER),
                     col("complete", N_("Complete (100%)"), INT), col("empty", N_("Nothing checked"),
                                                               INT)]
    title = _("Archives completeness · {scope} · {date}").format(scope=ctx.scope(),
                                                                 date=ctx.today.isoformat())
    return [
        Sheet(_("Organizations"), title, [Block(
            [col("name", N_("Organization")), col("hub", N_("Hub")),
             col("town", N_("Street or town")), col("village", N_("Community or village")),
             col("completeness", N_("Completeness (%)"), NUMBER),
             col("present", N_("Present"), INT), col("partial", N_("Partial"), INT),
             col("missing", N_("Missing"), INT), col("unchecked", N_("Not checked"), INT)],
            rows, totals={"name": counted(_("Organizations"), len(rows))})]),
        Sheet(_("By hub"), title, [Block([col("group", N_("Hub")), *group_columns],
                                         grouped("hub"))]),
        Sheet(_("By town"), title, [Block([col("group", N_("Street or town")), *group_columns],
                                          grouped("town"))]),
    ]


# -- summary ------------------------------------------------------------------------------

def summary_report(ctx: Context) -> list[Sheet]:
    """One page for the district: the register's figures, each hub's, the star
    distribution."""
    db, today = ctx.db, ctx.today
    year = ctx.review_year()
    last_month = month_add(month_of(today), -1)
    orgs = queries.organizations(db, hub=ctx.hub_id)
    count = Counter()
    for org in orgs:
        count[("area", org["area"])] += 1
        count[("status", org["legal_status"])] += 1
        count[("party", org["party_org"] or PartyOrg.NONE.value)] += 1
        count["resident"] += org["stage"] in RESIDENT_STAGES
        count["graduated"] += (org["graduated_on"] or "")[:4] == str(today.year)
        count["exited"] += (org["exited_on"] or "")[:4] == str(today.year)
    settings = ctx.store.settings()
    zombies = queries.zombies(db, today, settings.zombie_months, hub=ctx.hub_id)
    archives = [row for row in queries.archive_report(db, parse_items(settings.archive_items))
                if ctx.named_hub(row)]
    cases = [(org, case) for org, case in queries.warning_states(db, today)
             if ctx.in_hub(org) and is_open(case)]
    missing = [row for row in queries.missing_scores(db, last_month) if ctx.named_hub(row)]
    waived = sum(value for hub, kinds in queries.monthly_totals(db, today).items()
                 if ctx.hub_name in (None, hub) for value in kinds.values())
    stars = stars_report(Context(ctx.store, today, ctx.hub_id, year))[1].blocks[0]
    figures = [
        (N_("Organizations on the register"), len(orgs)),
        (english_label(AreaKind.URBAN), count[("area", AreaKind.URBAN.value)]),
        (english_label(AreaKind.RURAL), count[("area", AreaKind.RURAL.value)]),
        (english_label(LegalStatus.REGISTERED), count[("status", LegalStatus.REGISTERED.value)]),
        (english_label(LegalStatus.FILED), count[("status", LegalStatus.FILED.value)]),
        (english_label(PartyOrg.INDEPENDENT), count[("party", PartyOrg.INDEPENDENT.value)]),
        (english_label(PartyOrg.JOINT), count[("party", PartyOrg.JOINT.value)]),
        (english_label(PartyOrg.NONE), count[("party", PartyOrg.NONE.value)]),
        (N_("Resident in a hub"), count["resident"]),
        (N_("Zombie organizations"), len(zombies)),
        (N_("Average archives completeness (%)"), round(
            sum(row["completeness"] for row in archives) / len(archives), 1) if archives else 0),
        (N_("Open warning cases"), len(cases)),
        (Text(N_("Scores missing for {month}"), {"month": last_month}), len(missing)),
        (N_("Waivers this month (yuan)"), round(waived, 2)),
        (Text(N_("Graduated in {year}"), {"year": today.year}), count["graduated"]),
        (Text(N_("Exited in {year}"), {"year": today.year}), count["exited"]),
        (Text(N_("Star ratings {year}"), {"year": year}), stars.subtitle),
    ]
    hubs = [dict(row, open=sum(org["hub_id"] == row["id"] for org, _case in cases),
                 missing=sum(m["hub"] == row["name"] for m in missing))
            for row in queries.hubs(db, today) if ctx.hub_id in (None, row["id"])]
    return [Sheet(_("Summary"), _("District summary · {scope} · {date}").format(
        scope=ctx.scope(), date=today.isoformat()), [
        Block([col("figure", N_("Figure")), col("value", N_("Value"))],
              [{"figure": label.render(_) if isinstance(label, Text) else _(label),
                "value": value} for label, value in figures]),
        Block([col("name", N_("Hub")), col("residents", N_("Residents"), INT),
               col("spaces", N_("Spaces"), INT), col("occupied", N_("Occupied"), INT),
               col("open", N_("Open warning cases"), INT),
               Column("missing", Text(N_("Scores missing for {month}"),
                                      {"month": last_month}).render(_), INT)], hubs,
              subtitle=_("Hubs")),
        Block(stars.columns, stars.rows, stars.totals,
              subtitle=_("Star ratings {year}").format(year=year)),
    ])]


# -- the activity template ------------------------------------------------------------------

ACTIVITY_FIELDS = (("org_id", N_("ID"), TEXT), ("org_name", N_("Organization"), TEXT),
                   ("on", N_("Date"), DATE), ("title", N_("Activity title"), TEXT),
                   ("kind", N_("Kind"), TEXT), ("place", N_("Place"), TEXT),
                   ("participants", N_("Participants"), INT),
                   ("beneficiaries", N_("Beneficiaries"), INT),
                   ("person_times", N_("Person-times"), INT),
                   ("hours", N_("Volunteer hours"), NUMBER), ("note", N_("Note"), TEXT))
TEMPLATE_ROWS = 200


def activity_template(ctx: Context) -> list[Sheet]:
    """The form `import activities` reads: one activity a row, validated cells; and the
    organizations (of the hub asked for) with their ids beside it."""
    counts = Validation("whole", 0, 1_000_000, _("A whole number from 0 to 1000000"))
    orgs = queries.organizations(ctx.db, hub=ctx.hub_id)
    return [
        Sheet(_("Activities"), _("Activity records (one a row; ID or exact name)"), [Block(
            [col(key, msgid, kind) for key, msgid, kind in ACTIVITY_FIELDS], [],
            blank_rows=TEMPLATE_ROWS, validations={
                "on": Validation("date", date(1900, 1, 1), ctx.today,
                                 _("A date no later than today")),
                "participants": counts, "beneficiaries": counts, "person_times": counts,
                "hours": Validation("decimal", 0, 100_000,
                                    _("Hours from 0 to 100000"))})]),
        Sheet(_("Organizations"), _("Organizations · {scope}").format(scope=ctx.scope()), [Block(
            [col("id", N_("ID")), col("name", N_("Name")), col("hub", N_("Hub")),
             col("town", N_("Street or town")), col("village", N_("Community or village"))],
            orgs)]),
    ]


@dataclass(frozen=True)
class Report:
    name: str
    build: Callable[[Context], list[Sheet]]
    takes: frozenset[str]
    help: str


# -- a venture-philanthropy round ----------------------------------------------------------

ROUND_KINDS = {  # the round's columns that are not text
    **dict.fromkeys(("amount", "budget", "agreed", "paid", "recovered"), MONEY),
    **dict.fromkeys(("beneficiaries", "person_times", "need_count", "applications",
                     "reviews", "position", "rank"), INT),
    **dict.fromkeys(("total", "score", "weighted"), NUMBER),
    **dict.fromkeys(("on_date", "deadline"), DATE),
}


def round_cell(value):
    """A round's value as a cell holds it: reasons (`Text`, lists of them) in words."""
    if isinstance(value, Text):
        return value.render(_)
    if isinstance(value, list):
        return "；".join(item.render(_) if isinstance(item, Text) else str(item)
                        for item in value)
    return value


def round_report(ctx: Context) -> list[Sheet]:
    """A round's needs, library, applications ranked, review scores, funded list (立项公示),
    phase results and beneficiaries: one sheet each (`queries.round_export`)."""
    found = queries.round_export(ctx.db, ctx.round_id, ctx.today, language())
    name = queries.resolve_round(ctx.db, ctx.round_id)["name"]
    sheets = []
    for table in found:
        columns = [Column(c.key, c.header if c.literal else _(c.header),
                          NUMBER if c.literal else ROUND_KINDS.get(c.key, TEXT))
                   for c in table.columns]
        rows = [{c.key: round_cell(row.get(c.key)) for c in table.columns} for row in table.rows]
        sheets.append(Sheet(_(table.name), _("{round} · {sheet} · {date}").format(
            round=name, sheet=_(table.name), date=ctx.today.isoformat()),
            [Block(columns, rows)]))
    return sheets


REPORTS: dict[str, Report] = {report.name: report for report in (
    Report("score-sheet", score_sheet, frozenset({HUB, MONTH}),
           N_("the month's score form, one sheet per hub (filled with what is entered)")),
    Report("warnings", warnings_report, frozenset({HUB}),
           N_("warning cases: streaks, interviews, deadlines, outcomes")),
    Report("stars", stars_report, frozenset({HUB, YEAR}),
           N_("the year's star list, distribution, priority and low-star lists")),
    Report("occupancy", occupancy_report, frozenset({HUB}),
           N_("spaces per hub, who uses them, m² used and free")),
    Report("waivers", waivers_report, frozenset({HUB, MONTH}),
           N_("every waiver, the month's totals per hub and kind, the service ledger")),
    Report("graduation", graduation_report, frozenset({HUB, YEAR}),
           N_("graduations and exits in a year")),
    Report("register", register_report, frozenset({HUB}),
           N_("the district register and its counts per street or town")),
    Report("ranking", ranking_report, frozenset({HUB}), N_("the four-dimension ranking")),
    Report("zombies", zombies_report, frozenset({HUB}), N_("zombie organizations")),
    Report("archives", archives_report, frozenset({HUB}),
           N_("archives completeness per organization, hub and town")),
    Report("summary", summary_report, frozenset({HUB, YEAR}),
           N_("a one-page district summary")),
    Report("activity-template", activity_template, frozenset({HUB}),
           N_("the form import activities reads")),
    Report("round", round_report, frozenset({ROUND}),
           N_("a venture-philanthropy round: needs, library, applications, reviews, the "
              "funded list, phase results, beneficiaries")),
)}


def build_report(store: Store, name: str, *, hub: str | None = None, year: int | None = None,
                 month: str | None = None, blank: bool = False,
                 round_ref: str | None = None) -> list[Sheet]:
    """The sheets of report `name`; an option it does not take is refused."""
    report = REPORTS.get(name)
    if report is None:
        raise DomainError("Unknown report {name}; reports are {choices}", name=name[:40],
                          choices=", ".join([*REPORTS, "all"]))
    if ROUND in report.takes and round_ref is None:
        raise DomainError("export round needs the round: export round ROUND --out FILE")
    given = {HUB: hub, YEAR: year, MONTH: month, ROUND: round_ref}
    for option, value in given.items():
        if value is not None and option not in report.takes:
            raise DomainError("The {name} report takes no --{option}", name=name,
                              option=option)
    if blank and name != "score-sheet":
        raise DomainError("Only the score-sheet report takes --blank")
    today = store.today()
    if month is not None:
        month = parse_month(month)
        if month > month_of(today):
            raise DomainError("Month {month} is in the future", month=month)
    if year is not None and not 1949 <= year <= today.year:
        raise DomainError("Year {year} is not between 1949 and this year", year=year)
    hub_id = queries.resolve_hub(store.db, hub) if hub else None
    round_id = queries.resolve_round(store.db, round_ref)["id"] if round_ref else None
    return report.build(Context(store, today, hub_id, year, month, blank, round_id))
