"""Rooms, desks and shared spaces: their measures, allocations over periods, retirement.

A retired space (`retired_on`, the first day it is no longer there, like `space release
--on`) leaves the room map and the counts from that day; its past allocations stay.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from .errors import DomainError


def periods_overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Inclusive periods; None is open-ended."""
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def check_allocation(existing: Sequence[tuple[date, date | None]], start: date,
                     end: date | None, space: str = "") -> None:
    """Refuse a period that ends before it starts or overlaps an existing allocation."""
    if end is not None and end < start:
        raise DomainError("The allocation ends ({end}) before it starts ({start})",
                          end=end.isoformat(), start=start.isoformat())
    for other_start, other_end in existing:
        if periods_overlap(other_start, other_end, start, end):
            raise DomainError("Space {space} is already allocated from {start} to {end}",
                              space=space, start=other_start.isoformat(),
                              end=other_end.isoformat() if other_end else "-")


MAX_AREA = 10000  # m²
MAX_CAPACITY = 1000  # seats


def clean_area(value: object) -> float | None:
    """A space's area in m² (0 < area ≤ 10,000); empty means not recorded."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        area = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError("Area {value} is not a number of m²", value=str(value)[:40]) from None
    if not math.isfinite(area) or not 0 < area <= MAX_AREA:
        raise DomainError("Area {value} m² is out of range", value=str(value)[:40])
    return area


def clean_capacity(value: object) -> int | None:
    """A space's seats (1–1,000, a whole number); empty means not recorded."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        seats = int(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError("Capacity {value} is not a whole number of seats",
                          value=str(value)[:40]) from None
    if not 0 < seats <= MAX_CAPACITY:
        raise DomainError("Capacity {value} is out of range", value=seats)
    return seats


def check_retire(name: str, retired_on: date | None,
                 in_use: Sequence[tuple[str, date, date | None]], day: date) -> None:
    """Refuse retiring a space already retired, or one allocated (`in_use`: occupant,
    start, end of each allocation that runs on `day` or starts later)."""
    if retired_on is not None:
        raise DomainError("Space {space} was retired already on {date}", space=name,
                          date=retired_on.isoformat())
    if in_use:
        occupant, start, end = in_use[0]
        raise DomainError("Space {space} is allocated to {org} from {start} to {end}: "
                          "release it first (from {date})", space=name, org=occupant,
                          start=start.isoformat(), end=end.isoformat() if end else "-",
                          date=day.isoformat())


def check_not_retired(name: str, retired_on: date | None, end: date | None) -> None:
    """Refuse an allocation that would run on or after the space's retirement."""
    if retired_on is not None and (end is None or end >= retired_on):
        raise DomainError("Space {space} is retired from {date}", space=name,
                          date=retired_on.isoformat())
