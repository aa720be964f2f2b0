"""Annual reviews."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Row, rows


def reviews(db, year: int, stars: int | None = None) -> list[Row]:
    """The year's reviews (only those rated `stars`), best first."""
    return rows(db, """
        SELECT r.*, o.name AS org_name, h.name AS hub FROM reviews r
        JOIN organizations o ON o.id = r.org_id LEFT JOIN hubs h ON h.id = o.hub_id
        WHERE r.year = ? AND (? IS NULL OR r.stars = ?)
        ORDER BY r.stars DESC, r.composite DESC, o.sort_key, o.id""", (year, stars, stars))


def org_reviews(db, org_id: str) -> list[Row]:
    """An organization's reviews, oldest first."""
    return rows(db, "SELECT year, self, peer, public, party, composite, stars, scale"
                    " FROM reviews WHERE org_id = ? ORDER BY year", [org_id])


def review_of(db, org_id: str, year: int) -> Row | None:
    found = rows(db, "SELECT self, peer, public, party FROM reviews WHERE org_id = ? AND year = ?",
                 [org_id, year])
    return found[0] if found else None


def review_values(row: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a person enters for a review (the three evaluations and party building), as
    compared by a compare-and-set save; {} for no review."""
    if not row:
        return {}
    return {"self": float(row["self"]), "peer": float(row["peer"]),
            "public": float(row["public"]), "party": bool(row["party"])}
