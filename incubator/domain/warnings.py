"""Warning cases (约谈提醒): one case per episode, one state machine, every step shown.

A case opens when an organization's monthly scores stay below the warning line for the
streak length (kind `monthly`, its id the streak's first month `YYYY-MM`) or when an
annual review rates it at or below `low_star_interview_max` (kind `annual`, its id the
review year `YYYY`). Everything is derived from the documents — scores, reviews, the
interviews and dismissals a person recorded, the organization leaving — so a case
cannot vanish: later scores, its age or a settings change never erase it, and deleting
an interview record simply derives the case again without it.

    needs_interview ─ interview ─> open ─ deadline passed, deciding month unscored ─> overdue
          │                          │
          │ dismissal with a reason  ├─ the deadline's month at or above the line ─> rectified
          v                          ├─ the deadline's month below the line ─> failed
      dismissed                      └─ closed by a person: rectified (a reason, shown as an
                                        override) or an ordered exit ─> exit
    an open case when the organization leaves: exit (ordered) or left (voluntary, graduation)

Decisions where the reports are silent:
- Each month is judged against the line in force in that month; the streak length is the
  one in force in the month that completes it. A month with no score breaks a streak.
- While a monthly case is open it takes every later low month: one open monthly case at
  a time. A new one needs a full streak after the month the last one closed in (the
  deciding month when rectified, the month of a dismissal or of a person's closing).
- Several interviews may be recorded for one case: the latest one's deadline decides.
- An annual case has no monthly measure: after its deadline it is overdue until a person
  closes it (rectified, with a reason, or an ordered exit).
- A dismissal counts only while the case has no interview (an interview recorded on
  another replica at the same time wins; the dismissal stays in the case's history).
- Interviews recorded by older builds carry no case: they join the case open in their
  month. Records whose case is no longer in the scores (a score corrected since) keep a
  case of their own, so nothing a person recorded disappears from the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from .errors import N_, DomainError, Text
from .models import CaseKind, InterviewOutcome, WarningStatus, english_label
from .months import add_months, check_scoreable, month_add, month_of
from .review import rating_text
from .settings import Settings, SettingsTimeline

OPEN_STATUSES = frozenset({WarningStatus.NEEDS_INTERVIEW, WarningStatus.OPEN,
                           WarningStatus.OVERDUE, WarningStatus.FAILED})
# What a person may do to a case in each status.
INTERVIEWABLE = frozenset({WarningStatus.NEEDS_INTERVIEW, WarningStatus.OPEN,
                           WarningStatus.OVERDUE})
CLOSABLE = frozenset({WarningStatus.OPEN, WarningStatus.OVERDUE, WarningStatus.FAILED})
DISMISSABLE = frozenset({WarningStatus.NEEDS_INTERVIEW})
# Most pressing first: the one status an organization shows when it has several cases.
PRESSING = (WarningStatus.FAILED, WarningStatus.OVERDUE, WarningStatus.NEEDS_INTERVIEW,
            WarningStatus.OPEN)
_NEVER = "9999-12"  # the closing month of a case that is still open


@dataclass(frozen=True)
class Interview:
    """A warning interview a person recorded, and how they closed it (if they did)."""

    id: str
    on: date
    deadline: date
    case: str | None = None
    outcome: str | None = None
    closed_on: date | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Dismissal:
    """A person decided a case needs no interview, and why."""

    id: str
    case: str
    on: date
    reason: str
    by: str


@dataclass(frozen=True)
class Leaving:
    on: date
    ordered: bool
    graduated: bool = False


@dataclass(frozen=True)
class Rating:
    """An annual review's level, on the scale it was rated on."""

    year: int
    stars: int
    scale: str = "five-star"


@dataclass(frozen=True)
class Transition:
    at: str  # YYYY, YYYY-MM (a month's score) or YYYY-MM-DD (something recorded that day)
    status: WarningStatus
    text: Text


@dataclass(frozen=True)
class Case:
    kind: CaseKind
    id: str
    status: WarningStatus
    opened: str
    streak: tuple[str, ...] = ()
    stars: int | None = None
    interviews: tuple[Interview, ...] = ()
    dismissal: Dismissal | None = None
    transitions: tuple[Transition, ...] = field(default=(), compare=False)

    @property
    def interview(self) -> Interview | None:
        return self.interviews[-1] if self.interviews else None

    @property
    def deadline(self) -> date | None:
        return self.interview.deadline if self.interview else None

    @property
    def check_month(self) -> str | None:
        """The month whose score decides a monthly case (the latest deadline's)."""
        if self.kind is CaseKind.ANNUAL or self.interview is None:
            return None
        return month_of(self.interview.deadline)

    @property
    def override(self) -> str | None:
        """Why a person closed it as rectified (every such closing is an override)."""
        latest = self.interview
        if self.status is WarningStatus.RECTIFIED and latest and \
                latest.outcome == InterviewOutcome.RECTIFIED:
            return latest.reason or ""
        return None


@dataclass(frozen=True)
class _Record:
    """An interview or a dismissal, with the month it counts from."""

    month: str
    item: Interview | Dismissal

    @property
    def order(self) -> tuple[str, str, str]:
        return self.month, self.item.on.isoformat(), self.item.id


def default_deadline(on: date, settings: Settings) -> date:
    return add_months(on, settings.rectification_months)


def is_open(case: Case) -> bool:
    """True while a case still stands in the way (e.g. of graduation)."""
    return case.status in OPEN_STATUSES


def pressing_status(cases: Iterable[Case]) -> WarningStatus:
    """The most pressing status among open cases, else `ok`."""
    statuses = {case.status for case in cases}
    return next((status for status in PRESSING if status in statuses), WarningStatus.OK)


def scoreable(month: str, today: date, settings: Settings) -> bool:
    """Whether `month` may be scored on `today`: a past month, or the current one from its
    opening day (`scoring_opens_day`) on."""
    try:
        check_scoreable(month, today, settings.scoring_opens_day)
    except DomainError:
        return False
    return True


def org_cases(scores: Mapping[str, float], ratings: Sequence[Rating],
              interviews: Sequence[Interview], dismissals: Sequence[Dismissal],
              timeline: SettingsTimeline, today: date,
              left: Leaving | None = None) -> list[Case]:
    """Every warning case of one organization, monthly ones first, oldest first.

    `scores` (month → score out of 10) must hold every month scored below the highest
    warning line the timeline ever has, and the score of every interview deadline's
    month; other months may be left out (a month absent is not low)."""
    monthly, annual = [], []
    for item in (*interviews, *dismissals):
        wanted = item.case or month_of(item.on)
        (annual if len(wanted) == 4 else monthly).append(_Record(wanted, item))
    context = _Context(scores, timeline, today, left)
    return [*_monthly_cases(context, sorted(monthly, key=lambda r: r.order)),
            *_annual_cases(context, ratings, annual)]


@dataclass(frozen=True)
class _Context:
    scores: Mapping[str, float]
    timeline: SettingsTimeline
    today: date
    left: Leaving | None

    def low_months(self) -> list[str]:
        return sorted(month for month, score in self.scores.items()
                      if score < self.timeline.at(month).warning_threshold)


def _runs(months: list[str]) -> list[list[str]]:
    """Consecutive calendar months, as runs."""
    runs: list[list[str]] = []
    for month in months:
        if runs and month_add(runs[-1][-1], 1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


def _next_streak(low: list[str], timeline: SettingsTimeline) -> list[str] | None:
    """The first run of low months long enough to open a case, up to the month it opens."""
    for run in _runs(low):
        for index, month in enumerate(run):
            if index + 1 >= timeline.at(month).warning_streak_months:
                return run[:index + 1]
    return None


def _monthly_cases(context: _Context, records: list[_Record]) -> list[Case]:
    cases: list[Case] = []
    low = context.low_months()
    after = ""
    while True:
        streak = _next_streak([m for m in low if m > after], context.timeline)
        start = streak[0] if streak else _NEVER
        cases += _record_only(context, [r for r in records if r.month < start])
        records = [r for r in records if r.month >= start]
        if streak is None:
            return cases
        taken: list[_Record] = []
        case, closes = _monthly_case(context, streak, taken)
        for record in records:
            if record.month > closes:
                break
            taken.append(record)
            case, closes = _monthly_case(context, streak, taken)
        records = records[len(taken):]
        cases.append(case)
        if closes == _NEVER:
            return cases + _record_only(context, records)
        after = closes


def _record_only(context: _Context, records: list[_Record]) -> list[Case]:
    """Cases known only from what a person recorded (their low streak is gone)."""
    by_case: dict[str, list[_Record]] = {}
    for record in records:
        by_case.setdefault(record.month, []).append(record)
    return [_monthly_case(context, [], group, case_id=month)[0]
            for month, group in by_case.items()]


def _monthly_case(context: _Context, streak: list[str], records: list[_Record],
                  case_id: str | None = None) -> tuple[Case, str]:
    """The case opened by `streak` with the records attached so far, and the month it
    closes in (`_NEVER` while open)."""
    if streak:
        opened = streak[-1]
        line = context.timeline.at(opened).warning_threshold
        start = Transition(opened, WarningStatus.NEEDS_INTERVIEW, Text(
            "{count} months below {line} ({first} to {last}): a warning interview is due",
            {"count": len(streak), "line": line, "first": streak[0], "last": streak[-1]}))
    else:
        opened = case_id or ""
        start = Transition(opened, WarningStatus.NEEDS_INTERVIEW, Text(
            "Recorded for a low streak from {month} that the scores no longer show",
            {"month": opened}))
    state = _State(context, [start])
    status, closes = state.follow(records, opened, context.scores, monthly=True)
    return Case(CaseKind.MONTHLY, streak[0] if streak else opened, status, opened,
                tuple(streak), None, state.interviews, state.dismissal,
                state.ordered()), closes


def _annual_cases(context: _Context, ratings: Sequence[Rating],
                  records: list[_Record]) -> list[Case]:
    by_case: dict[str, list[_Record]] = {}
    for record in sorted(records, key=lambda r: r.order):
        by_case.setdefault(record.month, []).append(record)
    cases = []
    low = {str(r.year): r for r in ratings
           if r.stars <= context.timeline.for_review_year(r.year).low_star_interview_max}
    for case_id in sorted({*low, *by_case}):
        rating = low.get(case_id)
        if rating:
            line = context.timeline.for_review_year(rating.year).low_star_interview_max
            start = Transition(case_id, WarningStatus.NEEDS_INTERVIEW, Text(
                "Annual review {year}: {stars}, at or below {line}: a warning interview is due",
                {"year": rating.year, "stars": rating_text(rating.stars, rating.scale),
                 "line": rating_text(line, rating.scale)}))
        else:
            start = Transition(case_id, WarningStatus.NEEDS_INTERVIEW, Text(
                "Recorded for the annual review {year}, which is no longer at or below the line",
                {"year": case_id}))
        state = _State(context, [start])
        status, _closes = state.follow(by_case.get(case_id, []), case_id, {}, monthly=False)
        cases.append(Case(CaseKind.ANNUAL, case_id, status, case_id, (),
                          rating.stars if rating else None, state.interviews, state.dismissal,
                          state.ordered()))
    return cases


class _State:
    """Walks one case through its records, collecting its transitions."""

    def __init__(self, context: _Context, transitions: list[Transition]) -> None:
        self.context = context
        self.transitions = transitions
        self.interviews: tuple[Interview, ...] = ()
        self.dismissal: Dismissal | None = None

    def ordered(self) -> tuple[Transition, ...]:
        """The opening first, then time order (a month's score counts at the month's end)."""
        first, *rest = self.transitions
        return (first, *sorted(rest, key=lambda t: t.at + ("-99" if len(t.at) == 7 else "")))

    def add(self, at: date | str, status: WarningStatus, text: Text) -> None:
        self.transitions.append(Transition(at if isinstance(at, str) else at.isoformat(),
                                           status, text))

    def follow(self, records: list[_Record], opened: str, scores: Mapping[str, float],
               monthly: bool) -> tuple[WarningStatus, str]:
        """(status, the month the case closes in) after `records`, then the leaving."""
        interviews = sorted((r.item for r in records if isinstance(r.item, Interview)),
                            key=lambda i: (i.on, i.id))
        dismissals = sorted((r.item for r in records if isinstance(r.item, Dismissal)),
                            key=lambda d: (d.on, d.id))
        self.interviews = tuple(interviews)
        if dismissals:
            self.dismissal = dismissals[0]
        for number, interview in enumerate(interviews):
            message = N_("Another warning interview: the deadline is now {deadline}") \
                if number else N_("Warning interview; rectification deadline {deadline}")
            self.add(interview.on, WarningStatus.OPEN,
                     Text(message, {"deadline": interview.deadline.isoformat()}))
        if interviews and self.dismissal:
            self.add(self.dismissal.on, WarningStatus.DISMISSED, Text(
                "Dismissed by {by}: {reason} (an interview was recorded too, and counts)",
                {"by": self.dismissal.by, "reason": self.dismissal.reason}))
        if not interviews:
            status, closes = self._without_interview(opened)
        else:
            status, closes = self._after(interviews[-1], scores, monthly)
        return self._leaving(status), closes

    def _without_interview(self, opened: str) -> tuple[WarningStatus, str]:
        if self.dismissal is None:
            return WarningStatus.NEEDS_INTERVIEW, _NEVER
        dismissal = self.dismissal
        self.add(dismissal.on, WarningStatus.DISMISSED, Text(
            "Dismissed by {by}: {reason}", {"by": dismissal.by, "reason": dismissal.reason}))
        return WarningStatus.DISMISSED, max(month_of(dismissal.on), opened)

    def _after(self, latest: Interview, scores: Mapping[str, float],
               monthly: bool) -> tuple[WarningStatus, str]:
        closed = latest.closed_on or latest.on
        check = month_of(latest.deadline)
        judged = self._judge(check, scores, closed) if monthly else None
        if latest.outcome == InterviewOutcome.EXIT:
            self.add(closed, WarningStatus.EXIT, Text(
                "Closed: ordered to leave ({reason})", {"reason": latest.reason or ""}))
            return WarningStatus.EXIT, _NEVER
        if latest.outcome == InterviewOutcome.RECTIFIED:
            self.add(closed, WarningStatus.RECTIFIED, Text(
                "Closed as rectified by a person (an override): {reason}",
                {"reason": latest.reason or ""}))
            return WarningStatus.RECTIFIED, max(check, month_of(closed)) if monthly \
                else month_of(closed)
        if judged is not None:
            return judged, check if judged is WarningStatus.RECTIFIED else _NEVER
        settings = self.context.timeline.at(check if monthly else month_of(latest.on))
        due = self.context.today > latest.deadline and (
            not monthly or scoreable(check, self.context.today, settings))
        if due:
            message = N_("Deadline passed; {month} is not scored yet") if monthly else \
                N_("Deadline passed with no outcome recorded")
            self.add(latest.deadline, WarningStatus.OVERDUE, Text(message, {"month": check}))
            return WarningStatus.OVERDUE, _NEVER
        return WarningStatus.OPEN, _NEVER

    def _judge(self, check: str, scores: Mapping[str, float],
               closed: date) -> WarningStatus | None:
        """Rectified or failed by the score of the deadline's month, if it is scored."""
        score = scores.get(check)
        if score is None:
            return None
        line = self.context.timeline.at(check).warning_threshold
        failed = score < line
        if check <= month_of(closed) or not self.interviews[-1].outcome:
            message = N_("{month} scored {score}, below {line}: rectification failed") \
                if failed else N_("{month} scored {score}, at or above {line}: rectified")
            self.add(check, WarningStatus.FAILED if failed else WarningStatus.RECTIFIED,
                     Text(message, {"month": check, "score": score, "line": line}))
        return WarningStatus.FAILED if failed else WarningStatus.RECTIFIED

    def _leaving(self, status: WarningStatus) -> WarningStatus:
        left = self.context.left
        if left is None or status not in OPEN_STATUSES:
            return status
        if left.ordered:
            self.add(left.on, WarningStatus.EXIT, Text("Closed: the organization was ordered "
                                                       "to leave on {date}",
                                                       {"date": left.on.isoformat()}))
            return WarningStatus.EXIT
        message = N_("Closed: the organization graduated on {date}") if left.graduated else \
            N_("Closed: the organization left on {date}")
        self.add(left.on, WarningStatus.LEFT, Text(message, {"date": left.on.isoformat()}))
        return WarningStatus.LEFT


def find_case(cases: Sequence[Case], wanted: str | None, allowed: frozenset[WarningStatus],
              name: str) -> Case:
    """The case a person means: `wanted` (its id, or any month of its streak), else the
    only case whose status allows the action."""
    if wanted is not None:
        wanted = wanted.strip()
        found = next((c for c in cases if c.id == wanted or wanted in c.streak), None)
        if found is None:
            raise DomainError("{name} has no warning case {case}", name=name, case=wanted)
        if found.status not in allowed:
            raise DomainError("Warning case {case} of {name} is {status}", case=found.id,
                              name=name, status=Text(english_label(found.status)))
        return found
    candidates = [c for c in cases if c.status in allowed]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise DomainError("{name} has several warning cases: choose one with --case ({cases})",
                          name=name, cases=", ".join(c.id for c in candidates))
    failed = [c for c in cases if c.status == WarningStatus.FAILED]
    if failed and WarningStatus.FAILED not in allowed:
        raise DomainError("The rectification of {name} failed (case {case}): order the exit, "
                          "or close it as rectified with a reason", name=name,
                          case=failed[0].id)
    raise DomainError("{name} has no warning case this applies to", name=name)
