"""Venture-philanthropy rounds: needs, the project library, applications, their review
totals and ranking, funding, the funded projects' phases and money, and the totals.

A round's ranking is judged by the domain (`domain.rounds`) with the settings in force
in the month its call closes; an organization's eligibility (no open warning case) is
judged as of today.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ...domain import rounds as rules
from ...domain import warnings
from ...domain.errors import N_, DomainError, Text
from ...domain.models import (
    EvaluationMethod, EvaluationPhase, EvaluationResult, NeedSource, ReviewerKind, ServiceArea,
    english_label, label,
)
from ...domain.names import name_key
from .base import Row, id_list, rows, value
from .network import settings_timeline
from .warnings import org_cases


def _resolve(db, table: str, text: str, unknown: str, name_column: str | None = None) -> Row:
    """The one row of `table` whose id (or `name_column`) is `text`, or whose id starts
    with it."""
    wanted = (text or "").strip()
    if not wanted:
        raise DomainError(unknown, value=text or "")
    named = f" OR {name_column} = ?" if name_column else ""
    exact = rows(db, f"SELECT * FROM {table} WHERE id = ?{named}",
                 (wanted, wanted) if name_column else (wanted,))
    if len(exact) == 1:
        return exact[0]
    found = exact or rows(db, f"SELECT * FROM {table} WHERE id LIKE ? LIMIT 6",
                          (wanted.lower().replace("%", "").replace("_", "") + "%",))
    if len(found) == 1:
        return found[0]
    if found:
        raise DomainError("{value} matches several: {matches}", value=wanted, matches=", ".join(
            f"{row['id']} {row[name_column]}" if name_column else row["id"] for row in found[:5]))
    raise DomainError(unknown, value=wanted)


# -- needs and the project library ---------------------------------------------


def needs(db, *, community: str | None = None) -> list[Row]:
    """Every need (of one community), oldest first, with the projects it was merged into."""
    found = rows(db, """
        SELECT n.id, n.community, n.area, n.description, n.source, n.asked_by, n.on_date,
          n.recorded_by,
          (SELECT json_group_array(p.project_id) FROM project_needs p WHERE p.need_id = n.id)
            AS projects
        FROM needs n WHERE ? IS NULL OR n.community_key = ?
        ORDER BY n.on_date, n.community, n.id""",
                 (community, name_key(community) if community else None))
    for row in found:
        row["projects"] = sorted(json.loads(row["projects"]))
    return found


def needs_document(db, community: str) -> str | None:
    """The document holding a community's needs, if it has one (the first, when two
    replicas each began one at the same time)."""
    return value(db, "SELECT doc_id FROM needs WHERE community_key = ? ORDER BY doc_id LIMIT 1",
                 (name_key(community),))


def resolve_need(db, text: str) -> Row:
    return _resolve(db, "needs", text, N_("Unknown need: {value}"))


def library(db) -> list[Row]:
    """Every library project, oldest first, with the needs it answers."""
    found = rows(db, """
        SELECT l.id, l.title, l.area, l.budget, l.target_group, l.beneficiaries, l.created_on,
          l.recorded_by, l.need_count,
          (SELECT json_group_array(p.need_id) FROM project_needs p WHERE p.project_id = l.id)
            AS needs
        FROM library l ORDER BY l.created_on, l.title, l.id""")
    for row in found:
        row["needs"] = sorted(json.loads(row["needs"]))
    return found


def resolve_project(db, text: str) -> Row:
    return _resolve(db, "library", text, N_("Unknown library project: {value}"), "title")


# -- rounds and applications ----------------------------------------------------


def resolve_round(db, text: str) -> Row:
    return _resolve(db, "rounds", text, N_("Unknown round: {value}"), "name")


def round_options(db) -> list[tuple[str, str]]:
    """(name, id) of every round, newest call first, for pickers."""
    return [(row["name"], row["id"]) for row in db.query(
        "SELECT id, name FROM rounds ORDER BY opens DESC, name, id")]


def round_named(db, name: str) -> str | None:
    return value(db, "SELECT name FROM rounds WHERE name_key = ?", (name_key(name),))


def round_rules(db, round_row: Row) -> rules.RoundRules:
    """The rules a round is judged by: the settings in force when its call closes."""
    return rules.RoundRules.of(settings_timeline(db).at(round_row["closes"][:7]))


APPLICATION_SQL = """
    SELECT a.id, a.round_id, r.name AS round, a.org_id, o.name AS org_name, h.name AS hub,
      a.project_id, l.title AS project, coalesce(l.area, 'other') AS area, l.budget AS ceiling,
      a.amount, a.plan, a.on_date, a.recorded_by, f.amount AS agreed, f.rank AS funded_rank,
      o.stars, o.stars_year,
      (SELECT count(*) FROM round_reviews v WHERE v.application_id = a.id) AS reviews,
      coalesce((SELECT sum(p.amount) FROM payments p WHERE p.application_id = a.id), 0.0)
        AS paid,
      coalesce((SELECT sum(c.amount) FROM recoveries c WHERE c.application_id = a.id), 0.0)
        AS recovered
    FROM applications a
    JOIN rounds r ON r.id = a.round_id
    LEFT JOIN organizations o ON o.id = a.org_id
    LEFT JOIN hubs h ON h.id = o.hub_id
    LEFT JOIN library l ON l.id = a.project_id
    LEFT JOIN funding f ON f.round_id = a.round_id AND f.application_id = a.id"""


def resolve_application(db, text: str) -> Row:
    found = _resolve(db, "applications", text, N_("Unknown application: {value}"))
    return application(db, found["id"])


def application(db, application_id: str) -> Row:
    row = rows(db, f"{APPLICATION_SQL} WHERE a.id = ?", (application_id,))[0]
    return _with_figures(db, [row])[0]


def _evaluations(db, application_ids: list[str]) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {}
    for row in db.query("""
            SELECT id, application_id, phase, method, result, beneficiaries, person_times,
              findings, deadline, on_date, evaluated_by
            FROM evaluations WHERE application_id IN (SELECT value FROM json_each(?))
            ORDER BY on_date, id""", [id_list(application_ids)]):
        found.setdefault(row["application_id"], []).append(dict(row))
    return found


def domain_evaluations(found: Iterable[Row]) -> list[rules.Evaluation]:
    return [rules.Evaluation(e["id"], EvaluationPhase(e["phase"]), e["on_date"],
                             EvaluationResult(e["result"]), e["beneficiaries"],
                             e["person_times"], e["deadline"]) for e in found]


def _with_figures(db, found: list[Row]) -> list[Row]:
    """Each application with its funded state, its phases' latest results and its figures
    (beneficiaries, person-times of its latest phase)."""
    by_application = _evaluations(db, [row["id"] for row in found])
    for row in found:
        evaluations = domain_evaluations(by_application.get(row["id"], []))
        latest = rules.latest_by_phase(evaluations)
        row["funded"] = row["agreed"] is not None
        row["phases"] = {phase.value: latest[phase].result.value for phase in latest}
        row["beneficiaries"], row["person_times"] = rules.project_figures(evaluations)
        row["open_rectification"] = next(
            (e.deadline for e in latest.values() if e.result is EvaluationResult.RECTIFY), None)
    return found


def applications(db, round_id: str | None = None, *, org_id: str | None = None) -> list[Row]:
    """The applications of a round (or of an organization), in the order they came."""
    found = rows(db, f"""{APPLICATION_SQL}
        WHERE (? IS NULL OR a.round_id = ?) AND (? IS NULL OR a.org_id = ?)
        ORDER BY a.on_date, o.name, a.id""", (round_id, round_id, org_id, org_id))
    return _with_figures(db, found)


def reviews_of(db, application_ids: list[str]) -> list[Row]:
    found = rows(db, """
        SELECT application_id, reviewer_key, reviewer, kind, scores, on_date, recorded_by
        FROM round_reviews WHERE application_id IN (SELECT value FROM json_each(?))
        ORDER BY application_id, kind, reviewer""", [id_list(application_ids)])
    for row in found:
        row["scores"] = json.loads(row["scores"])
    return found


def evaluations(db, application_id: str) -> list[Row]:
    """A project's evaluations, oldest first."""
    return _evaluations(db, [application_id]).get(application_id, [])


def money(db, application_id: str) -> list[Row]:
    """A project's payments and recoveries, oldest first (`kind`: payment or recovery)."""
    return rows(db, """
        SELECT 'payment' AS kind, id, amount, on_date, note AS text, recorded_by FROM payments
        WHERE application_id = :a
        UNION ALL
        SELECT 'recovery', id, amount, on_date, reason, recorded_by FROM recoveries
        WHERE application_id = :a
        ORDER BY on_date, kind, id""", {"a": application_id})


def warning_bar(db, org_id: str, today: date) -> Text | None:
    """Why an organization may not apply or be funded now: an open warning case."""
    case = next((c for c in org_cases(db, org_id, today) if warnings.is_open(c)), None)
    if case is None:
        return None
    return Text(N_("it has an open warning case ({case}: {status})"),
                {"case": case.id, "status": Text(english_label(case.status))})


@dataclass(frozen=True)
class Standing:
    """A round's applications ranked, with the rules used and each one's review figures."""

    round: Row
    rules: rules.RoundRules
    ranked: list[rules.Ranked]
    by_id: dict[str, Row] = field(default_factory=dict)  # application id → its row
    kind_means: dict[str, dict[str, float]] = field(default_factory=dict)


def standing(db, round_id: str, today: date) -> Standing:
    """Every application of the round ranked (see `domain.rounds.rank`)."""
    round_row = resolve_round(db, round_id)
    judged = round_rules(db, round_row)
    found = applications(db, round_row["id"])
    reviews: dict[str, list[rules.Review]] = {}
    for review in reviews_of(db, [row["id"] for row in found]):
        reviews.setdefault(review["application_id"], []).append(rules.Review(
            review["reviewer"], ReviewerKind(review["kind"]),
            rules.weighted_score(judged.criteria, review["scores"])))
    bars = {org_id: warning_bar(db, org_id, today) for org_id in {r["org_id"] for r in found}}
    candidates = [rules.Candidate(
        row["id"], row["project_id"], row["amount"], row["on_date"],
        tuple(reviews.get(row["id"], ())), row["stars"], row["stars_year"],
        bars[row["org_id"]]) for row in found]
    means = {application_id: {kind.value: round(mean, 1) for kind, (mean, _n)
                              in rules.kind_means(found_reviews).items()}
             for application_id, found_reviews in reviews.items()}
    return Standing(round_row, judged, rules.rank(candidates, judged),
                    {row["id"]: row for row in found}, means)


def ranking_rows(found: Standing) -> list[Row]:
    """The standing as rows (`reasons` as `Text`, rendered by the caller)."""
    out = []
    for entry in found.ranked:
        row = found.by_id[entry.candidate.id]
        out.append({
            "position": entry.position, "id": row["id"], "org_id": row["org_id"],
            "org_name": row["org_name"], "project": row["project"], "amount": row["amount"],
            "reviews": len(entry.candidate.reviews),
            "total": None if entry.total is None else round(entry.total, 1),
            "score": None if entry.score is None else round(entry.score, 1),
            "priority": entry.priority, "eligible": entry.candidate.barred is None,
            "kinds": found.kind_means.get(row["id"], {}), "funded": row["funded"],
            "agreed": row["agreed"], "reasons": list(entry.reasons),
        })
    return out


def round_summary(db, round_row: Row) -> Row:
    """A round with its totals: applications, funded, amounts funded, paid and recovered,
    beneficiaries and person-times."""
    found = applications(db, round_row["id"])
    funded = [row for row in found if row["funded"]]
    return {**round_row, **_sums(found),
            "left": round(round_row["budget"] - sum(r["agreed"] for r in funded), 2)}


def _sums(found: list[Row]) -> dict[str, Any]:
    funded = [row for row in found if row["funded"]]
    return {
        "applications": len(found), "funded": len(funded),
        "amount_funded": round(sum(r["agreed"] for r in funded), 2),
        "amount_paid": round(sum(r["paid"] for r in found), 2),
        "amount_recovered": round(sum(r["recovered"] for r in found), 2),
        "beneficiaries": sum(r["beneficiaries"] for r in funded),
        "person_times": sum(r["person_times"] for r in funded),
    }


def rounds(db) -> list[Row]:
    """Every round, newest call first, with its totals."""
    return [round_summary(db, row) for row in rows(
        db, "SELECT * FROM rounds ORDER BY opens DESC, name, id")]


TOTALS_BY = ("round", "area", "hub", "org", "year")


def totals(db, by: str) -> list[Row]:
    """The applications' totals grouped by round, service area, hub, organization or the
    year the round's call opened."""
    if by not in TOTALS_BY:
        raise DomainError("--by takes one of {choices}, not {value}",
                          choices=", ".join(TOTALS_BY), value=by[:40])
    years = {row["id"]: row["opens"][:4] for row in rows(db, "SELECT id, opens FROM rounds")}
    key_of = {
        "round": lambda r: r["round"], "area": lambda r: r["area"],
        "hub": lambda r: r["hub"] or "", "org": lambda r: r["org_name"] or r["org_id"],
        "year": lambda r: years.get(r["round_id"], ""),
    }[by]
    groups: dict[str, list[Row]] = {}
    for row in applications(db):
        groups.setdefault(key_of(row), []).append(row)
    return [{by: key, **_sums(found)} for key, found in sorted(groups.items())]


# -- the round's export: rows per sheet -----------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # a msgid, or the label itself when `literal`
    literal: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str  # a msgid
    columns: tuple[Column, ...]
    rows: list[Row]


def round_export(db, round_id: str, today: date, lang: str) -> list[Sheet]:
    """A round as sheets: the needs and the library it could fund, the applications ranked,
    the review scores, the funded list (立项公示), the phases' results and the
    beneficiaries. Values are plain (labels in `lang`), except `Text` reasons."""
    found = standing(db, round_id, today)
    round_row = found.round
    offered = _offered_projects(db, round_row)
    project_ids = {row["id"] for row in offered}
    all_needs = needs(db)
    round_needs = [n for n in all_needs
                   if set(n["projects"]) & project_ids
                   or (not n["projects"] and n["on_date"] <= round_row["closes"])]
    applied = {}
    for row in found.by_id.values():
        applied[row["project_id"]] = applied.get(row["project_id"], 0) + 1
    ranked = ranking_rows(found)
    by_id = found.by_id
    criteria = found.rules.criteria
    reviews = reviews_of(db, list(by_id))
    funded = sorted((r for r in ranked if r["funded"]), key=lambda r: by_id[r["id"]]["funded_rank"] or 0)
    phase_rows = []
    for application_id in [r["id"] for r in funded]:
        row = by_id[application_id]
        for e in evaluations(db, application_id):
            phase_rows.append({
                "application": application_id, "org_name": row["org_name"],
                "project": row["project"], "phase": label(EvaluationPhase(e["phase"]), lang),
                "method": label(EvaluationMethod(e["method"]), lang),
                "result": label(EvaluationResult(e["result"]), lang), "on_date": e["on_date"],
                "findings": e["findings"], "deadline": e["deadline"],
                "beneficiaries": e["beneficiaries"], "person_times": e["person_times"],
                "evaluated_by": e["evaluated_by"]})
    beneficiaries = [{"org_name": by_id[r["id"]]["org_name"], "project": r["project"],
                      "area": label(ServiceArea(by_id[r["id"]]["area"]), lang),
                      "beneficiaries": by_id[r["id"]]["beneficiaries"],
                      "person_times": by_id[r["id"]]["person_times"]} for r in funded]
    beneficiaries.append({"org_name": Text(N_("Sum")), "project": "", "area": "",
                          "beneficiaries": sum(r["beneficiaries"] for r in beneficiaries),
                          "person_times": sum(r["person_times"] for r in beneficiaries)})
    return [
        Sheet(N_("Needs"), (
            Column("id", N_("Id")), Column("community", N_("Community or village")),
            Column("area", N_("Service area")), Column("description", N_("Description")),
            Column("source", N_("How gathered")), Column("asked_by", N_("Asked by")),
            Column("on_date", N_("Date")), Column("projects", N_("Library projects"))),
            [{**n, "area": label(ServiceArea(n["area"]), lang),
              "source": label(NeedSource(n["source"]), lang),
              "projects": " ".join(n["projects"])} for n in round_needs]),
        Sheet(N_("Library"), (
            Column("id", N_("Id")), Column("title", N_("Title")),
            Column("area", N_("Service area")), Column("budget", N_("Budget ceiling (yuan)")),
            Column("target_group", N_("Target group")),
            Column("beneficiaries", N_("Expected beneficiaries")),
            Column("need_count", N_("Needs")), Column("applications", N_("Applications"))),
            [{**p, "area": label(ServiceArea(p["area"]), lang),
              "applications": applied.get(p["id"], 0)} for p in offered]),
        Sheet(N_("Applications"), (
            Column("position", N_("Rank")), Column("id", N_("Id")),
            Column("org_name", N_("Organization")), Column("project", N_("Project")),
            Column("amount", N_("Requested (yuan)")), Column("reviews", N_("Reviewers")),
            Column("total", N_("Review total")), Column("score", N_("Score with priority")),
            Column("reasons", N_("Reasons"))), ranked),
        Sheet(N_("Review scores"), (
            Column("application", N_("Application")), Column("org_name", N_("Organization")),
            Column("reviewer", N_("Reviewer")), Column("kind", N_("Reviewer kind")),
            *(Column(c.key, c.label(lang), literal=True) for c in criteria),
            Column("weighted", N_("Weighted score")), Column("on_date", N_("Date"))),
            [{"application": v["application_id"],
              "org_name": by_id[v["application_id"]]["org_name"], "reviewer": v["reviewer"],
              "kind": label(ReviewerKind(v["kind"]), lang), **v["scores"],
              "weighted": round(rules.weighted_score(criteria, v["scores"]), 1),
              "on_date": v["on_date"]} for v in reviews]),
        Sheet(N_("Funded (public notice)"), (
            Column("rank", N_("Rank")), Column("org_name", N_("Organization")),
            Column("project", N_("Project")), Column("area", N_("Service area")),
            Column("agreed", N_("Agreed (yuan)")), Column("paid", N_("Paid (yuan)")),
            Column("recovered", N_("Recovered (yuan)"))),
            [{"rank": by_id[r["id"]]["funded_rank"], "org_name": r["org_name"],
              "project": r["project"], "area": label(ServiceArea(by_id[r["id"]]["area"]), lang),
              "agreed": r["agreed"], "paid": by_id[r["id"]]["paid"],
              "recovered": by_id[r["id"]]["recovered"]} for r in funded]),
        Sheet(N_("Phase results"), (
            Column("application", N_("Application")), Column("org_name", N_("Organization")),
            Column("project", N_("Project")), Column("phase", N_("Phase")),
            Column("method", N_("Method")), Column("result", N_("Result")),
            Column("on_date", N_("Date")), Column("findings", N_("Findings")),
            Column("deadline", N_("Rectification deadline")),
            Column("beneficiaries", N_("Beneficiaries")),
            Column("person_times", N_("Person-times")),
            Column("evaluated_by", N_("Evaluated by"))), phase_rows),
        Sheet(N_("Beneficiaries and person-times"), (
            Column("org_name", N_("Organization")), Column("project", N_("Project")),
            Column("area", N_("Service area")), Column("beneficiaries", N_("Beneficiaries")),
            Column("person_times", N_("Person-times"))), beneficiaries),
    ]


def _offered_projects(db, round_row: Row) -> list[Row]:
    """The library as the round could fund it: the projects applied for in it, and those
    created by the call's close and not funded in a round that closed before this one."""
    funded_before = {row[0] for row in db.execute("""
        SELECT a.project_id FROM funding f JOIN applications a ON a.id = f.application_id
        JOIN rounds r ON r.id = f.round_id WHERE r.closes < ? AND r.id != ?""",
        (round_row["closes"], round_row["id"]))}
    applied = {row[0] for row in db.execute(
        "SELECT project_id FROM applications WHERE round_id = ?", (round_row["id"],))}
    return [p for p in library(db) if p["id"] in applied or (
        p["created_on"] <= round_row["closes"] and p["id"] not in funded_before)]


# -- awards and the time bank ------------------------------------------------------


def awards(db, *, org_id: str | None = None, year: int | None = None) -> list[Row]:
    """Awards (表彰/奖励), newest year first."""
    return rows(db, """
        SELECT w.id, w.org_id, o.name AS org_name, h.name AS hub, w.year, w.title, w.amount,
          w.recorded_by
        FROM awards w JOIN organizations o ON o.id = w.org_id LEFT JOIN hubs h ON h.id = o.hub_id
        WHERE (? IS NULL OR w.org_id = ?) AND (? IS NULL OR w.year = ?)
        ORDER BY w.year DESC, o.name, w.id""", (org_id, org_id, year, year))


def find_person(db, text: str) -> Row | None:
    """A time-bank account by its name, its id or an id prefix; None when there is none
    (refused when two people share the name: give the id)."""
    wanted = (text or "").strip()
    named = rows(db, "SELECT * FROM bank_accounts WHERE name_key = ? ORDER BY id LIMIT 6",
                 (name_key(wanted),)) if wanted else []
    if len(named) > 1:
        raise DomainError("{value} matches several: {matches}", value=wanted, matches=", ".join(
            f"{row['id']} {row['name']}" for row in named))
    if named:
        return named[0]
    try:
        return _resolve(db, "bank_accounts", wanted, N_("Unknown time-bank account: {value}"))
    except DomainError as error:
        if error.text.params.get("matches"):
            raise
        return None


def resolve_person(db, text: str) -> Row:
    """A time-bank account (see `find_person`), else refused."""
    found = find_person(db, text)
    if found is None:
        raise DomainError("Unknown time-bank account: {value}", value=(text or "").strip())
    return found


BALANCE_SQL = """
    coalesce(sum(CASE e.kind WHEN 'deposit' THEN e.hours ELSE 0 END), 0.0) AS deposited,
    coalesce(sum(CASE e.kind WHEN 'draw' THEN e.hours ELSE 0 END), 0.0) AS drawn"""


def bank_accounts(db, *, org_id: str | None = None) -> list[Row]:
    """Every account with its hours deposited, drawn and its balance (`overdrawn` when
    two replicas drew at once and together took more than there was); with `org_id`, the
    accounts of that organization's volunteers and the hours banked through it."""
    found = rows(db, f"""
        SELECT b.id, b.name, b.org_id, o.name AS org_name, {BALANCE_SQL}
        FROM bank_accounts b LEFT JOIN bank_entries e ON e.person_id = b.id
          AND (:org IS NULL OR e.org_id = :org)
        LEFT JOIN organizations o ON o.id = b.org_id
        WHERE :org IS NULL OR b.org_id = :org OR e.id IS NOT NULL
        GROUP BY b.id ORDER BY b.name, b.id""", {"org": org_id})
    for row in found:
        row["balance"] = round(row["deposited"] - row["drawn"], 2)
        row["overdrawn"] = row["balance"] < 0
    return found


def bank_entries(db, *, person_id: str | None = None, org_id: str | None = None) -> list[Row]:
    """Ledger entries, oldest first, each with its account's running balance."""
    found = rows(db, """
        SELECT e.id, e.person_id, b.name, e.kind, e.hours, e.on_date, e.org_id,
          o.name AS org_name, e.note, e.recorded_by
        FROM bank_entries e JOIN bank_accounts b ON b.id = e.person_id
        LEFT JOIN organizations o ON o.id = e.org_id
        WHERE (:person IS NULL OR e.person_id = :person) AND (:org IS NULL OR e.org_id = :org)
        ORDER BY e.on_date, e.kind, e.id""", {"person": person_id, "org": org_id})
    balances: dict[str, float] = {}
    for row in found:
        change = row["hours"] if row["kind"] == "deposit" else -row["hours"]
        balances[row["person_id"]] = round(balances.get(row["person_id"], 0) + change, 2)
        row["balance"] = balances[row["person_id"]]
    return found


def timebank_hours(db, org_id: str | None = None) -> dict[str, dict[str, float]]:
    """Hours deposited through each organization, per month (what may count towards its
    service for rent)."""
    found: dict[str, dict[str, float]] = {}
    for row in db.query("""
            SELECT org_id, month, sum(hours) AS hours FROM bank_entries
            WHERE kind = 'deposit' AND org_id IS NOT NULL AND (? IS NULL OR org_id = ?)
            GROUP BY org_id, month""", (org_id, org_id)):
        found.setdefault(row["org_id"], {})[row["month"]] = row["hours"]
    return found
