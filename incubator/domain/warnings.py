"""Warning interviews (约谈提醒): low streaks, rectification deadlines, ordered exits.

Decisions where the reports are silent:
- A streak is a run of consecutive calendar months scored below the threshold that ends at
  the latest scored month. A month with no score BREAKS the streak: missing scores are
  flagged on their own, and since all of this is derived, a score filled in later
  re-evaluates the streak.
- After an interview, only months after the interview's month count towards a new streak.
- Rectification is checked on the month the deadline falls in: below the threshold there
  means it failed (an ordered exit is due); at or above it means rectified.
- Only the latest interview counts (latest date, then id). While it has no outcome and its
  check month is unscored it stays open or overdue, even if a new streak forms meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .models import InterviewOutcome, WarningStatus
from .months import add_months, month_add, month_of
from .settings import Settings


@dataclass(frozen=True)
class MonthScore:
    month: str
    score10: float


@dataclass(frozen=True)
class Interview:
    id: str
    on: date
    deadline: date
    outcome: str | None


@dataclass(frozen=True)
class WarningState:
    status: WarningStatus
    streak: tuple[str, ...]
    interview: Interview | None
    check_month: str | None


OPEN_STATUSES = frozenset({WarningStatus.NEEDS_INTERVIEW, WarningStatus.OPEN,
                           WarningStatus.OVERDUE, WarningStatus.FAILED})


def low_streak(scores: Sequence[MonthScore], settings: Settings) -> list[str]:
    """The low months ending at the latest scored month, if there are enough of them."""
    ordered = sorted(scores, key=lambda s: s.month)
    streak: list[str] = []
    for score in reversed(ordered):
        expected = month_add(streak[-1], -1) if streak else score.month
        if score.month != expected or score.score10 >= settings.warning_threshold:
            break
        streak.append(score.month)
    streak.reverse()
    return streak if len(streak) >= settings.warning_streak_months else []


def default_deadline(on: date, settings: Settings) -> date:
    return add_months(on, settings.rectification_months)


def warning_state(scores: Sequence[MonthScore], interviews: Sequence[Interview],
                  settings: Settings, today: date) -> WarningState:
    """Where an organization stands in the warning process on `today`."""
    latest = max(interviews, key=lambda i: (i.on, i.id)) if interviews else None
    counted = [s for s in scores if latest is None or s.month > month_of(latest.on)]
    streak = tuple(low_streak(counted, settings))
    if latest is None:
        return WarningState(WarningStatus.NEEDS_INTERVIEW if streak else WarningStatus.OK,
                            streak, None, None)
    check = month_of(latest.deadline)
    if latest.outcome == InterviewOutcome.EXIT:
        return WarningState(WarningStatus.EXIT, streak, latest, check)
    if latest.outcome is None:
        checked = next((s for s in scores if s.month == check), None)
        if checked is None:
            status = WarningStatus.OVERDUE if today > latest.deadline else WarningStatus.OPEN
            return WarningState(status, streak, latest, check)
        if checked.score10 < settings.warning_threshold:
            return WarningState(WarningStatus.FAILED, streak, latest, check)
    if streak:
        return WarningState(WarningStatus.NEEDS_INTERVIEW, streak, latest, check)
    return WarningState(WarningStatus.RECTIFIED, streak, latest, check)


def is_open(state: WarningState) -> bool:
    """True while a warning still stands in the way (e.g. of graduation)."""
    return state.status in OPEN_STATUSES
