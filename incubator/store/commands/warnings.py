"""Warning interviews (约谈提醒) and their outcomes."""

from __future__ import annotations

from ...domain import organization, warnings
from ...domain.docids import org_doc
from ...domain.errors import N_, DomainError
from ...domain.models import InterviewOutcome, english_label, parse_enum
from ...domain.months import parse_date
from .. import queries
from .leaving import LeavingCommands
from .writes import set_all, write_field

ORDERED_EXIT_REASON = "约谈后整改未达标，责令退出"


class WarningCommands(LeavingCommands):
    """An interview may end in an ordered exit, so warnings build on leaving."""

    def record_interview(self, org: str, on: str | None = None, deadline: str | None = None,
                         outcome: str | None = None, note: str | None = None) -> str:
        org_id = self._resident(org)
        day = parse_date(on) if on else self.today()
        if day > self.today():
            raise DomainError("Date {date} is in the future", date=day.isoformat())
        due = parse_date(deadline) if deadline else warnings.default_deadline(day, self.settings())
        if due < day:
            raise DomainError("The deadline {deadline} is before the interview {date}",
                              deadline=due.isoformat(), date=day.isoformat())
        result = parse_enum(InterviewOutcome, outcome).value if outcome else None
        interview_id = self._new_id()
        record = {"on": day.isoformat(), "deadline": due.isoformat(), "outcome": result,
                  "note": organization.clean_text(note or "", N_("Note"), 500)}
        with self.replica.transaction():
            self.replica.change(org_doc(org_id), "Recorded a warning interview on {date}",
                                {"date": day.isoformat()},
                                lambda ed: set_all(ed, {("interviews", interview_id): record}))
            if result == InterviewOutcome.EXIT:
                self.exit_org(org_id, ORDERED_EXIT_REASON, on=day.isoformat(), ordered=True)
        return interview_id

    def close_interview(self, org: str, outcome: str, on: str | None = None,
                        reason: str | None = None) -> str:
        """Record the outcome of the latest open interview (rectified, or ordered exit
        with `reason`, by default the standard wording)."""
        org_id = queries.resolve_org(self.db, org)
        result = parse_enum(InterviewOutcome, outcome)
        interview_id = queries.open_interview(self.db, org_id)
        if not interview_id:
            raise DomainError("{name} has no open warning interview",
                              name=queries.org_name(self.db, org_id))
        with self.replica.transaction():
            self.replica.change(
                org_doc(org_id), "Closed the warning interview: {outcome}",
                {"outcome": {"msgid": english_label(result)}},
                lambda ed: set_all(ed, {("interviews", interview_id, "outcome"): result.value}))
            if result == InterviewOutcome.EXIT:
                self.exit_org(org_id, reason or ORDERED_EXIT_REASON, on=on, ordered=True)
        return interview_id

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
