"""Space allocations: adjacent, overlapping and open-ended periods."""

from datetime import date

import pytest

from incubator.domain.errors import DomainError
from incubator.domain.spaces import check_allocation, periods_overlap

D = date
JAN = (D(2026, 1, 1), D(2026, 1, 31))


@pytest.mark.parametrize("a,b,overlap", [
    (JAN, (D(2026, 2, 1), D(2026, 2, 28)), False),                # adjacent
    (JAN, (D(2026, 1, 31), D(2026, 2, 28)), True),                # share the last day
    (JAN, (D(2026, 1, 10), D(2026, 1, 20)), True),                # inside
    (JAN, JAN, True),
    (JAN, (D(2025, 12, 1), D(2025, 12, 31)), False),              # adjacent before
    ((D(2026, 1, 1), None), (D(2027, 1, 1), D(2027, 2, 1)), True),   # open-ended runs on
    ((D(2026, 3, 1), None), (D(2026, 1, 1), D(2026, 2, 28)), False),
    ((D(2026, 3, 1), None), (D(2026, 1, 1), D(2026, 3, 1)), True),
    ((D(2026, 3, 1), None), (D(2020, 1, 1), None), True),           # both open-ended
    ((D(2026, 5, 5), D(2026, 5, 5)), (D(2026, 5, 5), D(2026, 5, 5)), True),   # one day each
])
def test_periods_overlap(a, b, overlap):
    assert periods_overlap(*a, *b) is overlap
    assert periods_overlap(*b, *a) is overlap


EXISTING = [(D(2026, 1, 1), D(2026, 6, 30)), (D(2026, 9, 1), None)]


@pytest.mark.parametrize("start,end", [
    (D(2026, 7, 1), D(2026, 8, 31)),       # the gap between the two, exactly
    (D(2025, 1, 1), D(2025, 12, 31)),
    (D(2026, 7, 1), D(2026, 7, 1)),
])
def test_check_allocation_accepts(start, end):
    check_allocation(EXISTING, start, end, space="201")


@pytest.mark.parametrize("start,end,conflict", [
    (D(2026, 6, 30), D(2026, 7, 15), ("2026-01-01", "2026-06-30")),
    (D(2026, 7, 1), None, ("2026-09-01", "-")),                  # open-ended runs into Sep
    (D(2026, 8, 1), D(2026, 9, 1), ("2026-09-01", "-")),
    (D(2030, 1, 1), D(2030, 1, 2), ("2026-09-01", "-")),
])
def test_check_allocation_refuses_overlaps(start, end, conflict):
    with pytest.raises(DomainError) as caught:
        check_allocation(EXISTING, start, end, space="201")
    text = caught.value.text
    assert text.message == "Space {space} is already allocated from {start} to {end}"
    assert (text.params["space"], text.params["start"], text.params["end"]) == ("201", *conflict)


def test_check_allocation_refuses_backwards_periods():
    with pytest.raises(DomainError) as caught:
        check_allocation([], D(2026, 7, 1), D(2026, 6, 30), space="201")
    assert caught.value.text.params == {"end": "2026-06-30", "start": "2026-07-01"}
