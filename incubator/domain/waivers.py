"""Fee waivers (减免) and the service-for-rent ledger (以服务换租金).

Rent-free (免租金) waives the whole rent; low rent (低租金) records the rent charged and
the standard rent, and waives the difference. A waiver may end early (`ended_on`, the
first day without it, like `space release --on`); exit and graduation end every waiver
of the organization on their date.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import DomainError
from .models import WaiverKind
from .months import month_add, month_of, month_range

MAX_MONTHLY_VALUE = 1_000_000
MAX_HOURS = 744  # every hour of a 31-day month


@dataclass(frozen=True)
class LedgerRow:
    """One month of hours owed against hours delivered.

    `carried_in` is the surplus of earlier months counted towards this one (only when
    surplus carries over); `surplus` is what this month leaves over (carried on, or not
    counted)."""

    month: str
    owed: float
    delivered: float
    shortfall: float
    surplus: float = 0.0
    carried_in: float = 0.0


@dataclass(frozen=True)
class LedgerTotals:
    owed: float
    delivered: float
    shortfall: float
    surplus: float


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate_hours(hours: float) -> None:
    """Service hours logged for one month: finite, 0 to every hour of a 31-day month."""
    if not _finite(hours) or not 0 <= hours <= MAX_HOURS:
        raise DomainError("Hours {value} are out of range 0–{maximum}", value=hours,
                          maximum=MAX_HOURS)


def check_yuan(value: object) -> None:
    """An amount in yuan per month: finite, 0 to `MAX_MONTHLY_VALUE`."""
    if not _finite(value) or not 0 <= value <= MAX_MONTHLY_VALUE:
        raise DomainError("Monthly value {value} yuan is out of range", value=value)


def waiver_value(kind: WaiverKind, monthly_value: float | None, rent_charged: float | None,
                 standard_rent: float | None) -> float:
    """The yuan waived per month: given, or for low rent the standard rent less the rent
    charged (a value given as well must agree)."""
    if kind != WaiverKind.LOW_RENT:
        if rent_charged is not None or standard_rent is not None:
            raise DomainError("Only a low-rent waiver records the rent charged and the "
                              "standard rent")
        if monthly_value is None:
            raise DomainError("The waiver needs its value per month in yuan")
        check_yuan(monthly_value)
        return float(monthly_value)
    if rent_charged is None or standard_rent is None:
        raise DomainError("A low-rent waiver needs the rent charged and the standard rent")
    check_yuan(rent_charged)
    check_yuan(standard_rent)
    if not rent_charged < standard_rent:
        raise DomainError("The rent charged ({charged}) must be below the standard rent "
                          "({standard})", charged=rent_charged, standard=standard_rent)
    value = round(standard_rent - rent_charged, 2)
    if monthly_value is not None and abs(monthly_value - value) > 0.005:
        raise DomainError("The value per month of a low-rent waiver is the standard rent "
                          "less the rent charged ({value})", value=value)
    return value


def validate_waiver(kind: WaiverKind, start: date, end: date, monthly_value: float,
                    hours_per_month: float | None) -> None:
    """Refuse a waiver whose period, value or hours make no sense for its kind."""
    if end < start:
        raise DomainError("The waiver ends ({end}) before it starts ({start})",
                          end=end.isoformat(), start=start.isoformat())
    check_yuan(monthly_value)
    if kind == WaiverKind.SERVICE_FOR_RENT:
        if hours_per_month is None or not _finite(hours_per_month) or \
                not 0 < hours_per_month <= MAX_HOURS:
            raise DomainError("Service for rent needs hours per month between 0 and {maximum}",
                              maximum=MAX_HOURS)
    elif hours_per_month is not None:
        raise DomainError("Only service-for-rent waivers owe hours")


def last_day(end: date, ended_on: date | None) -> date:
    """The last day a waiver is in force (before `start` when it was ended before it began)."""
    return min(end, ended_on - timedelta(days=1)) if ended_on else end


def check_not_ended(ended_on: date | None) -> None:
    """Refuse ending a waiver again."""
    if ended_on is not None:
        raise DomainError("The waiver already ended on {date}", date=ended_on.isoformat())


def check_end(start: date, end: date, ended_on: date | None, on: date) -> None:
    """Refuse ending a waiver that already ended, or on a day after its last day."""
    check_not_ended(ended_on)
    if on > end:
        raise DomainError("The waiver runs only to {end}: nothing to end on {date}",
                          end=end.isoformat(), date=on.isoformat())


def service_ledger(start: date, end: date, hours_per_month: float,
                   delivered: Mapping[str, float], today: date,
                   carries_over: Callable[[str], bool] = lambda month: False) -> list[LedgerRow]:
    """Owed against delivered, month by month, up to the last complete month.

    A month counts from the waiver's first month to its last, before today's month; the
    full monthly hours are owed even in a first or last month the waiver only partly covers.
    When `carries_over(month)` is true, that month's surplus counts towards later months.
    """
    last = min(month_of(end), month_add(month_of(today), -1))
    rows, credit = [], 0.0
    for month in month_range(month_of(start), last):
        done = float(delivered.get(month, 0.0))
        counted = done + credit
        shortfall = max(0.0, hours_per_month - counted)
        surplus = max(0.0, counted - hours_per_month)
        rows.append(LedgerRow(month, hours_per_month, done, shortfall, surplus, credit))
        credit = surplus if carries_over(month) else 0.0
    return rows


def ledger_totals(rows: list[LedgerRow]) -> LedgerTotals:
    """Totals that add up: owed − delivered = shortfall − surplus.

    The surplus counted is what no month used: each month's surplus when it does not carry
    over, only the surplus still carried at the end when it does."""
    surplus = sum(row.surplus for row in rows) - sum(row.carried_in for row in rows)
    return LedgerTotals(sum(r.owed for r in rows), sum(r.delivered for r in rows),
                        sum(r.shortfall for r in rows), round(surplus, 6) + 0.0)


def expiry_window(today: date, days: int) -> tuple[date, date]:
    """The first and last end date of a waiver that ends today or within `days` days."""
    return today, today + timedelta(days=days)
