"""Warning interviews and each organization's place in the warning process."""

from __future__ import annotations

from datetime import date

from ...domain import warnings
from ...domain.models import RESIDENT_STAGES, WarningStatus
from ...domain.months import month_add, month_of, parse_date
from ...domain.settings import Settings
from .base import Row, rows, value
from .organizations import organizations


def _interviews(db, org_ids: list[str] | None = None) -> dict[str, list[warnings.Interview]]:
    found: dict[str, list[warnings.Interview]] = {}
    for row in db.query("SELECT * FROM interviews ORDER BY on_date, id"):
        if org_ids is None or row["org_id"] in org_ids:
            found.setdefault(row["org_id"], []).append(warnings.Interview(
                row["id"], parse_date(row["on_date"]), parse_date(row["deadline"]),
                row["outcome"]))
    return found


def interviews(db, org_id: str) -> list[Row]:
    """An organization's interviews, oldest first."""
    return rows(db, "SELECT id, on_date, deadline, outcome, note FROM interviews"
                    " WHERE org_id = ? ORDER BY on_date", [org_id])


def open_interview(db, org_id: str) -> str | None:
    """The id of the latest interview without an outcome."""
    return value(db, "SELECT id FROM interviews WHERE org_id = ? AND outcome IS NULL"
                     " ORDER BY on_date DESC, id LIMIT 1", (org_id,))


def warning_state(db, org_id: str, config: Settings, today: date) -> warnings.WarningState:
    scores_ = [warnings.MonthScore(r["month"], r["score10"]) for r in db.query(
        "SELECT month, score10 FROM scores WHERE org_id = ? ORDER BY month", [org_id])]
    return warnings.warning_state(scores_, _interviews(db, [org_id]).get(org_id, []), config,
                                  today)


def warning_states(db, config: Settings, today: date
                   ) -> list[tuple[Row, warnings.WarningState]]:
    """Every resident organization whose warning status is not `ok`.

    Only recent months matter (a streak ends at the latest scored month, a check month
    follows an interview), so scores older than a year plus the streak are not read.
    """
    months_back = 12 + config.warning_streak_months + config.rectification_months
    since = month_add(month_of(today), -months_back)
    by_org: dict[str, list[warnings.MonthScore]] = {}
    for r in db.query("SELECT org_id, month, score10 FROM scores WHERE month >= ? "
                      "ORDER BY org_id, month", [since]):
        by_org.setdefault(r["org_id"], []).append(warnings.MonthScore(r["month"], r["score10"]))
    found_interviews = _interviews(db)
    found = []
    for org in organizations(db):
        if org["stage"] not in RESIDENT_STAGES:
            continue
        state = warnings.warning_state(by_org.get(org["id"], []),
                                       found_interviews.get(org["id"], []), config, today)
        if state.status != WarningStatus.OK:
            found.append((org, state))
    return found
