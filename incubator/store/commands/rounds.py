"""Venture-philanthropy rounds (公益创投), awards and the time bank (爱心储蓄).

Needs go into one document per community (a handful a year each, so it stays small; a
field laptop visiting a village writes that village's), library projects one document
each (an evaluator merges needs into them), a round one document (its profile and its
funding decision, one value), and each application one document holding its reviews,
evaluations, payments and recoveries: every save re-reads its document whole, so a
review or a phase written into one round-wide document would grow with every
application of the round. A volunteer's time-bank account is one document.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from ...domain import fieldwork, organization
from ...domain import rounds as rules
from ...domain.docids import (
    application_doc, needs_doc, org_doc, person_doc, project_doc, round_doc,
)
from ...domain.errors import N_, DomainError
from ...domain.models import (
    EvaluationMethod, EvaluationPhase, EvaluationResult, NeedSource, ReviewerKind, ServiceArea,
    english_label, parse_enum,
)
from ...domain.months import parse_date
from ...domain.names import name_key
from .. import queries
from .base import Commands, refuse_duplicate
from .writes import set_all


def _day(text: str | None, today: date) -> date:
    """A date as typed (default today), never in the future."""
    day = parse_date(text) if text else today
    if day > today:
        raise DomainError("Date {date} is in the future", date=day.isoformat())
    return day


class RoundCommands(Commands):
    """Needs → library projects → rounds and applications → reviews → funding → the
    funded projects' evaluations, payments and recoveries; awards."""

    # -- 居民点单: needs ------------------------------------------------------

    def add_need(self, community: str, area: str, description: str, source: str = "",
                 on: str | None = None, asked_by: str = "") -> str:
        """A need residents ordered, in its community's document; returns its id."""
        place = organization.clean_text(community, N_("Community or village"), 60,
                                        required=True)
        record = {
            "community": place, "area": parse_enum(ServiceArea, area).value,
            "description": organization.clean_text(description, N_("Description"), 500,
                                                   required=True),
            "source": parse_enum(NeedSource, source or NeedSource.QUESTIONNAIRE.value).value,
            "asked_by": organization.clean_text(asked_by, N_("Asked by"), 40),
            "on": _day(on, self.today()).isoformat(),
            "by": self.replica.identity.device_name,
        }
        need_id = self._new_id()
        document = queries.needs_document(self.db, place) or needs_doc(self._new_id())
        self.replica.change(document, "Recorded a need of {community}: {description}",
                            {"community": place, "description": record["description"][:40]},
                            lambda ed: set_all(ed, {("needs", need_id): record}), create=True)
        return need_id

    # -- 社区制单: the project library -----------------------------------------

    def _free_needs(self, needs: list[str], project_id: str | None = None) -> list[dict]:
        """The needs named, each merged into no other project yet."""
        found = {}
        for text in needs:
            need = queries.resolve_need(self.db, text)
            found[need["id"]] = need
        if not found:
            raise DomainError("Name at least one need (--need)")
        for row in queries.needs(self.db):
            if row["id"] in found and set(row["projects"]) - {project_id}:
                raise DomainError("Need {need} is already merged into library project "
                                  "{project}", need=row["id"], project=row["projects"][0])
        return list(found.values())

    def add_project(self, title: str, needs: list[str], budget: Any = None,
                    beneficiaries: Any = None, area: str = "", target_group: str = "",
                    on: str | None = None) -> str:
        """A library project answering `needs` (merged into it), drafted on `on` (default
        today); returns its id."""
        name = organization.clean_text(title, N_("Title"), 100, required=True)
        for row in queries.library(self.db):
            if name_key(row["title"]) == name_key(name):
                refuse_duplicate(name, row["title"],
                                 N_("A library project named {name} already exists"))
        merged = self._free_needs(needs)
        project_id = self._new_id()
        day = _day(on, self.today()).isoformat()
        profile = {
            "title": name,
            "area": parse_enum(ServiceArea, area).value if area else merged[0]["area"],
            "budget": None if budget in (None, "") else rules.clean_yuan(
                budget, N_("The budget ceiling")),
            "beneficiaries": None if beneficiaries in (None, "") else fieldwork.clean_count(
                beneficiaries, N_("Expected beneficiaries")),
            "target_group": organization.clean_text(target_group, N_("Target group"), 100),
            "created_on": day, "by": self.replica.identity.device_name,
        }
        self.replica.change(
            project_doc(project_id), "Merged {count} needs into library project {title}",
            {"count": len(merged), "title": name},
            lambda ed: set_all(ed, {("profile",): profile,
                                    **{("needs", need["id"]): day for need in merged}}),
            create=True)
        return project_id

    def merge_needs(self, project: str, needs: list[str]) -> str:
        """Merge more needs into a library project."""
        row = queries.resolve_project(self.db, project)
        merged = self._free_needs(needs, row["id"])
        today = self.today().isoformat()
        self.replica.change(
            project_doc(row["id"]), "Merged {count} needs into library project {title}",
            {"count": len(merged), "title": row["title"]},
            lambda ed: set_all(ed, {("needs", need["id"]): today for need in merged}))
        return row["id"]

    # -- rounds and applications (社会组织承单) ---------------------------------

    def add_round(self, name: str, budget: Any, opens: str, closes: str,
                  eligibility: str = "") -> str:
        """A round with its budget and call dates; returns its id."""
        title = organization.clean_text(name, N_("Name"), 100, required=True)
        existing = queries.round_named(self.db, title)
        if existing:
            refuse_duplicate(title, existing, N_("A round named {name} already exists"))
        start, end = parse_date(opens), parse_date(closes)
        rules.check_round(start, end)
        profile = {"name": title, "budget": rules.clean_yuan(budget, N_("The budget")),
                   "opens": start.isoformat(), "closes": end.isoformat(),
                   "eligibility": organization.clean_text(eligibility, N_("Eligibility"), 500),
                   "created_on": self.today().isoformat()}
        round_id = self._new_id()
        self.replica.change(round_doc(round_id), "Opened round {name}", {"name": title},
                            lambda ed: set_all(ed, {("profile",): profile}), create=True)
        return round_id

    def add_application(self, round_: str, org: str, project: str, amount: Any,
                        plan: str = "", on: str | None = None) -> str:
        """An organization applies for a library project (refused while it has an open
        warning case); returns the application's id."""
        round_row = queries.resolve_round(self.db, round_)
        org_id = queries.resolve_org(self.db, org)
        name = queries.org_name(self.db, org_id)
        project_row = queries.resolve_project(self.db, project)
        day = parse_date(on) if on else self.today()
        rules.check_application_day(day, round_row["opens"], round_row["closes"], self.today())
        bar = queries.warning_bar(self.db, org_id, self.today())
        if bar is not None:
            raise DomainError("{name} cannot apply: {reason}", name=name, reason=bar)
        requested = rules.clean_yuan(amount, N_("The amount"))
        rules.check_amount_fits(requested, project_row["budget"], round_row["budget"])
        if any(row["project_id"] == project_row["id"] for row in
               queries.applications(self.db, round_row["id"], org_id=org_id)):
            raise DomainError("{name} has already applied for {project} in this round",
                              name=name, project=project_row["title"])
        profile = {"round": round_row["id"], "org": org_id, "project": project_row["id"],
                   "amount": requested,
                   "plan": organization.clean_text(plan, N_("Plan"), 2000),
                   "on": day.isoformat(), "by": self.replica.identity.device_name}
        application_id = self._new_id()
        self.replica.change(application_doc(application_id),
                            "{name} applied for {project} ({amount} yuan)",
                            {"name": name, "project": project_row["title"],
                             "amount": rules.yuan_text(requested)},
                            lambda ed: set_all(ed, {("profile",): profile}), create=True)
        return application_id

    def _undecided(self, round_row: dict) -> None:
        if round_row["decided_on"]:
            raise DomainError("The funding of round {name} was decided on {date}: reviews are "
                              "closed", name=round_row["name"], date=round_row["decided_on"])

    def review_application(self, application: str, reviewer: str, kind: str,
                           scores: list[str], on: str | None = None) -> float:
        """One reviewer's scores of an application (scoring again replaces them); returns
        the reviewer's weighted score."""
        row = queries.resolve_application(self.db, application)
        round_row = queries.resolve_round(self.db, row["round_id"])
        self._undecided(round_row)
        judged = queries.round_rules(self.db, round_row)
        person = organization.clean_text(reviewer, N_("Reviewer"), 40, required=True)
        reviewer_kind = parse_enum(ReviewerKind, kind)
        cleaned = rules.clean_scores(judged.criteria, scores)
        record = {"reviewer": person, "kind": reviewer_kind.value,
                  "scores": json.dumps(cleaned, sort_keys=True),
                  "on": _day(on, self.today()).isoformat(),
                  "by": self.replica.identity.device_name}
        key = hashlib.sha256(name_key(person).encode()).hexdigest()[:12]
        weighted = rules.weighted_score(judged.criteria, cleaned)
        self.replica.change(application_doc(row["id"]), "{reviewer} ({kind}) scored {score}",
                            {"reviewer": person, "kind": {"msgid": english_label(reviewer_kind)},
                             "score": f"{weighted:.1f}"},
                            lambda ed: set_all(ed, {("reviews", key): record}))
        return weighted

    def fund_round(self, round_: str, top: int | None = None,
                   on: str | None = None) -> list[rules.Decision]:
        """Decide the funding of a round in rank order within its budget (again, until a
        tranche is paid or a phase evaluated), on `on` (default today); returns every
        application's decision with its reason."""
        round_row = queries.resolve_round(self.db, round_)
        today = self.today()
        day = _day(on, today)
        if day.isoformat() <= round_row["closes"]:
            raise DomainError("The call of round {name} is open until {closes}: funding is "
                              "decided after it closes", name=round_row["name"],
                              closes=round_row["closes"])
        found = queries.applications(self.db, round_row["id"])
        if any(row["paid"] or row["phases"] for row in found):
            raise DomainError("Tranches of round {name} are paid or its projects evaluated: "
                              "its funding decision stays as it is", name=round_row["name"])
        if top is not None and not 1 <= top <= 10_000:
            raise DomainError("--top must be between 1 and 10000")
        standing = queries.standing(self.db, round_row["id"], today)
        decisions = rules.fund(standing.ranked, round_row["budget"], standing.rules, top)
        funded = [{"application": d.application, "amount": d.amount, "rank": d.rank}
                  for d in decisions if d.funded]
        record = {"on": day.isoformat(), "by": self.replica.identity.device_name,
                  "top": top, "funded": json.dumps(funded, sort_keys=True)}
        self.replica.change(round_doc(round_row["id"]),
                            "Funded {count} projects of round {name}: {amount} yuan",
                            {"count": len(funded), "name": round_row["name"],
                             "amount": rules.yuan_text(sum(f["amount"] for f in funded))},
                            lambda ed: set_all(ed, {("decision",): record}))
        return decisions

    # -- the funded projects ---------------------------------------------------

    def _funded(self, application: str) -> tuple[dict, dict]:
        """(application row, round row) of a funded project, else refused."""
        row = queries.resolve_application(self.db, application)
        round_row = queries.resolve_round(self.db, row["round_id"])
        if not row["funded"]:
            raise DomainError("Application {id} ({name}) is not funded", id=row["id"],
                              name=row["org_name"])
        return row, round_row

    def _after_decision(self, on: str | None, round_row: dict) -> date:
        day = _day(on, self.today())
        if day.isoformat() < round_row["decided_on"]:
            raise DomainError("Date {date} is before the funding decision ({decided})",
                              date=day.isoformat(), decided=round_row["decided_on"])
        return day

    def add_evaluation(self, application: str, phase: str, method: str, result: str, *,
                       beneficiaries: Any = None, person_times: Any = None,
                       findings: str = "", deadline: str | None = None,
                       on: str | None = None) -> str:
        """A third-party evaluation of one phase of a funded project; returns its id."""
        row, round_row = self._funded(application)
        day = self._after_decision(on, round_row)
        evaluation_phase = parse_enum(EvaluationPhase, phase)
        evaluation_result = parse_enum(EvaluationResult, result)
        due = parse_date(deadline).isoformat() if deadline else None
        rules.check_evaluation(evaluation_phase, evaluation_result, day, due,
                               queries.domain_evaluations(queries.evaluations(self.db, row["id"])),
                               self.today())
        record = {"phase": evaluation_phase.value,
                  "method": parse_enum(EvaluationMethod, method).value,
                  "result": evaluation_result.value,
                  "beneficiaries": fieldwork.clean_count(beneficiaries, N_("Beneficiaries")),
                  "person_times": fieldwork.clean_count(person_times, N_("Person-times")),
                  "findings": organization.clean_text(findings, N_("Findings"), 2000),
                  "deadline": due, "on": day.isoformat(),
                  "by": self.replica.identity.device_name}
        evaluation_id = self._new_id()
        self.replica.change(application_doc(row["id"]), "{phase} on {date}: {result}",
                            {"phase": {"msgid": english_label(evaluation_phase)},
                             "date": record["on"],
                             "result": {"msgid": english_label(evaluation_result)}},
                            lambda ed: set_all(ed, {("evaluations", evaluation_id): record}))
        return evaluation_id

    def add_payment(self, application: str, amount: Any, on: str | None = None,
                    note: str = "") -> str:
        """A tranche paid to a funded project (政府买单); returns its id."""
        row, round_row = self._funded(application)
        paid = rules.clean_yuan(amount, N_("The amount"))
        rules.check_payment(paid, row["agreed"], row["paid"])
        record = {"amount": paid, "on": self._after_decision(on, round_row).isoformat(),
                  "note": organization.clean_text(note, N_("Note"), 200),
                  "by": self.replica.identity.device_name}
        payment_id = self._new_id()
        self.replica.change(application_doc(row["id"]), "Paid {amount} yuan on {date}",
                            {"amount": rules.yuan_text(paid), "date": record["on"]},
                            lambda ed: set_all(ed, {("payments", payment_id): record}))
        return payment_id

    def add_recovery(self, application: str, amount: Any, reason: str,
                     on: str | None = None) -> str:
        """Funds recovered (追回) from a project, with the reason; returns its id."""
        row, round_row = self._funded(application)
        recovered = rules.clean_yuan(amount, N_("The amount"))
        rules.check_recovery(recovered, row["paid"], row["recovered"])
        record = {"amount": recovered,
                  "reason": organization.clean_text(reason, N_("Reason"), 500, required=True),
                  "on": self._after_decision(on, round_row).isoformat(),
                  "by": self.replica.identity.device_name}
        recovery_id = self._new_id()
        self.replica.change(application_doc(row["id"]), "Recovered {amount} yuan: {reason}",
                            {"amount": rules.yuan_text(recovered), "reason": record["reason"]},
                            lambda ed: set_all(ed, {("recoveries", recovery_id): record}))
        return recovery_id

    # -- awards ---------------------------------------------------------------

    def add_award(self, org: str, year: int, title: str, amount: Any = None) -> str:
        """An award (表彰/奖励) to an organization for a year; returns its id."""
        org_id = queries.resolve_org(self.db, org)
        rules.check_award_year(int(year), self.today(), queries.org_row(self.db, org_id)["since"])
        record = {"year": int(year),
                  "title": organization.clean_text(title, N_("Title"), 100, required=True),
                  "amount": None if amount in (None, "") else rules.clean_yuan(
                      amount, N_("The amount"), maximum=10_000_000),
                  "by": self.replica.identity.device_name}
        award_id = self._new_id()
        self.replica.change(org_doc(org_id), "Awarded {title} ({year})",
                            {"title": record["title"], "year": record["year"]},
                            lambda ed: set_all(ed, {("awards", award_id): record}))
        return award_id


class TimebankCommands(Commands):
    """Volunteers bank service hours and later draw service (爱心储蓄, 以服务换服务)."""

    def deposit_hours(self, person: str, hours: Any, org: str | None = None,
                      on: str | None = None, note: str = "") -> str:
        """Bank hours a volunteer served (a new account when the name is new, belonging to
        `org`); returns the account's id. Hours banked through an organization (`org`)
        may count towards its service for rent, when its waiver says so."""
        org_id = queries.resolve_org(self.db, org) if org else None
        account = queries.find_person(self.db, person)
        entry = self._entry("deposit", hours, on, note)
        person_id = account["id"] if account else self._new_id()
        entry["org"] = org_id
        writes: dict[tuple[str, ...], Any] = {("entries", self._new_id()): entry}
        if account is None:
            writes[("profile",)] = {
                "name": organization.clean_name(person, 40), "org": org_id,
                "created_on": self.today().isoformat()}
        name = writes[("profile",)]["name"] if account is None else account["name"]
        self.replica.change(person_doc(person_id), "{name} banked {hours} hours",
                            {"name": name, "hours": f"{entry['hours']:g}"},
                            lambda ed: set_all(ed, writes), create=account is None)
        return person_id

    def draw_hours(self, person: str, hours: Any, on: str | None = None,
                   note: str = "") -> str:
        """Draw service from a volunteer's balance (never below 0); returns the entry's id."""
        account = queries.resolve_person(self.db, person)
        entry = self._entry("draw", hours, on, note)
        rules.check_draw(entry["hours"], entry["on"], [
            (row["on_date"], row["kind"], row["hours"])
            for row in queries.bank_entries(self.db, person_id=account["id"])])
        entry_id = self._new_id()
        self.replica.change(person_doc(account["id"]), "{name} drew {hours} hours",
                            {"name": account["name"], "hours": f"{entry['hours']:g}"},
                            lambda ed: set_all(ed, {("entries", entry_id): entry}))
        return entry_id

    def _entry(self, kind: str, hours: Any, on: str | None, note: str) -> dict[str, Any]:
        return {"kind": kind, "hours": rules.clean_bank_hours(hours),
                "on": _day(on, self.today()).isoformat(),
                "note": organization.clean_text(note, N_("Note"), 200),
                "by": self.replica.identity.device_name}

