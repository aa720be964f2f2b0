"""Hubs, their spaces and who uses them."""

from __future__ import annotations

from datetime import date

from .base import RESIDENT_SQL, Row, rows, where


def hubs(db, today: date) -> list[Row]:
    """Hubs with resident counts and occupancy on `today`."""
    day = today.isoformat()
    return rows(db, f"""
        SELECT h.id, h.name, h.category,
          (SELECT count(*) FROM organizations o WHERE o.hub_id = h.id
             AND o.stage IN ({RESIDENT_SQL})) AS residents,
          (SELECT count(*) FROM spaces s WHERE s.hub_id = h.id
             AND (s.retired_on IS NULL OR s.retired_on > ?)) AS spaces,
          (SELECT count(DISTINCT a.space_id) FROM allocations a WHERE a.hub_id = h.id
             AND a.start <= ? AND (a.end IS NULL OR a.end >= ?)) AS occupied
        FROM hubs h ORDER BY h.sort_key, h.id""", (day, day, day))


def hub_options(db) -> list[tuple[str, str]]:
    """(name, id) of every hub, for pickers."""
    return [(row["name"], row["id"]) for row in db.query(
        "SELECT id, name FROM hubs ORDER BY sort_key, id")]


def spaces(db, today: date, hub_id: str | None = None, *, retired: bool = False) -> list[Row]:
    """The spaces (of one hub) with today's occupant; those retired by today only with
    `retired`."""
    day = today.isoformat()
    clause, params = where(("s.hub_id = ?", [hub_id] if hub_id else None),
                           ("(s.retired_on IS NULL OR s.retired_on > ?)",
                            None if retired else [day]))
    return rows(db, f"""
        SELECT s.id, s.hub_id, h.name AS hub, s.name, s.kind, s.area, s.capacity,
          s.retired_on, a.org_id, o.name AS org_name, a.start, a.end
        FROM spaces s JOIN hubs h ON h.id = s.hub_id
        LEFT JOIN allocations a ON a.space_id = s.id AND a.start <= ?
             AND (a.end IS NULL OR a.end >= ?)
        LEFT JOIN organizations o ON o.id = a.org_id
        {clause} ORDER BY h.sort_key, h.id, s.sort_key, s.id""", [day, day, *params])


def space_periods(db, space_id: str) -> list[Row]:
    """Every allocation period of a space (start, end)."""
    return rows(db, "SELECT start, end FROM allocations WHERE space_id = ?", [space_id])


def allocations_from(db, *, space_id: str | None = None, org_id: str | None = None,
                     day: date) -> list[Row]:
    """Allocations of a space or an organization that still run on `day` or start later."""
    column, wanted = ("space_id", space_id) if space_id else ("org_id", org_id)
    return rows(db, f"SELECT id, hub_id, org_id, start, end FROM allocations WHERE {column} = ?"
                    " AND (end IS NULL OR end >= ?)", [wanted, day.isoformat()])


def org_allocations(db, org_id: str) -> list[Row]:
    """The spaces an organization has used, newest first."""
    return rows(db, "SELECT a.space_id, s.name, a.start, a.end FROM allocations a"
                    " JOIN spaces s ON s.id = a.space_id WHERE a.org_id = ?"
                    " ORDER BY a.start DESC", [org_id])
