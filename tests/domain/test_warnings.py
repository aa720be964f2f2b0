"""Warning cases: one case per episode, one state machine, every step shown.

Each table row is a situation a centre meets: scores (month → out of 10), what a person
recorded, the day, and where the case must stand.
"""

from datetime import date

import pytest

from incubator.domain.errors import DomainError
from incubator.domain.settings import SettingsTimeline
from incubator.domain.warnings import (
    CLOSABLE, DISMISSABLE, INTERVIEWABLE, Dismissal, Interview, Leaving, Rating,
    default_deadline, find_case, is_open, org_cases, pressing_status, scoreable,
)
from incubator.domain.settings import Settings

D = date
T = SettingsTimeline()


def low(*months, value=5.0):
    return {month: value for month in months}


def good(*months):
    return {month: 8.0 for month in months}


def cases(scores, interviews=(), dismissals=(), ratings=(), today=D(2026, 11, 15),
          timeline=T, left=None):
    return org_cases(scores, list(ratings), list(interviews), list(dismissals), timeline,
                     today, left)


def statuses(*args, **kwargs):
    return [(c.kind.value, c.id, c.status.value) for c in cases(*args, **kwargs)]


LOW3 = low("2026-07", "2026-08", "2026-09")
# Interviewed on 5 October with a deadline of 5 November: November's score decides.
PENDING = Interview("i1", D(2026, 10, 5), D(2026, 11, 5), "2026-07")


@pytest.mark.parametrize("scores,expected", [
    (low("2026-08", "2026-09", "2026-10"), [("monthly", "2026-08", "needs_interview")]),
    (low("2026-09", "2026-10"), []),                                          # N-1 months
    (low("2026-07", "2026-08", "2026-10", "2026-11"), []),                    # a gap breaks it
    ({**low("2026-08", "2026-09"), "2026-10": 6.0}, []),                      # 6 is not low
    (low("2026-08", "2026-09", "2026-10", value=5.99),
     [("monthly", "2026-08", "needs_interview")]),
    (low("2025-11", "2025-12", "2026-01"), [("monthly", "2025-11", "needs_interview")]),
    # the cases: a streak followed by a gap and a later month, or by a good month
    ({**LOW3, "2026-11": 8.0}, [("monthly", "2026-07", "needs_interview")]),
    ({**LOW3, **good("2026-10", "2026-11")}, [("monthly", "2026-07", "needs_interview")]),
    # age does not erase it: January–March 2025, listed on 1 December 2026
    ({**low("2025-01", "2025-02", "2025-03"), **good("2025-04", "2025-05")},
     [("monthly", "2025-01", "needs_interview")]),
    # two streaks apart while the first is still open: one open case takes both
    ({**low("2025-01", "2025-02", "2025-03"), **good("2025-04"),
      **low("2026-06", "2026-07", "2026-08")}, [("monthly", "2025-01", "needs_interview")]),
    ({}, []),
])
def test_a_streak_opens_a_case_that_later_months_never_erase(scores, expected):
    assert statuses(scores, today=D(2026, 12, 1)) == expected


@pytest.mark.parametrize("interviews,scores,today,status", [
    ([PENDING], {}, D(2026, 10, 20), "open"),
    ([PENDING], {}, D(2026, 11, 5), "open"),                          # the deadline day
    ([PENDING], {}, D(2026, 11, 6), "open"),                          # November not scoreable
    ([PENDING], {}, D(2026, 11, 15), "overdue"),                      # now it could be scored
    ([PENDING], {"2026-10": 4.0}, D(2026, 11, 20), "overdue"),        # October is not checked
    ([PENDING], {"2026-11": 6.0}, D(2026, 11, 15), "rectified"),      # exactly 6
    ([PENDING], {"2026-11": 7.0}, D(2026, 11, 2), "rectified"),       # before the deadline
    ([PENDING], {"2026-11": 5.9}, D(2026, 11, 15), "failed"),
    ([PENDING], {"2026-11": 4.0}, D(2027, 6, 1), "failed"),           # stays failed
    # a person closing it as rectified (with a reason) is an override of a failure
    ([Interview("i1", D(2026, 10, 5), D(2026, 11, 5), "2026-07", "rectified",
                D(2026, 11, 20), "区里认定已整改")], {"2026-11": 4.0}, D(2026, 11, 25),
     "rectified"),
    ([Interview("i1", D(2026, 10, 5), D(2026, 11, 5), "2026-07", "exit", D(2026, 11, 20),
                "不整改")], {"2026-11": 4.0}, D(2026, 11, 25), "exit"),
])
def test_the_interview_and_its_deadline_month(interviews, scores, today, status):
    found, = cases({**LOW3, **scores}, interviews, today=today)
    assert found.status == status
    assert is_open(found) == (status in ("needs_interview", "open", "overdue", "failed"))


def test_the_reported_failure_is_failed_not_overdue():
    """Interview 2025-04-10, deadline 2025-05-10, May at 5.0: failed, even in December 2026."""
    interview = Interview("i1", D(2025, 4, 10), D(2025, 5, 10), "2025-01")
    found, = cases({**low("2025-01", "2025-02", "2025-03"), "2025-05": 5.0}, [interview],
                   today=D(2026, 12, 1))
    assert (found.status, found.check_month) == ("failed", "2025-05")
    assert [t.status.value for t in found.transitions] == ["needs_interview", "open", "failed"]


def test_a_second_interview_for_the_same_case_sets_the_new_deadline():
    second = Interview("i2", D(2026, 11, 2), D(2026, 12, 2), "2026-07")
    found, = cases({**LOW3, "2026-11": 4.0}, [PENDING, second], today=D(2026, 11, 10))
    assert (found.status, found.deadline, len(found.interviews)) == ("open", D(2026, 12, 2), 2)
    assert [t.text.message for t in found.transitions][1:] == [
        "Warning interview; rectification deadline {deadline}",
        "Another warning interview: the deadline is now {deadline}"]
    decided, = cases({**LOW3, "2026-11": 4.0, "2026-12": 7.5}, [PENDING, second],
                     today=D(2026, 12, 20))
    assert decided.status == "rectified"


def test_a_new_case_needs_a_full_streak_after_the_month_the_last_one_closed():
    rectified = {**LOW3, "2026-11": 7.0}
    assert statuses({**rectified, **low("2026-12", "2027-01")}, [PENDING],
                    today=D(2027, 2, 20)) == [("monthly", "2026-07", "rectified")]
    assert statuses({**rectified, **low("2026-12", "2027-01", "2027-02")}, [PENDING],
                    today=D(2027, 3, 20)) == [("monthly", "2026-07", "rectified"),
                                               ("monthly", "2026-12", "needs_interview")]


def test_low_months_after_an_override_open_a_new_case():
    override = Interview("i1", D(2026, 10, 5), D(2026, 11, 5), "2026-07", "rectified",
                         D(2026, 11, 20), "特批")
    scores = {**LOW3, **low("2026-10", "2026-11", "2026-12", "2027-01", "2027-02")}
    assert statuses(scores, [override], today=D(2027, 3, 20)) == [
        ("monthly", "2026-07", "rectified"), ("monthly", "2026-12", "needs_interview")]


@pytest.mark.parametrize("dismissals,interviews,status", [
    ([Dismissal("d1", "2026-07", D(2026, 11, 1), "评分录入错误", "王主任")], [], "dismissed"),
    # an interview recorded elsewhere at the same time wins; the dismissal stays in the history
    ([Dismissal("d1", "2026-07", D(2026, 11, 1), "评分录入错误", "王主任")], [PENDING], "open"),
])
def test_a_dismissal_with_a_reason(dismissals, interviews, status):
    found, = cases(LOW3, interviews, dismissals, today=D(2026, 11, 2))
    assert found.status == status
    assert any("王主任" in str(t.text.params.get("by", "")) for t in found.transitions)


def test_after_a_dismissal_only_later_low_months_count():
    dismissal = Dismissal("d1", "2026-07", D(2026, 10, 20), "疫情停业", "王主任")
    scores = {**LOW3, **low("2026-10", "2026-11", "2026-12", "2027-01")}
    assert statuses(scores, dismissals=[dismissal], today=D(2027, 2, 10)) == [
        ("monthly", "2026-07", "dismissed"), ("monthly", "2026-11", "needs_interview")]


@pytest.mark.parametrize("left,status", [
    (Leaving(D(2026, 11, 1), ordered=True), "exit"),
    (Leaving(D(2026, 11, 1), ordered=False), "left"),
    (Leaving(D(2026, 11, 1), ordered=False, graduated=True), "left"),
])
def test_leaving_closes_every_open_case(left, status):
    found = cases(LOW3, [PENDING], ratings=[Rating(2025, 2)], left=left)
    assert [c.status for c in found] == [status, status]
    assert pressing_status(found) == "ok"


def test_legacy_interviews_without_a_case_join_the_case_open_in_their_month():
    legacy = Interview("i1", D(2026, 10, 5), D(2026, 11, 5))
    found, = cases({**LOW3, "2026-11": 7.0}, [legacy])
    assert (found.id, found.status) == ("2026-07", "rectified")


def test_a_record_whose_streak_is_gone_keeps_a_case_of_its_own():
    """A score corrected after the interview: the interview stays listed, with its state."""
    found, = cases(low("2026-07", "2026-09"), [PENDING], today=D(2026, 11, 20))
    assert (found.id, found.status, found.streak) == ("2026-07", "overdue", ())


# -- the settings of each case's own time ----------------------------------------------

LATER_LINE = T.with_change("2026-12", {"warning_threshold": "5"})


def test_a_threshold_change_never_rewrites_a_failed_case():
    failed = {**LOW3, "2026-11": 5.5}
    assert statuses(failed, [PENDING], today=D(2026, 12, 20), timeline=LATER_LINE) == [
        ("monthly", "2026-07", "failed")]


def test_each_month_is_judged_by_its_own_line():
    # 5.5 is low under the line of 6 in force until November, not from December on
    scores = low("2026-10", "2026-11", "2026-12", value=5.5)
    assert statuses(scores, today=D(2027, 1, 20), timeline=LATER_LINE) == []
    scores = low("2026-09", "2026-10", "2026-11", value=5.5)
    assert statuses(scores, today=D(2027, 1, 20), timeline=LATER_LINE) == [
        ("monthly", "2026-09", "needs_interview")]


def test_the_streak_length_is_the_one_of_the_month_that_completes_it():
    two = T.with_change("2026-10", {"warning_streak_months": "2"})
    assert statuses(low("2026-09", "2026-10"), timeline=two) == [
        ("monthly", "2026-09", "needs_interview")]
    assert statuses(low("2026-08", "2026-09"), timeline=two) == []


# -- annual cases: 三星级以下 (3 stars and below) ------------------------------------

@pytest.mark.parametrize("stars,timeline,expected", [
    (3, T, [("annual", "2025", "needs_interview")]),      # 以下 includes the number
    (1, T, [("annual", "2025", "needs_interview")]),
    (4, T, []),
    (3, T.with_change("2025-01", {"low_star_interview_max": "2"}), []),
    (3, T.with_change("2026-01", {"low_star_interview_max": "2"}),
     [("annual", "2025", "needs_interview")]),            # the 2025 review keeps 2025's line
])
def test_a_low_rating_opens_an_annual_case(stars, timeline, expected):
    assert statuses({}, ratings=[Rating(2025, stars)], timeline=timeline) == expected


@pytest.mark.parametrize("interview,today,status", [
    (Interview("a1", D(2025, 12, 10), D(2026, 1, 10), "2025"), D(2026, 1, 5), "open"),
    (Interview("a1", D(2025, 12, 10), D(2026, 1, 10), "2025"), D(2026, 1, 11), "overdue"),
    (Interview("a1", D(2025, 12, 10), D(2026, 1, 10), "2025", "rectified", D(2026, 1, 9),
               "已整改档案"), D(2026, 3, 1), "rectified"),
])
def test_an_annual_case_follows_the_same_workflow(interview, today, status):
    found, = cases({"2026-01": 4.0}, [interview], ratings=[Rating(2025, 2)], today=today)
    assert (found.kind, found.status) == ("annual", status)


def test_monthly_and_annual_cases_side_by_side():
    found = cases(LOW3, ratings=[Rating(2025, 3)])
    assert [(c.kind.value, c.id) for c in found] == [("monthly", "2026-07"), ("annual", "2025")]
    with pytest.raises(DomainError, match="several"):
        find_case(found, None, INTERVIEWABLE, "书画社")
    assert find_case(found, "2026-08", INTERVIEWABLE, "书画社").id == "2026-07"


@pytest.mark.parametrize("allowed,wanted,message", [
    (INTERVIEWABLE, None, "failed"),       # a failed case takes no new interview
    (DISMISSABLE, None, "failed"),
    (INTERVIEWABLE, "2026-07", "is {status}"),
    (CLOSABLE, "2030-01", "no warning case"),
])
def test_find_case_refuses_with_a_reason(allowed, wanted, message):
    failed = cases({**LOW3, "2026-11": 4.0}, [PENDING])
    with pytest.raises(DomainError) as refused:
        find_case(failed, wanted, allowed, "书画社")
    assert message in refused.value.text.message


@pytest.mark.parametrize("month,today,opens", [
    ("2026-10", D(2026, 11, 1), True),
    ("2026-11", D(2026, 11, 14), False),
    ("2026-11", D(2026, 11, 15), True),
    ("2026-12", D(2026, 12, 1), False),    # the current month is not scored on its first day
    ("2026-12", D(2026, 11, 30), False),
])
def test_when_a_month_may_be_scored(month, today, opens):
    assert scoreable(month, today, Settings()) is opens


@pytest.mark.parametrize("on,settings,deadline", [
    (D(2026, 1, 31), Settings(), D(2026, 2, 28)),
    (D(2024, 1, 31), Settings(), D(2024, 2, 29)),
    (D(2026, 1, 31), Settings(rectification_months=2), D(2026, 3, 31)),
    (D(2026, 12, 10), Settings(), D(2027, 1, 10)),
])
def test_default_deadline_is_months_later_clamped(on, settings, deadline):
    assert default_deadline(on, settings) == deadline
