"""Fee waivers (减免) and the service-for-rent ledger (以服务换租金)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import DomainError
from .models import WaiverKind
from .months import month_add, month_of, month_range

MAX_MONTHLY_VALUE = 1_000_000
MAX_HOURS = 744  # every hour of a 31-day month


@dataclass(frozen=True)
class LedgerRow:
    month: str
    owed: float
    delivered: float
    shortfall: float


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate_hours(hours: float) -> None:
    """Service hours logged for one month: finite, 0 to every hour of a 31-day month."""
    if not _finite(hours) or not 0 <= hours <= MAX_HOURS:
        raise DomainError("Hours {value} are out of range 0–{maximum}", value=hours,
                          maximum=MAX_HOURS)


def validate_waiver(kind: WaiverKind, start: date, end: date, monthly_value: float,
                    hours_per_month: float | None) -> None:
    """Refuse a waiver whose period, value or hours make no sense for its kind."""
    if end < start:
        raise DomainError("The waiver ends ({end}) before it starts ({start})",
                          end=end.isoformat(), start=start.isoformat())
    if not _finite(monthly_value) or not 0 <= monthly_value <= MAX_MONTHLY_VALUE:
        raise DomainError("Monthly value {value} yuan is out of range", value=monthly_value)
    if kind == WaiverKind.SERVICE_FOR_RENT:
        if hours_per_month is None or not _finite(hours_per_month) or \
                not 0 < hours_per_month <= MAX_HOURS:
            raise DomainError("Service for rent needs hours per month between 0 and {maximum}",
                              maximum=MAX_HOURS)
    elif hours_per_month is not None:
        raise DomainError("Only service-for-rent waivers owe hours")


def service_ledger(start: date, end: date, hours_per_month: float,
                   delivered: Mapping[str, float], today: date) -> list[LedgerRow]:
    """Owed against delivered, month by month, up to the last complete month.

    A month counts from the waiver's first month to its last, before today's month; the
    full monthly hours are owed even in a first or last month the waiver only partly covers.
    """
    last = min(month_of(end), month_add(month_of(today), -1))
    rows = []
    for month in month_range(month_of(start), last):
        done = float(delivered.get(month, 0.0))
        rows.append(LedgerRow(month, hours_per_month, done, max(0.0, hours_per_month - done)))
    return rows


def expiry_window(today: date, days: int) -> tuple[date, date]:
    """The first and last end date of a waiver that ends today or within `days` days."""
    return today, today + timedelta(days=days)
