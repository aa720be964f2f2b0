"""Labels of stored values (stages, kinds, statuses, categories) in the current language."""

from __future__ import annotations

from enum import StrEnum

from ..domain.categories import CATEGORIES, category_label
from ..domain.models import LABELS, InterviewOutcome, WarningStatus, label
from ..i18n import _, language


def label_of(member: StrEnum) -> str:
    return label(member, language())


def enum_label(value: str | None) -> str:
    """The label of a stored enum value (stage, legal status, …); unknown values as they are."""
    member = next((m for m in LABELS if m.value == value), None)
    return label_of(member) if member else (value or "")


def category_text(key: str | None) -> str:
    return category_label(key, language()) if key in CATEGORIES else (key or "")


def warning_status_text(status: str) -> str:
    return label_of(WarningStatus(status))


def outcome_text(outcome: str | None) -> str:
    """An interview's outcome in the words of the warning statuses."""
    if not outcome:
        return ""
    return warning_status_text(WarningStatus.RECTIFIED if outcome == InterviewOutcome.RECTIFIED
                               else WarningStatus.EXIT)


def role_text(role: str | None) -> str:
    return enum_label(role) if role else _("not yet a member")


def data_quality_text(problem: dict) -> str:
    """One data-quality problem (`queries.data_quality`) and how to correct it."""
    if problem["kind"] == "score_ahead":
        return _("{name}: a score for {month}, a month that has not come yet "
                 "(incubator score delete ORG --month {month})").format(**problem)
    return _("{name}: a warning interview dated {on_date}, after today "
             "(incubator interview delete ORG {on_date})").format(**problem)
