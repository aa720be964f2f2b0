"""Warning cases (约谈提醒): interviews, their outcomes, and dismissals with a reason.

What a person records names the case it is for (`case`: the streak's first month, or the
review year); the case's state is derived (`queries.org_cases`), so removing a record
simply derives the case again without it.
"""

from __future__ import annotations

from datetime import date

from ...domain import fields, warnings
from ...domain.docids import org_doc
from ...domain.errors import N_, DomainError
from ...domain.models import CaseKind, InterviewOutcome, english_label, parse_enum
from ...domain.months import month_of, parse_date
from ...domain.warnings import Case
from .. import queries
from ..materialize import DISMISSAL
from .leaving import LeavingCommands
from .writes import set_all, write_field

ORDERED_EXIT_REASON = "约谈后整改不到位，责令退出"


class WarningCommands(LeavingCommands):
    """An interview may end in an ordered exit, so warnings build on leaving."""

    def _case(self, org_id: str, wanted: str | None, allowed: frozenset) -> Case:
        return warnings.find_case(queries.org_cases(self.db, org_id, self.today()), wanted,
                                  allowed, queries.org_name(self.db, org_id))

    def _recorded_day(self, org_id: str, on: str | None, case: Case) -> date:
        """The day of a record: not in the future, not before the organization entered,
        not before its case opened."""
        day = parse_date(on) if on else self.today()
        if day > self.today():
            raise DomainError("Date {date} is in the future", date=day.isoformat())
        entered = queries.org_row(self.db, org_id)["entered"]
        if entered and day.isoformat() < entered:
            raise DomainError("{date} is before the organization entered ({entered})",
                              date=day.isoformat(), entered=entered)
        opened = case.opened if case.kind is CaseKind.MONTHLY else f"{case.opened}-01"
        if month_of(day) < opened:
            raise DomainError("{date} is before warning case {case} opened ({opened})",
                              date=day.isoformat(), case=case.id, opened=case.opened)
        return day

    def record_interview(self, org: str, on: str | None = None, deadline: str | None = None,
                         outcome: str | None = None, note: str | None = None,
                         case: str | None = None, reason: str | None = None) -> str:
        """Record an interview for a case (`case`, or the organization's only one that can
        take an interview); a second one for the same case sets a new deadline."""
        org_id = self._resident(org)
        found = self._case(org_id, case, warnings.INTERVIEWABLE)
        day = self._recorded_day(org_id, on, found)
        due = parse_date(deadline) if deadline else warnings.default_deadline(
            day, self.settings(month_of(day)))
        if due < day:
            raise DomainError("The deadline {deadline} is before the interview {date}",
                              deadline=due.isoformat(), date=day.isoformat())
        result = parse_enum(InterviewOutcome, outcome) if outcome else None
        interview_id = self._new_id()
        record = {"on": day.isoformat(), "deadline": due.isoformat(), "case": found.id,
                  "outcome": None, "note": fields.NOTE.clean(note or "")}
        with self.replica.transaction():
            self.replica.change(org_doc(org_id), "Recorded a warning interview on {date}",
                                {"date": day.isoformat()},
                                lambda ed: set_all(ed, {("interviews", interview_id): record}))
            if result:
                self._close(org_id, interview_id, result, day, reason)
        return interview_id

    def close_interview(self, org: str, outcome: str, on: str | None = None,
                        reason: str | None = None, case: str | None = None) -> str:
        """Close a case that had its interview (约谈办结): rectified — a person's judgement,
        so it needs a reason and shows as an override — or an ordered exit (`reason`
        defaults to the standard wording)."""
        org_id = queries.resolve_org(self.db, org)
        result = parse_enum(InterviewOutcome, outcome)
        found = self._case(org_id, case, warnings.CLOSABLE)
        day = self._recorded_day(org_id, on, found)
        if found.interview and day < found.interview.on:
            raise DomainError("{date} is before the interview ({interview})",
                              date=day.isoformat(), interview=found.interview.on.isoformat())
        with self.replica.transaction():
            self._close(org_id, found.interview.id, result, day, reason)
        return found.interview.id

    def _close(self, org_id: str, interview_id: str, result: InterviewOutcome, day: date,
               reason: str | None) -> None:
        text = fields.REASON.clean(reason or "")
        if result == InterviewOutcome.RECTIFIED and not text:
            raise DomainError("Closing a warning case as rectified is a person's judgement: "
                              "give the reason (--reason)")
        text = text or ORDERED_EXIT_REASON
        self.replica.change(
            org_doc(org_id), "Closed the warning interview: {outcome}",
            {"outcome": {"msgid": english_label(result)}},
            lambda ed: set_all(ed, {("interviews", interview_id, "outcome"): result.value,
                                    ("interviews", interview_id, "closed_on"): day.isoformat(),
                                    ("interviews", interview_id, "reason"): text}))
        if result == InterviewOutcome.EXIT:
            self.exit_org(org_id, text, on=day.isoformat(), ordered=True)

    def dismiss_case(self, org: str, reason: str, by: str, case: str | None = None) -> str:
        """Decide that a case needs no interview, naming who decided and why."""
        org_id = queries.resolve_org(self.db, org)
        found = self._case(org_id, case, warnings.DISMISSABLE)
        text = fields.REASON.clean(reason, required=True)
        person = fields.DISMISSED_BY.clean(by, required=True)
        if person == self.replica.identity.device_name:
            raise DomainError("Dismissed by names the person who decided, not this device "
                              "({device})", device=person)
        dismissal_id = self._new_id()
        record = {"kind": DISMISSAL, "case": found.id, "on": self.today().isoformat(),
                  "reason": text, "by": person}
        self.replica.change(org_doc(org_id), "Dismissed warning case {case}: {reason}",
                            {"case": found.id, "reason": text},
                            lambda ed: set_all(ed, {("interviews", dismissal_id): record}))
        return found.id

    def delete_interview(self, org: str, interview: str) -> str:
        """Delete one warning interview (dated by a wrong clock, or recorded by mistake),
        chosen by its id, an unambiguous id prefix or its date, as a recorded change.
        Returns its id."""
        org_id = queries.resolve_org(self.db, org)
        wanted = str(interview).strip()
        found = [row for row in queries.interviews(self.db, org_id)
                 if wanted and (row["id"].startswith(wanted) or row["on_date"] == wanted)]
        if len(found) != 1:
            raise DomainError(
                "{name} has {count} warning interviews matching {value}: give its id "
                "(incubator org show)", name=queries.org_name(self.db, org_id),
                count=len(found), value=wanted[:40])
        chosen = found[0]
        self.replica.change(org_doc(org_id), N_("Deleted the warning interview of {date}"),
                            {"date": chosen["on_date"]},
                            lambda ed: write_field(ed, ("interviews", chosen["id"]), None))
        return chosen["id"]
