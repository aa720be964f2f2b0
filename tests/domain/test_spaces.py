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


@pytest.mark.parametrize("typed,area", [("25", 25.0), (" 12.5 ", 12.5), ("", None), (None, None),
                                        (30, 30.0)])
def test_an_area_is_cleaned(typed, area):
    from incubator.domain.spaces import clean_area

    assert clean_area(typed) == area


@pytest.mark.parametrize("typed", ["0", "-3", "10001", "nan", "inf", "三十", "1e999"])
def test_an_area_out_of_range_or_not_a_number_is_refused(typed):
    from incubator.domain.spaces import clean_area

    with pytest.raises(DomainError) as refused:
        clean_area(typed)
    assert str(refused.value).startswith("Area")


@pytest.mark.parametrize("typed", ["0", "1001", "2.5", "四"])
def test_a_capacity_must_be_a_whole_number_of_seats(typed):
    from incubator.domain.spaces import clean_capacity

    with pytest.raises(DomainError):
        clean_capacity(typed)


def test_retiring_is_refused_when_retired_or_allocated_and_names_the_occupant():
    from incubator.domain.spaces import check_not_retired, check_retire

    check_retire("201室", None, [], D(2026, 11, 15))
    with pytest.raises(DomainError) as refused:
        check_retire("201室", None, [("书画社", D(2026, 1, 1), None)], D(2026, 11, 15))
    assert "书画社" in str(refused.value)
    with pytest.raises(DomainError):
        check_retire("201室", D(2026, 10, 1), [], D(2026, 11, 15))
    check_not_retired("201室", D(2026, 10, 1), D(2026, 9, 30))   # ended before: fine
    for end in (D(2026, 10, 1), None):
        with pytest.raises(DomainError):
            check_not_retired("201室", D(2026, 10, 1), end)
