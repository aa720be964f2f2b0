"""Monthly scores."""

from __future__ import annotations

import json

from .base import RESIDENT_SQL, Row, rows, where


def scores(db, *, month: str | None = None, org_id: str | None = None) -> list[Row]:
    clause, params = where(("s.month = ?", [month] if month else None),
                           ("s.org_id = ?", [org_id] if org_id else None))
    found = rows(db, f"""
        SELECT s.org_id, o.name AS org_name, s.month, s.total, s.max_total, s.score10,
          s.rubric_from, s.items, s.note
        FROM scores s JOIN organizations o ON o.id = s.org_id
        {clause} ORDER BY s.month DESC, o.sort_key, o.id""", params)
    for row in found:
        row["items"] = json.loads(row["items"])
    return found


def year_scores10(db, org_id: str, year: int) -> list[float]:
    """An organization's monthly scores (out of 10) in `year`."""
    return [row[0] for row in db.execute(
        "SELECT score10 FROM scores WHERE org_id = ? AND month LIKE ?", (org_id, f"{year}-%"))]


def missing_scores(db, month: str) -> list[Row]:
    """Resident organizations with no score for `month` that were resident then."""
    return rows(db, f"""
        SELECT o.id, o.name, h.name AS hub FROM organizations o
        LEFT JOIN hubs h ON h.id = o.hub_id
        WHERE o.stage IN ({RESIDENT_SQL}) AND substr(o.entered, 1, 7) <= ?
          AND NOT EXISTS (SELECT 1 FROM scores s WHERE s.org_id = o.id AND s.month = ?)
        ORDER BY h.sort_key, h.id, o.sort_key, o.id""", (month, month))
