"""Fee waivers and the service-for-rent ledger."""

from datetime import date

import pytest

from incubator.domain.errors import DomainError
from incubator.domain.models import WaiverKind
from incubator.domain.waivers import (
    LedgerRow, expiry_window, service_ledger, validate_hours, validate_waiver,
)

D = date
MAY, JUNE = D(2026, 5, 1), D(2026, 6, 30)


@pytest.mark.parametrize("kind,start,end,value,hours", [
    (WaiverKind.RENT, MAY, JUNE, 1200, None),
    (WaiverKind.RENT, MAY, MAY, 0, None),                        # one day, free of value
    (WaiverKind.UTILITIES, MAY, JUNE, 1_000_000, None),
    (WaiverKind.SERVICE_FOR_RENT, MAY, JUNE, 800, 20),
    (WaiverKind.SERVICE_FOR_RENT, MAY, JUNE, 800, 744),
    (WaiverKind.SERVICE_FOR_RENT, MAY, JUNE, 800, 0.5),
])
def test_validate_waiver_accepts(kind, start, end, value, hours):
    validate_waiver(kind, start, end, value, hours)


@pytest.mark.parametrize("kind,start,end,value,hours", [
    (WaiverKind.RENT, MAY, D(2026, 4, 30), 100, None),            # ends before it starts
    (WaiverKind.RENT, MAY, JUNE, -1, None),
    (WaiverKind.RENT, MAY, JUNE, 1_000_000.01, None),
    (WaiverKind.RENT, MAY, JUNE, float("inf"), None),
    (WaiverKind.RENT, MAY, JUNE, float("nan"), None),
    (WaiverKind.RENT, MAY, JUNE, "100", None),
    (WaiverKind.RENT, MAY, JUNE, 100, 10),                        # only service owes hours
    (WaiverKind.UTILITIES, MAY, JUNE, 100, 0),
    (WaiverKind.SERVICE_FOR_RENT, MAY, JUNE, 100, None),
    (WaiverKind.SERVICE_FOR_RENT, MAY, JUNE, 100, 0),
    (WaiverKind.SERVICE_FOR_RENT, MAY, JUNE, 100, -5),
    (WaiverKind.SERVICE_FOR_RENT, MAY, JUNE, 100, 744.5),
    (WaiverKind.SERVICE_FOR_RENT, MAY, JUNE, 100, float("nan")),
])
def test_validate_waiver_refuses(kind, start, end, value, hours):
    with pytest.raises(DomainError):
        validate_waiver(kind, start, end, value, hours)


@pytest.mark.parametrize("hours,ok", [
    (0, True), (12.5, True), (744, True), (744.1, False), (-1, False), (float("inf"), False),
    (float("nan"), False), (True, False), ("3", False),
])
def test_validate_hours(hours, ok):
    if ok:
        validate_hours(hours)
    else:
        with pytest.raises(DomainError):
            validate_hours(hours)


@pytest.mark.parametrize("start,end,delivered,today,rows", [
    # today mid-November: October is the last complete month
    (D(2026, 8, 15), D(2026, 12, 31), {"2026-08": 20, "2026-09": 12}, D(2026, 11, 15),
     [("2026-08", 20, 20, 0), ("2026-09", 20, 12, 8), ("2026-10", 20, 0, 20)]),
    # over-delivery is no negative shortfall
    (D(2026, 8, 1), D(2026, 8, 31), {"2026-08": 25}, D(2026, 11, 15), [("2026-08", 20, 25, 0)]),
    # the waiver ended before today: stops at its last month
    (D(2026, 8, 1), D(2026, 9, 10), {}, D(2026, 11, 15),
     [("2026-08", 20, 0, 20), ("2026-09", 20, 0, 20)]),
    # started this month: nothing complete yet
    (D(2026, 11, 1), D(2027, 3, 31), {"2026-11": 5}, D(2026, 11, 15), []),
    # across the new year, on the first day of a month
    (D(2026, 12, 1), D(2027, 6, 30), {"2027-01": 19.5}, D(2027, 2, 1),
     [("2026-12", 20, 0, 20), ("2027-01", 20, 19.5, 0.5)]),
])
def test_service_ledger(start, end, delivered, today, rows):
    assert service_ledger(start, end, 20, delivered, today) == [LedgerRow(*row) for row in rows]


@pytest.mark.parametrize("end,within", [
    (D(2026, 11, 15), True),     # ends today
    (D(2026, 12, 15), True),     # exactly 30 days on
    (D(2026, 12, 16), False),
    (D(2026, 11, 14), False),    # already ended
])
def test_expiry_window(end, within):
    first, last = expiry_window(D(2026, 11, 15), 30)
    assert (first <= end <= last) is within


def test_expiry_window_of_zero_days_is_today_only():
    assert expiry_window(D(2026, 11, 15), 0) == (D(2026, 11, 15), D(2026, 11, 15))
