"""Fee waivers and the service-for-rent ledger."""

from datetime import date

import pytest

from incubator.domain.errors import DomainError
from incubator.domain.models import WaiverKind
from incubator.domain.waivers import (
    LedgerRow, LedgerTotals, check_end, expiry_window, last_day, ledger_totals, service_ledger,
    validate_hours, validate_waiver, waiver_value,
)

D = date
MAY, JUNE = D(2026, 5, 1), D(2026, 6, 30)


@pytest.mark.parametrize("kind,start,end,value,hours", [
    (WaiverKind.RENT_FREE, MAY, JUNE, 1200, None),
    (WaiverKind.RENT_FREE, MAY, MAY, 0, None),                        # one day, free of value
    (WaiverKind.UTILITIES, MAY, JUNE, 1_000_000, None),
    (WaiverKind.SERVICE_FOR_RENT, MAY, JUNE, 800, 20),
    (WaiverKind.SERVICE_FOR_RENT, MAY, JUNE, 800, 744),
    (WaiverKind.SERVICE_FOR_RENT, MAY, JUNE, 800, 0.5),
])
def test_validate_waiver_accepts(kind, start, end, value, hours):
    validate_waiver(kind, start, end, value, hours)


@pytest.mark.parametrize("kind,start,end,value,hours", [
    (WaiverKind.RENT_FREE, MAY, D(2026, 4, 30), 100, None),            # ends before it starts
    (WaiverKind.RENT_FREE, MAY, JUNE, -1, None),
    (WaiverKind.RENT_FREE, MAY, JUNE, 1_000_000.01, None),
    (WaiverKind.RENT_FREE, MAY, JUNE, float("inf"), None),
    (WaiverKind.RENT_FREE, MAY, JUNE, float("nan"), None),
    (WaiverKind.RENT_FREE, MAY, JUNE, "100", None),
    (WaiverKind.RENT_FREE, MAY, JUNE, 100, 10),                        # only service owes hours
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
    # over-delivery is no negative shortfall: it is a surplus
    (D(2026, 8, 1), D(2026, 8, 31), {"2026-08": 25}, D(2026, 11, 15),
     [("2026-08", 20, 25, 0, 5)]),
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


@pytest.mark.parametrize("kind,value,charged,standard,expected", [
    (WaiverKind.RENT_FREE, 1200, None, None, 1200.0),
    (WaiverKind.LOW_RENT, None, 500, 1500, 1000.0),        # the difference is waived
    (WaiverKind.LOW_RENT, 1000, 500, 1500, 1000.0),        # given as well, and it agrees
    (WaiverKind.LOW_RENT, None, 0, 1500, 1500.0),
])
def test_the_value_waived(kind, value, charged, standard, expected):
    assert waiver_value(kind, value, charged, standard) == expected


@pytest.mark.parametrize("kind,value,charged,standard", [
    (WaiverKind.RENT_FREE, 1200, 500, 1500),     # rent-free records no rents
    (WaiverKind.RENT_FREE, None, None, None),    # needs its value
    (WaiverKind.LOW_RENT, 1000, None, 1500),     # low rent needs both rents
    (WaiverKind.LOW_RENT, None, 1500, 1500),     # charged must be below the standard
    (WaiverKind.LOW_RENT, None, 1600, 1500),
    (WaiverKind.LOW_RENT, 800, 500, 1500),       # a value that disagrees
    (WaiverKind.LOW_RENT, None, -1, 1500),
    (WaiverKind.LOW_RENT, None, 0, float("inf")),
])
def test_the_value_waived_refuses(kind, value, charged, standard):
    with pytest.raises(DomainError):
        waiver_value(kind, value, charged, standard)


@pytest.mark.parametrize("end,ended_on,last", [
    (JUNE, None, JUNE),
    (JUNE, D(2026, 6, 1), D(2026, 5, 31)),       # ended_on is the first day without it
    (JUNE, D(2026, 7, 15), JUNE),
    (JUNE, MAY, D(2026, 4, 30)),                 # ended before it began: in force nowhere
])
def test_last_day(end, ended_on, last):
    assert last_day(end, ended_on) == last


@pytest.mark.parametrize("ended_on,on,refused", [
    (None, D(2026, 6, 1), False), (None, D(2026, 6, 30), False), (None, MAY, False),
    (None, D(2026, 7, 1), True),                 # after its last day: nothing to end
    (D(2026, 6, 1), D(2026, 5, 20), True),       # already ended
])
def test_check_end(ended_on, on, refused):
    if refused:
        with pytest.raises(DomainError):
            check_end(MAY, JUNE, ended_on, on)
    else:
        check_end(MAY, JUNE, ended_on, on)


DELIVERED = {"2026-05": 30, "2026-06": 10, "2026-07": 20, "2026-08": 5}


@pytest.mark.parametrize("carries,rows,totals", [
    (False, [("2026-05", 20, 30, 0, 10), ("2026-06", 20, 10, 10, 0),
             ("2026-07", 20, 20, 0, 0), ("2026-08", 20, 5, 15, 0)], (80, 65, 25, 10)),
    # the May surplus pays June's shortfall
    (True, [("2026-05", 20, 30, 0, 10), ("2026-06", 20, 10, 0, 0, 10),
            ("2026-07", 20, 20, 0, 0), ("2026-08", 20, 5, 15, 0)], (80, 65, 15, 0)),
])
def test_the_ledger_adds_up_with_or_without_carrying_over(carries, rows, totals):
    ledger = service_ledger(MAY, D(2026, 8, 31), 20, DELIVERED, D(2026, 11, 15),
                            lambda month: carries)
    assert ledger == [LedgerRow(*row) for row in rows]
    total = ledger_totals(ledger)
    assert total == LedgerTotals(*totals)
    assert total.owed - total.delivered == total.shortfall - total.surplus


@pytest.mark.parametrize("delivered", [
    {}, {"2026-05": 50}, {"2026-05": 25, "2026-06": 25, "2026-07": 0, "2026-08": 41.5},
    {"2026-06": 19.5, "2026-08": 700},
])
@pytest.mark.parametrize("carries", [lambda m: False, lambda m: True, lambda m: m < "2026-07"])
def test_owed_less_delivered_is_shortfall_less_surplus(delivered, carries):
    total = ledger_totals(service_ledger(MAY, D(2026, 8, 31), 20, delivered, D(2026, 11, 15),
                                         carries))
    assert total.owed - total.delivered == pytest.approx(total.shortfall - total.surplus)
