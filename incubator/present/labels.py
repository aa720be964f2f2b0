"""Labels of stored values (stages, kinds, statuses, categories) in the current language."""

from __future__ import annotations

from enum import StrEnum

from ..domain.categories import CATEGORIES, Categories, category_label
from ..domain.models import LABELS, InterviewOutcome, WarningStatus, label
from ..i18n import _, language


def label_of(member: StrEnum) -> str:
    return label(member, language())


def enum_label(value: str | None) -> str:
    """The label of a stored enum value (stage, legal status, …); unknown values as they are."""
    member = next((m for m in LABELS if m.value == value), None)
    return label_of(member) if member else (value or "")


def category_text(key: str | None, known: Categories = CATEGORIES) -> str:
    """A category's label; `known` is the network's list (`queries.categories`)."""
    return category_label(key, language(), known) if key else ""


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
