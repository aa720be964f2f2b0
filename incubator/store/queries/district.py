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
    inlined, it was a fifth slower). The percentiles, totals and positions are then
    computed here, exactly as SQLite's `round(100 * percent_rank(), 1)` and `rank()`
    would (five window sorts in SQL took a third of the time)."""
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
    found = rows(db, f"""
        WITH acts AS MATERIALIZED (
          SELECT a.org_id, sum({recency}) AS weighted,
            sum({recency} * a.person_times) AS weighted_person_times,
            count(DISTINCT a.served) AS places, sum(a.beneficiaries) AS beneficiaries,
            sum(a.person_times) AS person_times, sum(a.hours) AS hours
          FROM activities a INDEXED BY activities_org
          WHERE a.on_date >= :first_day AND a.on_date <= :today
          GROUP BY a.org_id),
        archives AS MATERIALIZED (
          SELECT c.org_id, 100.0 * sum({ARCHIVE_CREDIT_SQL}) / :items_count AS completeness
          FROM archive_checks c WHERE c.item IN (SELECT value FROM json_each(:items))
          GROUP BY c.org_id),
        monthly AS MATERIALIZED (
          SELECT org_id, avg(score10) AS average FROM scores
          WHERE month >= substr(:first_day, 1, 7) GROUP BY org_id),
        honours AS MATERIALIZED (
          SELECT org_id, count(*) AS awards FROM awards
          WHERE year BETWEEN CAST(substr(:first_day, 1, 4) AS INTEGER)
            AND CAST(substr(:today, 1, 4) AS INTEGER) GROUP BY org_id),
        raw AS MATERIALIZED (
          SELECT o.id,
            coalesce(acts.weighted, 0) * {window} / (o.k * {window} - o.k * (o.k - 1) / 2.0)
              AS activity_rate,
            coalesce(acts.weighted_person_times, 0) * {window}
              / (o.k * {window} - o.k * (o.k - 1) / 2.0) AS person_times_rate,
            coalesce(archives.completeness, 0) AS archives,
            coalesce(monthly.average, 0) AS monthly_avg, coalesce(o.stars, 0) AS stars,
            coalesce(acts.places, 0) AS places,
            coalesce(acts.beneficiaries, 0) AS beneficiaries,
            coalesce(acts.person_times, 0) AS person_times, coalesce(acts.hours, 0) AS hours,
            coalesce(honours.awards, 0) AS awards
          FROM (SELECT id, stars, {k} AS k FROM organizations o) o
          LEFT JOIN acts ON acts.org_id = o.id
          LEFT JOIN archives ON archives.org_id = o.id
          LEFT JOIN monthly ON monthly.org_id = o.id
          LEFT JOIN honours ON honours.org_id = o.id),
        means AS MATERIALIZED (SELECT {means} FROM raw)
        SELECT o.id, o.name, o.sort_key, o.hub_id, h.name AS hub, o.town, o.village, o.area,
          {raw_dimensions},
          round(r.activity_rate, 3) AS activity_rate,
          round(r.person_times_rate, 1) AS person_times_rate, round(r.archives, 1) AS archives,
          round(r.monthly_avg, 2) AS monthly_avg, r.stars, r.places, r.beneficiaries,
          r.person_times, r.hours, r.awards
        FROM raw r JOIN means m JOIN organizations o ON o.id = r.id
        LEFT JOIN hubs h ON h.id = o.hub_id""",
                 {"this_index": month_index(this_month), "first_day": first_day,
                  "today": today.isoformat(), "items": json.dumps(items),
                  "items_count": len(items)})
    for name in DIMENSIONS:
        for row, percentile in zip(found, percentiles([row.pop(f"raw_{name}")
                                                       for row in found])):
            row[name] = percentile
    weights = [getattr(config, f"ranking_weight_{name}") for name in DIMENSIONS]
    rounded: dict[float, float] = {}  # many organizations share a sum (0 for zombies)
    for row in found:
        weighted = sum(weight * row[name] for weight, name in zip(weights, DIMENSIONS))
        if weighted not in rounded:
            rounded[weighted] = sql_round(weighted / 100.0, 1)
        row["total"] = rounded[weighted]
    totals = sorted(-row["total"] for row in found)
    for row in found:
        row["position"] = bisect_left(totals, -row["total"]) + 1
    if hub:
        hub_id = resolve_hub(db, hub)
        found = [row for row in found if row["hub_id"] == hub_id]
    if town:
        found = [row for row in found if row["town"] == town.strip()]
    order = RankDimension(dimension).value if dimension else "total"
    found.sort(key=lambda row: (-row[order], -row["total"], row["sort_key"], row["id"]))
    shown = found[:int(top)] if top else found
    for row in shown:
        del row["sort_key"]  # the order's tie break (pinyin), not a figure of the ranking
    return shown


def percentiles(values: list[float]) -> list[float]:
    """Each value's `round(100.0 * percent_rank() OVER (ORDER BY value), 1)`, as SQLite
    computes it: ties share the lowest rank, one value is at 0."""
    last = len(values) - 1
    shown = [0.0] * len(values)
    if last < 1:
        return shown
    rank, previous, percentile = 0, None, 0.0
    for position, index in enumerate(sorted(range(len(values)), key=values.__getitem__)):
        if values[index] != previous:
            rank, previous = position, values[index]
            percentile = sql_round(100.0 * (rank / last), 1)
        shown[index] = percentile
    return shown


def sql_round(value: float, digits: int) -> float:
    """SQLite's `round(value, digits)`: half away from zero on the value's 15 significant
    digits (Python's `round` goes half to even on the binary value: 80.05 → 80.0)."""
    scale = 10 ** digits
    scaled = abs(value) * scale
    if abs(scaled - int(scaled) - 0.5) > 1e-6:  # not near a half: no digit is in doubt
        return math.copysign(math.floor(scaled + 0.5) / scale, value)
    exact = Decimal(f"{value:.15g}").quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return float(exact)
