"""Fee waivers and the service-for-rent ledger."""

from __future__ import annotations

from datetime import date

from ...domain import waivers as waiver_rules
from ...domain.models import WaiverKind
from ...domain.months import parse_date
from .base import Row, rows, value, where


def waivers(db, today: date, *, expiring_within: int | None = None,
            org_id: str | None = None) -> list[Row]:
    window = (waiver_rules.expiry_window(today, expiring_within)
              if expiring_within is not None else None)
    clause, params = where(
        ("w.end >= ? AND w.end <= ?", [d.isoformat() for d in window] if window else None),
        ("w.org_id = ?", [org_id] if org_id else None))
    return rows(db, f"""
        SELECT w.id, w.org_id, o.name AS org_name, h.name AS hub, w.kind, w.start, w.end,
          w.monthly_value, w.hours_per_month, w.approved_by
        FROM waivers w JOIN organizations o ON o.id = w.org_id
        LEFT JOIN hubs h ON h.id = o.hub_id
        {clause} ORDER BY w.end, o.name""", params)


def orgs_with_waiver(db, day: date) -> set[str]:
    """Organizations with a waiver in force on `day`."""
    return {row[0] for row in db.execute(
        "SELECT org_id FROM waivers WHERE start <= ? AND end >= ?",
        [day.isoformat(), day.isoformat()])}


def monthly_totals(db, day: date) -> dict[str, dict[str, float]]:
    """Hub name → waiver kind → monthly value of the waivers in force on `day`."""
    totals: dict[str, dict[str, float]] = {}
    for row in db.query(
            "SELECT h.name AS hub, w.kind, sum(w.monthly_value) AS value FROM waivers w "
            "JOIN organizations o ON o.id = w.org_id JOIN hubs h ON h.id = o.hub_id "
            "WHERE w.start <= ? AND w.end >= ? GROUP BY h.name, w.kind",
            [day.isoformat(), day.isoformat()]):
        totals.setdefault(row["hub"], {})[row["kind"]] = row["value"]
    return totals


def service_waiver_covers(db, org_id: str, month: str) -> bool:
    """Whether a service-for-rent waiver of the organization covers `month`."""
    return value(db, "SELECT 1 FROM waivers WHERE org_id = ? AND kind = ?"
                     " AND substr(start, 1, 7) <= ? AND substr(end, 1, 7) >= ?",
                 (org_id, WaiverKind.SERVICE_FOR_RENT.value, month, month)) is not None


def service_ledger(db, today: date, org_id: str | None = None) -> list[Row]:
    """Hours owed against hours delivered for every service-for-rent waiver."""
    delivered_by_org: dict[str, dict[str, float]] = {}
    clause, params = where(("org_id = ?", [org_id] if org_id else None))
    for r in db.query(f"SELECT org_id, month, hours FROM service_hours {clause}", params):
        delivered_by_org.setdefault(r["org_id"], {})[r["month"]] = r["hours"]
    out = []
    for waiver in waivers(db, today, org_id=org_id):
        if waiver["kind"] != WaiverKind.SERVICE_FOR_RENT:
            continue
        delivered = delivered_by_org.get(waiver["org_id"], {})
        months = waiver_rules.service_ledger(
            parse_date(waiver["start"]), parse_date(waiver["end"]),
            waiver["hours_per_month"] or 0, delivered, today)
        out.append({**waiver,
                    "owed": sum(r.owed for r in months),
                    "delivered": sum(r.delivered for r in months),
                    "shortfall": sum(r.shortfall for r in months),
                    "months": [r.__dict__ for r in months]})
    return out
