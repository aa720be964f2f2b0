"""The figures behind the app's charts: scores, stars and occupancy per hub over time."""

from __future__ import annotations

import json

from ...domain.months import month_end, month_start
from .base import Row, rows


def hub_score_stats(db, hub_id: str, months: list[str]) -> list[Row]:
    """Per month: how many residents of the hub were scored, the average (out of 10) and
    the spread (lowest, highest)."""
    return rows(db, """
        SELECT s.month, count(*) AS scored, round(avg(s.score10), 2) AS average,
          min(s.score10) AS lowest, max(s.score10) AS highest
        FROM scores s JOIN organizations o ON o.id = s.org_id
        WHERE o.hub_id = ? AND s.month IN (SELECT value FROM json_each(?))
        GROUP BY s.month ORDER BY s.month""", [hub_id, json.dumps(months)])


def star_counts(db, year: int) -> list[Row]:
    """Per hub (None: the district register), how many organizations got each star level
    in the year's review."""
    return rows(db, """
        SELECT h.name AS hub, r.stars, count(*) AS organizations
        FROM reviews r JOIN organizations o ON o.id = r.org_id
        LEFT JOIN hubs h ON h.id = o.hub_id
        WHERE r.year = ? GROUP BY 1, 2 ORDER BY h.sort_key IS NULL, h.sort_key, h.id, r.stars DESC""",
                [year])


def review_years(db) -> list[int]:
    """The years that have reviews, newest first."""
    return [row[0] for row in db.execute("SELECT DISTINCT year FROM reviews ORDER BY year DESC")]


def occupancy_by_month(db, months: list[str]) -> list[Row]:
    """Per hub and month: spaces, and spaces allocated on some day of the month."""
    periods = json.dumps([[m, month_start(m).isoformat(), month_end(m).isoformat()]
                          for m in months])
    return rows(db, """
        WITH months AS (SELECT json_extract(value, '$[0]') AS month,
                               json_extract(value, '$[1]') AS first,
                               json_extract(value, '$[2]') AS last FROM json_each(?))
        SELECT h.name AS hub, m.month,
          (SELECT count(*) FROM spaces s WHERE s.hub_id = h.id
             AND (s.retired_on IS NULL OR s.retired_on > m.first)) AS spaces,
          (SELECT count(DISTINCT a.space_id) FROM allocations a WHERE a.hub_id = h.id
             AND a.start <= m.last AND (a.end IS NULL OR a.end >= m.first)) AS occupied
        FROM hubs h, months m ORDER BY h.sort_key, h.id, m.month""", [periods])
