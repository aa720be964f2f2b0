"""Fee waivers and the service-for-rent ledger.

A waiver is in force from `start` to `last_day` (its end, or the day before it was ended
early, by `waiver end`, an exit or a graduation). Dashboards, totals and the ledger count
only the waivers of resident organizations.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from ...domain import waivers as waiver_rules
from ...domain.errors import DomainError
from ...domain.models import WaiverKind
from ...domain.months import parse_date
from .base import RESIDENT_SQL, Row, rows, value, where
from .network import settings_timeline
from .rounds import timebank_hours

WAIVER_COLUMNS = """w.id, w.org_id, o.name AS org_name, h.name AS hub, w.kind, w.start, w.end,
    w.last_day, w.monthly_value, w.rent_charged, w.standard_rent, w.hours_per_month,
    w.approved_by, w.ended_on, w.end_reason, w.timebank"""


def waivers(db, today: date, *, expiring_within: int | None = None,
            org_id: str | None = None, residents: bool = False,
            hub_id: str | None = None) -> list[Row]:
    """Waivers (of one organization; of one hub's organizations; of residents only; only
    those in force that end within `expiring_within` days), by last day."""
    window = (waiver_rules.expiry_window(today, expiring_within)
              if expiring_within is not None else None)
    clause, params = where(
        ("w.last_day >= ? AND w.last_day <= ? AND w.start <= w.last_day",
         [d.isoformat() for d in window] if window else None),
        ("w.org_id = ?", [org_id] if org_id else None),
        ("o.hub_id = ?", [hub_id] if hub_id else None),
        (f"o.stage IN ({RESIDENT_SQL})", [] if residents or window else None))
    return rows(db, f"""
        SELECT {WAIVER_COLUMNS}
        FROM waivers w JOIN organizations o ON o.id = w.org_id
        LEFT JOIN hubs h ON h.id = o.hub_id
        {clause} ORDER BY w.last_day, o.sort_key, w.kind, w.start, w.id""", params)


def resolve_waiver(db, text: str) -> Row:
    """A waiver by its id or an unambiguous id prefix."""
    wanted = (text or "").strip().lower().replace("%", "").replace("_", "")
    found = rows(db, "SELECT id, org_id, kind, start, end, ended_on FROM waivers"
                     " WHERE id = ? OR id LIKE ? LIMIT 6", [wanted, wanted + "%"]) if wanted else []
    exact = [row for row in found if row["id"] == wanted]
    if len(exact) == 1 or len(found) == 1:
        return (exact or found)[0]
    if found:
        raise DomainError("{value} matches several: {matches}", value=text,
                          matches=", ".join(row["id"] for row in found))
    raise DomainError("Unknown waiver: {value}", value=text)


def orgs_with_waiver(db, day: date) -> set[str]:
    """Resident organizations with a waiver in force on `day`."""
    return {row[0] for row in db.execute(
        f"SELECT w.org_id FROM waivers w JOIN organizations o ON o.id = w.org_id"
        f" WHERE w.start <= ? AND w.last_day >= ? AND o.stage IN ({RESIDENT_SQL})",
        [day.isoformat(), day.isoformat()])}


def monthly_totals(db, day: date) -> dict[str, dict[str, float]]:
    """Hub name → waiver kind → monthly value of the residents' waivers in force on `day`;
    hubs in pinyin order."""
    totals: dict[str, dict[str, float]] = {}
    for row in db.query(
            "SELECT h.name AS hub, w.kind, sum(w.monthly_value) AS value FROM waivers w "
            "JOIN organizations o ON o.id = w.org_id JOIN hubs h ON h.id = o.hub_id "
            f"WHERE w.start <= ? AND w.last_day >= ? AND o.stage IN ({RESIDENT_SQL}) "
            "GROUP BY h.id, w.kind ORDER BY h.sort_key, h.id, w.kind",
            [day.isoformat(), day.isoformat()]):
        totals.setdefault(row["hub"], {})[row["kind"]] = row["value"]
    return totals


def service_waiver_covers(db, org_id: str, month: str) -> bool:
    """Whether a service-for-rent waiver of the organization is in force in `month`."""
    return value(db, "SELECT 1 FROM waivers WHERE org_id = ? AND kind = ?"
                     " AND substr(start, 1, 7) <= ? AND substr(last_day, 1, 7) >= ?"
                     " AND start <= last_day",
                 (org_id, WaiverKind.SERVICE_FOR_RENT.value, month, month)) is not None


def service_hours_logged(db, org_id: str, month: str) -> float | None:
    """The service hours logged for the organization's `month`, if any."""
    return value(db, "SELECT hours FROM service_hours WHERE org_id = ? AND month = ?",
                 (org_id, month))


def service_org_options(db) -> list[tuple[str, str]]:
    """(name, id) of the resident organizations with a service-for-rent waiver, for pickers."""
    return [(row["name"], row["id"]) for row in db.query(f"""
        SELECT DISTINCT o.id, o.name FROM organizations o JOIN waivers w ON w.org_id = o.id
        WHERE w.kind = ? AND o.stage IN ({RESIDENT_SQL}) ORDER BY o.sort_key, o.id""",
        [WaiverKind.SERVICE_FOR_RENT.value])]


def service_ledger(db, today: date, org_id: str | None = None,
                   hub_id: str | None = None, months: bool = True) -> list[Row]:
    """Hours owed against hours delivered, month by month, for every service-for-rent
    waiver of a resident organization (of one hub), with totals that add up
    (owed − delivered = shortfall − surplus). Hours delivered are those logged plus, when
    the waiver says so (`timebank`), the time-bank hours its volunteers deposited through
    the organization that month (`from_timebank`: how many of them). `months=False`
    leaves the months out (an empty list): only the totals."""
    delivered_by_org: dict[str, dict[str, float]] = {}
    clause, params = where(("org_id = ?", [org_id] if org_id else None))
    for r in db.query(f"SELECT org_id, month, hours FROM service_hours {clause}", params):
        delivered_by_org.setdefault(r["org_id"], {})[r["month"]] = r["hours"]
    banked = timebank_hours(db, org_id)
    timeline = settings_timeline(db)
    out = []
    for waiver in waivers(db, today, org_id=org_id, residents=True, hub_id=hub_id):
        if waiver["kind"] != WaiverKind.SERVICE_FOR_RENT or waiver["start"] > waiver["last_day"]:
            continue
        logged = delivered_by_org.get(waiver["org_id"], {})
        extra = banked.get(waiver["org_id"], {}) if waiver["timebank"] else {}
        delivered = {month: logged.get(month, 0.0) + extra.get(month, 0.0)
                     for month in {*logged, *extra}}
        ledger = waiver_rules.service_ledger(
            parse_date(waiver["start"]), parse_date(waiver["last_day"]),
            waiver["hours_per_month"] or 0, delivered, today,
            lambda month: timeline.at(month).service_surplus_carries_over)
        totals = waiver_rules.ledger_totals(ledger)
        counted = {row.month for row in ledger}
        out.append({**waiver, **asdict(totals),
                    "months": [asdict(r) for r in ledger] if months else [],
                    "from_timebank": sum(h for m, h in extra.items() if m in counted)})
    return out
