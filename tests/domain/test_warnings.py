"""Warning interviews: low streaks, gaps, deadlines, rectification and failure."""

from datetime import date

import pytest

from incubator.domain.settings import Settings
from incubator.domain.warnings import (
    Interview, MonthScore, WarningState, default_deadline, is_open, low_streak, warning_state,
)

S = Settings()
D = date


def scores(*pairs):
    """MonthScores from ("2026-08", 5) pairs."""
    return [MonthScore(month, value) for month, value in pairs]


def low(*months):
    return scores(*[(month, 5.0) for month in months])


@pytest.mark.parametrize("given,streak", [
    (low("2026-08", "2026-09", "2026-10"), ["2026-08", "2026-09", "2026-10"]),   # exactly N
    (low("2026-09", "2026-10"), []),                                             # N-1: no streak
    (low("2026-07", "2026-08", "2026-09", "2026-10"),
     ["2026-07", "2026-08", "2026-09", "2026-10"]),                              # N+1: all of it
    (low("2026-07", "2026-08", "2026-10", "2026-11"), []),                       # a gap breaks it
    (low("2026-06", "2026-07", "2026-08", "2026-10", "2026-11", "2026-12"),
     ["2026-10", "2026-11", "2026-12"]),                                         # after the gap
    (scores(("2026-08", 5), ("2026-09", 6), ("2026-10", 5)), []),                # 6 is not low
    (scores(("2026-08", 5), ("2026-09", 5), ("2026-10", 5.99)),
     ["2026-08", "2026-09", "2026-10"]),
    (low("2026-08", "2026-09", "2026-10") + scores(("2026-11", 8)), []),        # must end at latest
    (low("2025-11", "2025-12", "2026-01"), ["2025-11", "2025-12", "2026-01"]),  # across new year
    (list(reversed(low("2026-08", "2026-09", "2026-10"))),
     ["2026-08", "2026-09", "2026-10"]),                                         # any input order
    ([], []),
])
def test_low_streak(given, streak):
    assert low_streak(given, S) == streak


@pytest.mark.parametrize("settings,given,streak", [
    (Settings(warning_streak_months=2), low("2026-09", "2026-10"), ["2026-09", "2026-10"]),
    (Settings(warning_streak_months=4), low("2026-08", "2026-09", "2026-10"), []),
    (Settings(warning_threshold=7.0), scores(("2026-08", 6.5), ("2026-09", 6), ("2026-10", 6.9)),
     ["2026-08", "2026-09", "2026-10"]),
])
def test_streak_length_and_threshold_are_configurable(settings, given, streak):
    assert low_streak(given, settings) == streak


LOW3 = low("2026-07", "2026-08", "2026-09")
# Called in on 5 October with a deadline of 5 November: November's score decides.
PENDING = Interview("i1", D(2026, 10, 5), D(2026, 11, 5), None)
RECTIFIED = Interview("i1", D(2026, 10, 5), D(2026, 11, 5), "rectified")
EXIT = Interview("i1", D(2026, 10, 5), D(2026, 11, 5), "exit")


@pytest.mark.parametrize("given,interviews,today,status", [
    (scores(("2026-09", 8)), [], D(2026, 11, 15), "ok"),
    ([], [], D(2026, 11, 15), "ok"),
    (low("2026-08", "2026-09"), [], D(2026, 11, 15), "ok"),                       # N-1 months
    (LOW3, [], D(2026, 11, 15), "needs_interview"),
    (LOW3, [PENDING], D(2026, 10, 20), "open"),
    (LOW3, [PENDING], D(2026, 11, 5), "open"),                                    # deadline day
    (LOW3, [PENDING], D(2026, 11, 6), "overdue"),                                 # a day after
    (LOW3 + scores(("2026-10", 4)), [PENDING], D(2026, 11, 15), "overdue"),  # Oct isn't checked
    (LOW3 + scores(("2026-11", 6)), [PENDING], D(2026, 11, 15), "rectified"),    # exactly 6
    (LOW3 + scores(("2026-11", 7)), [PENDING], D(2026, 11, 2), "rectified"),     # before deadline
    (LOW3 + scores(("2026-11", 5.9)), [PENDING], D(2026, 11, 15), "failed"),
    (LOW3 + scores(("2026-11", 4)), [PENDING], D(2026, 11, 2), "failed"),
    (LOW3 + scores(("2026-11", 4)), [RECTIFIED], D(2026, 11, 15), "rectified"),  # outcome wins
    (LOW3, [RECTIFIED], D(2026, 11, 15), "rectified"),
    (LOW3 + scores(("2026-11", 8)), [EXIT], D(2026, 11, 15), "exit"),
    (LOW3, [EXIT], D(2026, 11, 15), "exit"),
])
def test_warning_state(given, interviews, today, status):
    state = warning_state(given, interviews, S, today)
    assert state.status == status
    assert is_open(state) == (status in ("needs_interview", "open", "overdue", "failed"))


def test_a_new_low_streak_after_a_closed_interview_warns_again():
    later = low("2026-11", "2026-12", "2027-01")
    state = warning_state(LOW3 + later, [RECTIFIED], S, D(2027, 2, 1))
    assert state == WarningState("needs_interview", ("2026-11", "2026-12", "2027-01"), RECTIFIED,
                                 "2026-11")


def test_the_low_months_before_an_interview_do_not_count_again():
    # Sep and Oct were low before the interview; only Nov and Dec after it: not yet N.
    given = low("2026-08", "2026-09", "2026-10", "2026-11", "2026-12")
    state = warning_state(given, [Interview("i1", D(2026, 10, 5), D(2026, 11, 5), "rectified")], S,
                          D(2027, 1, 10))
    assert (state.status, state.streak) == ("rectified", ())


def test_the_latest_interview_is_the_one_that_counts():
    older = Interview("i0", D(2025, 3, 1), D(2025, 4, 1), "exit")
    state = warning_state(LOW3, [PENDING, older], S, D(2026, 10, 20))
    assert (state.status, state.interview) == ("open", PENDING)


def test_the_check_month_is_the_deadlines_month():
    settings = Settings(rectification_months=2)
    two_months = Interview("i1", D(2026, 10, 5), default_deadline(D(2026, 10, 5), settings), None)
    unscored = warning_state(LOW3 + scores(("2026-11", 4)), [two_months], settings, D(2026, 12, 1))
    assert (unscored.status, unscored.check_month) == ("open", "2026-12")
    failed = warning_state(LOW3 + scores(("2026-11", 8), ("2026-12", 4)), [two_months], settings,
                           D(2027, 1, 2))
    assert failed.status == "failed"


def test_a_missing_month_breaks_the_streak_until_it_is_scored():
    gap = low("2026-07", "2026-09", "2026-10")
    assert warning_state(gap, [], S, D(2026, 11, 15)).status == "ok"
    filled = gap + low("2026-08")
    assert warning_state(filled, [], S, D(2026, 11, 15)).status == "needs_interview"


@pytest.mark.parametrize("on,settings,deadline", [
    (D(2026, 1, 31), S, D(2026, 2, 28)),
    (D(2024, 1, 31), S, D(2024, 2, 29)),
    (D(2026, 1, 31), Settings(rectification_months=2), D(2026, 3, 31)),
    (D(2026, 12, 10), S, D(2027, 1, 10)),
])
def test_default_deadline_is_months_later_clamped(on, settings, deadline):
    assert default_deadline(on, settings) == deadline
