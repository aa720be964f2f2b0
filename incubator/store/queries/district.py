"""The whole district: categories, zombie organizations and the four-dimension ranking.

The zombie list is one SQL statement over the query tables, and so are the ranking's
figures; only the ranking's percentiles and positions are computed in Python.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ...domain.archives import STATE_CREDIT, parse_items
from ...domain.categories import merged_categories
from ...domain.models import RankDimension
from ...domain.months import add_months, month_add, month_index, month_of, month_start
from ...domain.settings import Settings
from .base import Row, rows
from .lookup import resolve_hub

# the credit of an archive check (`c.state`) towards completeness, from the domain's table
ARCHIVE_CREDIT_SQL = "CASE c.state " + " ".join(
    f"WHEN '{state.value}' THEN {credit}" for state, credit in STATE_CREDIT.items()) + " ELSE 0 END"
# a month's index (year × 12 + month − 1) of an ISO date or month held in `column`
MONTH_INDEX_SQL = "(CAST(substr({0}, 1, 4) AS INTEGER) * 12 + CAST(substr({0}, 6, 2) AS INTEGER) - 1)"
# the figures behind each dimension (each scaled to 0–1 against the district's mean)
DIMENSIONS = {
    RankDimension.ACTIVITY: ("activity_rate", "person_times_rate"),
    RankDimension.STANDARDIZATION: ("archives", "monthly_avg", "stars"),
    RankDimension.COVERAGE: ("places", "beneficiaries"),
    RankDimension.INFLUENCE: ("person_times", "hours", "awards"),
}


def categories(db) -> dict[str, tuple[str, str]]:
    """Every category of the network: the defaults, then its own additions and labels."""
    return merged_categories({row["key"]: (row["zh"], row["en"]) for row in db.query(
        "SELECT key, zh, en FROM categories ORDER BY key")})


def _place_filter(db, hub: str | None, town: str | None) -> tuple[list[str], dict]:
    """Conditions on `o.hub_id` and `o.town`, with named parameters."""
    conditions, params = [], {}
    if hub:
        conditions.append("o.hub_id = :hub")
        params["hub"] = resolve_hub(db, hub)
    if town:
        conditions.append("o.town = :town")
        params["town"] = town.strip()
    return conditions, params


def zombies(db, today: date, months: int, *, hub: str | None = None,
            town: str | None = None) -> list[Row]:
    """Organizations that existed `months` months ago and since then have no activity
    record, no service hours and no monthly score with an activities item above 0 (a
    rubric without that item counts as active)."""
    conditions, params = _place_filter(db, hub, town)
    return rows(db, f"""
        SELECT o.id, o.name, h.name AS hub, o.town, o.village, o.area, o.stage, o.since,
          (SELECT max(a.on_date) FROM activities a WHERE a.org_id = o.id) AS last_activity
        FROM organizations o LEFT JOIN hubs h ON h.id = o.hub_id
        WHERE {" AND ".join([*conditions, "o.since <= :since"])}
          AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.org_id = o.id
                          AND a.on_date >= :since)
          AND NOT EXISTS (SELECT 1 FROM service_hours s WHERE s.org_id = o.id
                          AND s.month >= substr(:since, 1, 7) AND s.hours > 0)
          AND NOT EXISTS (SELECT 1 FROM scores s WHERE s.org_id = o.id
                          AND s.month >= substr(:since, 1, 7)
                          AND coalesce(json_extract(s.items, '$.activities'), 1) > 0)
        ORDER BY h.sort_key IS NULL, h.sort_key, o.town, o.village, o.sort_key, o.id""",
                {**params, "since": add_months(today, -months).isoformat()})


def ranking(db, today: date, config: Settings, *, dimension: str | None = None,
            hub: str | None = None, town: str | None = None,
            top: int | None = None) -> list[Row]:
    """Every organization's four dimensions (0–100, percentiles within the district) and
    their weighted total, best first (or by one `dimension`); `hub` and `town` only choose
    which rows are shown, the percentiles and positions stay the district's. The formula
    is in the README.

    Each figure is scaled to 0–1 as x / (x + the district's mean of x) and a dimension is
    the mean of its figures so scaled, in one SQL statement (each step materialized:
    inlined, it was a fifth slower): one pass over the organizations in id order, each
    joined to its window of activities by the `activities_org` index (no temporary index
    on a grouped table), archives, scores and awards read per organization by their
    primary keys. The percentiles, totals and positions are then computed here, one
    column at a time and once per distinct value, exactly as SQLite's
    `round(100 * percent_rank(), 1)` and `rank()` would (five window sorts in SQL took a
    third of the time); dicts are made only for the rows returned."""
    window = config.ranking_months
    this_month = month_of(today)
    first_day = month_start(month_add(this_month, -(window - 1))).isoformat()
    items = [item.key for item in parse_items(config.archive_items)]
    recency = f"({window} - (:this_index - a.month_index)) * 1.0 / {window}"
    components = [c for cs in DIMENSIONS.values() for c in cs]
    means = ", ".join(f"avg({c}) AS mean_{c}" for c in components)
    scaled = {c: f"(CASE WHEN r.{c} > 0 THEN r.{c} / (r.{c} + m.mean_{c}) ELSE 0 END)"
              for c in components}
    raw_dimensions = ", ".join(
        f"({' + '.join(scaled[c] for c in cs)}) / {len(cs)}.0 AS raw_{name}"
        for name, cs in DIMENSIONS.items())
    # k: the months of the window the organization existed (at least 1); the recency
    # weights of those months add up to (k·W − k(k−1)/2) / W
    k = (f"coalesce(max(1, min({window}, :this_index - {MONTH_INDEX_SQL.format('o.since')}"
         f" + 1)), {window})")
    cursor = db.execute(f"""
        WITH acts AS MATERIALIZED (
          SELECT o.id, o.stars, {k} AS k, sum({recency}) AS weighted,
            sum({recency} * a.person_times) AS weighted_person_times,
            count(DISTINCT a.served) AS places, sum(a.beneficiaries) AS beneficiaries,
            sum(a.person_times) AS person_times, sum(a.hours) AS hours
          FROM organizations o INDEXED BY sqlite_autoindex_organizations_1
          LEFT JOIN activities a INDEXED BY activities_org ON a.org_id = o.id
            AND a.on_date >= :first_day AND a.on_date <= :today
          GROUP BY o.id),
        raw AS MATERIALIZED (
          SELECT o.id,
            coalesce(o.weighted, 0) * {window} / (o.k * {window} - o.k * (o.k - 1) / 2.0)
              AS activity_rate,
            coalesce(o.weighted_person_times, 0) * {window}
              / (o.k * {window} - o.k * (o.k - 1) / 2.0) AS person_times_rate,
            coalesce((SELECT 100.0 * sum({ARCHIVE_CREDIT_SQL}) / :items_count
                      FROM archive_checks c WHERE c.org_id = o.id
                        AND c.item IN (SELECT value FROM json_each(:items))), 0) AS archives,
            coalesce((SELECT avg(score10) FROM scores s WHERE s.org_id = o.id
                        AND s.month >= substr(:first_day, 1, 7)), 0) AS monthly_avg,
            coalesce(o.stars, 0) AS stars, o.places,
            coalesce(o.beneficiaries, 0) AS beneficiaries,
            coalesce(o.person_times, 0) AS person_times, coalesce(o.hours, 0) AS hours,
            (SELECT count(*) FROM awards w WHERE w.org_id = o.id
               AND w.year BETWEEN CAST(substr(:first_day, 1, 4) AS INTEGER)
               AND CAST(substr(:today, 1, 4) AS INTEGER)) AS awards
          FROM acts o),
        means AS MATERIALIZED (SELECT {means} FROM raw)
        SELECT o.id, o.name, o.sort_key, o.hub_id, h.name AS hub, o.town, o.village, o.area,
          round(r.activity_rate, 3) AS activity_rate,
          round(r.person_times_rate, 1) AS person_times_rate, round(r.archives, 1) AS archives,
          round(r.monthly_avg, 2) AS monthly_avg, r.stars, r.places, r.beneficiaries,
          r.person_times, r.hours, r.awards, {raw_dimensions}
        FROM raw r JOIN means m JOIN organizations o ON o.id = r.id
        LEFT JOIN hubs h ON h.id = o.hub_id""",
                 {"this_index": month_index(this_month), "first_day": first_day,
                  "today": today.isoformat(), "items": json.dumps(items),
                  "items_count": len(items)})
    names = [column[0] for column in cursor.description]
    found = cursor.fetchall()
    columns = list(zip(*found)) or [()] * len(names)
    at = {name: number for number, name in enumerate(names)}
    steps: dict[int, float] = {}  # a rank's percentile, the same in every dimension
    shown = [percentiles(columns[at[f"raw_{name}"]], steps) for name in DIMENSIONS]
    totals = _totals(shown, [getattr(config, f"ranking_weight_{name}") for name in DIMENSIONS])
    places = _positions(totals)
    picked = range(len(found))
    if hub:
        hub_id, hubs = resolve_hub(db, hub), columns[at["hub_id"]]
        picked = [number for number in picked if hubs[number] == hub_id]
    if town:
        towns, wanted = columns[at["town"]], town.strip()
        picked = [number for number in picked if towns[number] == wanted]
    order = shown[list(DIMENSIONS).index(RankDimension(dimension))] if dimension else totals
    sort_keys, ids = columns[at["sort_key"]], columns[at["id"]]
    picked = [key[-1] for key in sorted(
        (-order[number], -totals[number], sort_keys[number], ids[number], number)
        for number in picked)]
    if top:
        picked = picked[:int(top)]
    kept = [name for name in names if not name.startswith("raw_")]  # (the last columns)
    figures = [*DIMENSIONS, "total", "position"]
    out = []
    for number in picked:
        row = dict(zip(kept, found[number]))
        row.update(zip(figures, (*(dimension[number] for dimension in shown), totals[number],
                                 places[number])))
        del row["sort_key"]  # the order's tie break (pinyin), not a figure of the ranking
        out.append(row)
    return out


def _totals(dimensions: list[list[float]], weights: list[float]) -> list[float]:
    """Each organization's weighted total, `round(Σ weight × dimension / 100, 1)` added in
    the dimensions' order as SQL did; many organizations share one (0 for zombies)."""
    rounded: dict[float, float] = {}
    totals = []
    for shown in zip(*dimensions):
        weighted = 0
        for weight, value in zip(weights, shown):
            weighted = weighted + weight * value
        total = rounded.get(weighted)
        if total is None:
            total = rounded[weighted] = sql_round(weighted / 100.0, 1)
        totals.append(total)
    return totals


def _positions(totals: list[float]) -> list[int]:
    """Each total's `rank() OVER (ORDER BY total DESC)`: ties share the best position."""
    ordered = sorted(totals, reverse=True)
    first: dict[float, int] = {}
    for number, total in enumerate(ordered, 1):
        first.setdefault(total, number)
    return [first[total] for total in totals]


def percentiles(values, steps: dict[int, float] | None = None) -> list[float]:
    """Each value's `round(100.0 * percent_rank() OVER (ORDER BY value), 1)`, as SQLite
    computes it: ties share the lowest rank, one value is at 0. `steps` keeps each rank's
    percentile for other lists of the same length."""
    last = len(values) - 1
    if last < 1:
        return [0.0] * len(values)
    steps = {} if steps is None else steps
    ordered = sorted(values)
    shown = {}
    for value in set(values):
        rank = bisect_left(ordered, value)
        percentile = steps.get(rank)
        if percentile is None:
            percentile = steps[rank] = sql_round(100.0 * (rank / last), 1)
        shown[value] = percentile
    return [shown[value] for value in values]


def sql_round(value: float, digits: int) -> float:
    """SQLite's `round(value, digits)`: half away from zero on the value's 15 significant
    digits (Python's `round` goes half to even on the binary value: 80.05 → 80.0)."""
    scale = 10 ** digits
    scaled = abs(value) * scale
    if abs(scaled - int(scaled) - 0.5) > 1e-6:  # not near a half: no digit is in doubt
        return math.copysign(math.floor(scaled + 0.5) / scale, value)
    exact = Decimal(f"{value:.15g}").quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return float(exact)
