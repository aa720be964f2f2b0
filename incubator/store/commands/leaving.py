"""Graduation (出壳) and exit (退出): an organization leaves and its spaces are released."""

from __future__ import annotations

from datetime import date

from ...domain import fields, graduation, warnings
from ...domain.docids import org_doc
from ...domain.errors import N_, DomainError, Text
from ...domain.models import RESIDENT_STAGES, LegalStatus, Stage, english_label
from ...domain.months import month_of, parse_date
from .. import queries
from .hubs import HubCommands
from .writes import set_all

LEFT_STAGES = frozenset({Stage.GRADUATED, Stage.EXITED})


class GraduationRefused(DomainError):
    """Graduation criteria not met; `.unmet` lists them."""

    def __init__(self, unmet: list[graduation.Criterion]) -> None:
        super().__init__(N_("Graduation refused: {count} criteria not met"), count=len(unmet))
        self.unmet = unmet

    def render(self, translate=lambda message: message) -> str:
        """The refusal followed by every unmet criterion, one per line."""
        return super().render(translate) + "".join(
            f"\n  - {criterion.text.render(translate)}" for criterion in self.unmet)


class LeavingCommands(HubCommands):
    """Leaving ends allocations, which live in hub documents: built on the hub commands."""

    def graduation_criteria(self, org: str, on: date | None = None) -> list[graduation.Criterion]:
        """Every criterion on `on` (default today), with the settings in force that month."""
        org_id = queries.resolve_org(self.db, org)
        row = queries.org_row(self.db, org_id)
        self._check_in_a_hub(row)
        day = on or self.today()
        open_case = any(warnings.is_open(case)
                        for case in queries.org_cases(self.db, org_id, day))
        return graduation.graduation_check(
            parse_date(row["entered"]) if row["entered"] else None, day, Stage(row["stage"]),
            LegalStatus(row["legal_status"]), row["stars"], open_case,
            self.settings(month_of(day)),
        )

    def graduate(self, org: str, on: str | None = None, destination: str | None = None,
                 force: bool = False, reason: str | None = None) -> list[graduation.Criterion]:
        """Graduate, or raise `GraduationRefused`; returns the unmet criteria overridden."""
        org_id = queries.resolve_org(self.db, org)
        day = parse_date(on) if on else self.today()
        unmet = graduation.unmet(self.graduation_criteria(org_id, day))
        if force:
            if not (reason or "").strip():
                raise DomainError("--force needs --reason")
            if queries.org_row(self.db, org_id)["stage"] not in RESIDENT_STAGES:
                raise DomainError("Only a resident organization can graduate")
        elif unmet:
            raise GraduationRefused(unmet)
        record = {"on": day.isoformat(),
                  "destination": fields.DESTINATION.clean(destination or ""),
                  "forced": bool(force and unmet),
                  "reason": fields.REASON.clean(reason or "")}
        self._check_leaving_day(org_id, day)
        with self.replica.transaction():
            self.replica.change(
                org_doc(org_id), "Graduated on {date}", {"date": day.isoformat()},
                lambda ed: set_all(ed, {("graduation",): record,
                                        ("profile", "stage"): Stage.GRADUATED.value,
                                        **self._waiver_ends(org_id, day, N_("Graduated"))}))
            self._release_all(org_id, day)
        return unmet if force else []

    def exit_org(self, org: str, reason: str, on: str | None = None,
                 ordered: bool = False) -> None:
        org_id = queries.resolve_org(self.db, org)
        row = queries.org_row(self.db, org_id)
        self._check_in_a_hub(row)
        if row["stage"] in LEFT_STAGES:
            raise DomainError("{name} has already left (stage {stage})",
                              name=row["name"], stage=Text(english_label(Stage(row["stage"]))))
        text = fields.REASON.clean(reason, required=True)
        day = parse_date(on) if on else self.today()
        self._check_leaving_day(org_id, day)
        record = {"on": day.isoformat(), "reason": text, "ordered": bool(ordered)}
        summary = N_("Ordered to leave on {date}: {reason}") if ordered else \
            N_("Exited on {date}: {reason}")
        with self.replica.transaction():
            self.replica.change(
                org_doc(org_id), summary, {"date": day.isoformat(), "reason": text},
                lambda ed: set_all(ed, {("exit",): record,
                                        ("profile", "stage"): Stage.EXITED.value,
                                        **self._waiver_ends(org_id, day, N_("Exited"))}))
            self._release_all(org_id, day)

    def _check_leaving_day(self, org_id: str, day: date) -> None:
        """An organization leaves no earlier than it entered, and so that no interview and
        no annual review of it falls after it left."""
        entered = queries.org_row(self.db, org_id)["entered"]
        if entered and day.isoformat() < entered:
            raise DomainError("{date} is before the organization entered ({entered})",
                              date=day.isoformat(), entered=entered)
        interviews = [row["on_date"] for row in queries.interviews(self.db, org_id)]
        if interviews and day.isoformat() < max(interviews):
            raise DomainError("{date} is before the organization's latest warning interview "
                              "({interview})", date=day.isoformat(), interview=max(interviews))
        years = [row["year"] for row in queries.org_reviews(self.db, org_id)]
        if years and day.year < max(years):
            raise DomainError("{date} is before the year of the organization's latest annual "
                              "review ({year})", date=day.isoformat(), year=max(years))

    def _waiver_ends(self, org_id: str, day: date, reason: str) -> dict[tuple[str, ...], str]:
        """Writes that end every waiver of the organization still in force on `day`
        (or starting later) from `day` on, as exit and graduation do."""
        writes: dict[tuple[str, ...], str] = {}
        for waiver in queries.waivers(self.db, day, org_id=org_id):
            if waiver["last_day"] >= day.isoformat() and not waiver["ended_on"]:
                writes[("waivers", waiver["id"], "ended_on")] = day.isoformat()
                writes[("waivers", waiver["id"], "end_reason")] = reason
        return writes
