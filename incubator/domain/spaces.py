"""Allocations of rooms, desks and shared spaces over periods."""

from __future__ import annotations

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
