"""Months as `YYYY-MM` strings, dates as ISO dates, and the arithmetic between them.

Parsing strips surrounding blanks (people type them) but is otherwise strict: ASCII
digits only, years 1900–2999 for months and dates alike, so every month a date falls
in is itself a valid month and months compare correctly as strings.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from .errors import DomainError

FIRST_YEAR, LAST_YEAR = 1900, 2999
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_month(text: object) -> str:
    """A strict `YYYY-MM` month."""
    match = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR or not 1 <= int(match[2]) <= 12:
        raise DomainError("Malformed month {value}: expected YYYY-MM", value=str(text)[:40])
    return match[0]


def parse_date(text: object) -> date:
    """A strict ISO date `YYYY-MM-DD` (no week dates, no compact form)."""
    match = _DATE.fullmatch(text.strip()) if isinstance(text, str) else None
    try:
        if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            raise ValueError
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise DomainError("Malformed date {value}: expected YYYY-MM-DD",
                          value=str(text)[:40]) from None


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_index(month: str) -> int:
    """Months since year 0 (year × 12 + month − 1): differences are months apart."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1



def month_add(month: str, n: int) -> str:
    year, index = divmod(month_index(month) + n, 12)
    return f"{year:04d}-{index + 1:02d}"


def month_diff(a: str, b: str) -> int:
    """How many months from `a` to `b` (negative when `b` is earlier)."""
    return month_index(b) - month_index(a)


def month_range(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included; empty when `last` is earlier."""
    return [month_add(first, n) for n in range(month_diff(first, last) + 1)]


def month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, calendar.monthrange(year, number)[1])


def check_not_future(month: str, today: date) -> None:
    """Refuse months after the current one; the current month is allowed."""
    if month_diff(month_of(today), month) > 0:
        raise DomainError("Month {month} is in the future", month=month)


def check_scoreable(month: str, today: date, opens_day: int) -> None:
    """Refuse a month that may not be scored yet: a future one, or the current one before
    its `opens_day` (a score judges a month's work, which its first days do not show)."""
    check_not_future(month, today)
    if month == month_of(today) and today.day < opens_day:
        raise DomainError("{month} may be scored from {date} on", month=month,
                          date=month_start(month).replace(day=opens_day).isoformat())


def add_months(day: date, n: int) -> date:
    """The same day `n` months later, clamped to the month's end (Jan 31 + 1 → Feb 28/29)."""
    month = month_add(month_of(day), n)
    return month_start(month).replace(day=min(day.day, month_end(month).day))


def full_months_between(start: date, end: date) -> int:
    """Whole months of residence from `start` to `end`.

    A month is complete on the same day of a later month, clamped to that month's end
    (entered 03-15: complete on 04-15; entered 01-31: complete on 02-28 or 02-29).
    A span that runs backwards is 0.
    """
    months = month_diff(month_of(start), month_of(end))
    if months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)
