"""Warning cases: the SQL that feeds the domain's case machine, and the interviews.

The case machine (`domain.warnings.org_cases`) needs, per organization, only its low
months, the scores of its interview deadlines' months, its ratings at or below the
line, what a person recorded and whether it left. Each is one SELECT over every
organization (the low scores through the `scores_low` index), so the Python that
follows runs only for organizations that have something to say.
"""

from __future__ import annotations

from datetime import date

from ...domain import warnings
from ...domain.months import parse_date
from ...domain.settings import SettingsTimeline
from .base import Row, rows
from .network import settings_timeline
from .organizations import organizations


def interviews(db, org_id: str) -> list[Row]:
    """An organization's interviews, oldest first."""
    return rows(db, "SELECT id, on_date, deadline, case_id, outcome, closed_on, reason, note"
                    " FROM interviews WHERE org_id = ? ORDER BY on_date, id", [org_id])


def dismissals(db, org_id: str) -> list[Row]:
    """An organization's dismissed warning cases, oldest first."""
    return rows(db, "SELECT id, case_id, on_date, reason, dismissed_by FROM dismissals"
                    " WHERE org_id = ? ORDER BY on_date, id", [org_id])


def _by_org(db, sql: str, params: list, org_id: str | None) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {}
    sql += " AND org_id = ?" if org_id else ""
    for row in db.query(sql, [*params, *([org_id] if org_id else [])]):
        found.setdefault(row["org_id"], []).append(row)
    return found


def _interview(row: Row) -> warnings.Interview:
    return warnings.Interview(
        row["id"], parse_date(row["on_date"]), parse_date(row["deadline"]), row["case_id"],
        row["outcome"], parse_date(row["closed_on"]) if row["closed_on"] else None,
        row["reason"])


def _leaving(org: Row) -> warnings.Leaving | None:
    if org["exited_on"]:
        return warnings.Leaving(parse_date(org["exited_on"]), bool(org["exit_ordered"]))
    if org["graduated_on"]:
        return warnings.Leaving(parse_date(org["graduated_on"]), False, graduated=True)
    return None


def _cases(db, today: date, org_id: str | None,
           timeline: SettingsTimeline) -> list[tuple[Row, list[warnings.Case]]]:
    scores = _by_org(db, "SELECT org_id, month, score10 FROM scores WHERE score10 < ?",
                     [timeline.highest("warning_threshold")], org_id)
    # the scores of the months interview deadlines fall in, looked up from the interviews
    # (a few hundred): testing every score row against them took 40-160 ms
    checks = _by_org(db, "SELECT * FROM (SELECT DISTINCT s.org_id, s.month, s.score10"
                         " FROM interviews i CROSS JOIN scores s ON s.org_id = i.org_id"
                         " AND s.month = substr(i.deadline, 1, 7)) WHERE 1", [], org_id)
    found_interviews = _by_org(db, "SELECT * FROM interviews WHERE 1", [], org_id)
    found_dismissals = _by_org(db, "SELECT * FROM dismissals WHERE 1", [], org_id)
    ratings = _by_org(db, "SELECT org_id, year, stars, scale FROM reviews WHERE stars <= ?",
                      [timeline.highest("low_star_interview_max")], org_id)
    ids = sorted({*scores, *found_interviews, *found_dismissals, *ratings})
    found = []
    for org in organizations(db, ids=ids):
        key = org["id"]
        months = {r["month"]: r["score10"] for r in [*scores.get(key, []), *checks.get(key, [])]}
        cases = warnings.org_cases(
            months,
            [warnings.Rating(r["year"], r["stars"], r["scale"]) for r in ratings.get(key, [])],
            [_interview(r) for r in found_interviews.get(key, [])],
            [warnings.Dismissal(r["id"], r["case_id"], parse_date(r["on_date"]), r["reason"],
                                r["dismissed_by"]) for r in found_dismissals.get(key, [])],
            timeline, today, _leaving(org))
        if cases:
            found.append((org, cases))
    return found


def warning_states(db, today: date) -> list[tuple[Row, warnings.Case]]:
    """Every warning case of every organization (open and closed), with its organization
    row; organizations by name, each one's cases oldest first."""
    timeline = settings_timeline(db)
    return [(org, case) for org, cases in _cases(db, today, None, timeline) for case in cases]


def org_cases(db, org_id: str, today: date) -> list[warnings.Case]:
    """One organization's warning cases, oldest first."""
    found = _cases(db, today, org_id, settings_timeline(db))
    return found[0][1] if found else []
