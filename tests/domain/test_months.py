"""Months and dates: parsing, arithmetic, leap years, residence length."""

from datetime import date

import pytest

from incubator.domain.errors import DomainError
from incubator.domain.months import (
    add_months, check_not_future, full_months_between, month_add, month_diff, month_end,
    month_of, month_range, month_start, parse_date, parse_month,
)

D = date


@pytest.mark.parametrize("text,expected", [
    ("2024-01", "2024-01"), (" 2026-12 ", "2026-12"), ("1900-01", "1900-01"),
    ("2999-12", "2999-12"),
])
def test_parse_month_accepts(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize("text", [
    "2024-13", "2024-00", "2024-1", "24-01", "2024/01", "", "   ", "1899-12", "3000-01",
    "二〇二四-01", "２０２４-０１", "2024-01-01", "2024-01x", "x2024-01", "2024-01\n1",
    None, 202401, 2024.01, ["2024-01"], b"2024-01",
])
def test_parse_month_refuses(text):
    with pytest.raises(DomainError) as caught:
        parse_month(text)
    assert caught.value.text.message == "Malformed month {value}: expected YYYY-MM"


@pytest.mark.parametrize("text,expected", [
    ("2024-02-29", D(2024, 2, 29)), ("2000-02-29", D(2000, 2, 29)),
    (" 2026-11-15 ", D(2026, 11, 15)),
])
def test_parse_date_accepts(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    "2024-02-30", "2023-02-29", "1900-02-29", "2024-2-1", "2024-13-01", "20240229",
    "2024-W01-1", "2024-01-01T00:00", "２０２４-０１-０１", "1899-12-31", "", "today", None,
    D(2024, 1, 1),
])
def test_parse_date_refuses(text):
    with pytest.raises(DomainError) as caught:
        parse_date(text)
    assert caught.value.text.message == "Malformed date {value}: expected YYYY-MM-DD"


@pytest.mark.parametrize("day,month", [(D(2024, 2, 29), "2024-02"), (D(1999, 12, 31), "1999-12")])
def test_month_of(day, month):
    assert month_of(day) == month


@pytest.mark.parametrize("month,n,expected", [
    ("2024-01", 1, "2024-02"), ("2024-12", 1, "2025-01"), ("2024-01", -1, "2023-12"),
    ("2024-06", -18, "2022-12"), ("2024-06", 0, "2024-06"), ("2024-06", 120, "2034-06"),
])
def test_month_add_and_diff(month, n, expected):
    assert month_add(month, n) == expected
    assert month_diff(month, expected) == n
    assert month_diff(expected, month) == -n


@pytest.mark.parametrize("first,last,expected", [
    ("2024-11", "2025-02", ["2024-11", "2024-12", "2025-01", "2025-02"]),
    ("2024-11", "2024-11", ["2024-11"]),
    ("2025-02", "2024-11", []),
])
def test_month_range_is_inclusive_and_empty_when_reversed(first, last, expected):
    assert month_range(first, last) == expected


@pytest.mark.parametrize("month,start,end", [
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29)), ("2023-02", D(2023, 2, 1), D(2023, 2, 28)),
    ("1900-02", D(1900, 2, 1), D(1900, 2, 28)), ("2024-04", D(2024, 4, 1), D(2024, 4, 30)),
    ("2024-12", D(2024, 12, 1), D(2024, 12, 31)),
])
def test_month_start_and_end(month, start, end):
    assert (month_start(month), month_end(month)) == (start, end)


@pytest.mark.parametrize("month,today,future", [
    ("2026-11", D(2026, 11, 1), False),     # the current month is allowed
    ("2026-11", D(2026, 11, 30), False),
    ("2026-10", D(2026, 11, 1), False),
    ("2026-12", D(2026, 11, 30), True),
    ("2027-01", D(2026, 12, 31), True),
])
def test_check_not_future(month, today, future):
    if future:
        with pytest.raises(DomainError, match="in the future"):
            check_not_future(month, today)
    else:
        check_not_future(month, today)


@pytest.mark.parametrize("day,n,expected", [
    (D(2024, 1, 31), 1, D(2024, 2, 29)),     # leap year: clamped to the 29th
    (D(2023, 1, 31), 1, D(2023, 2, 28)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2024, 2, 29), 48, D(2028, 2, 29)),
    (D(2024, 3, 31), -1, D(2024, 2, 29)),
    (D(2024, 3, 15), 1, D(2024, 4, 15)),
    (D(2024, 12, 15), 1, D(2025, 1, 15)),
    (D(2024, 5, 31), 0, D(2024, 5, 31)),
])
def test_add_months_clamps_the_day(day, n, expected):
    assert add_months(day, n) == expected


@pytest.mark.parametrize("start,end,months", [
    (D(2023, 3, 15), D(2024, 3, 14), 11),   # entered mid-month: one day short of a year
    (D(2023, 3, 15), D(2024, 3, 15), 12),
    (D(2023, 3, 15), D(2023, 4, 14), 0),
    (D(2023, 3, 15), D(2023, 4, 15), 1),
    (D(2023, 3, 15), D(2023, 3, 15), 0),
    (D(2024, 2, 29), D(2025, 2, 28), 12),   # leap day: month-end clamping
    (D(2024, 2, 29), D(2025, 2, 27), 11),
    (D(2024, 1, 31), D(2024, 2, 29), 1),
    (D(2024, 1, 31), D(2024, 2, 28), 0),
    (D(2023, 1, 31), D(2023, 2, 28), 1),
    (D(2024, 1, 31), D(2024, 3, 30), 1),
    (D(2024, 5, 1), D(2024, 4, 1), 0),      # a negative span is nothing
    (D(2024, 5, 20), D(2024, 5, 2), 0),
])
def test_full_months_between(start, end, months):
    assert full_months_between(start, end) == months
