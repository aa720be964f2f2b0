"""Flags shown beside organizations: open warning, overdue, conflict, zombie (all text)."""

from __future__ import annotations

from datetime import date

from ...domain.models import WarningStatus
from ...i18n import N_, _
from ...store import queries

WARNED = frozenset({WarningStatus.NEEDS_INTERVIEW, WarningStatus.OPEN})
OVERDUE = frozenset({WarningStatus.OVERDUE, WarningStatus.FAILED})

FLAGS = (N_("warning"), N_("overdue"), N_("zombie"), N_("conflict"))


def organization_flags(reader, today: date, warning_states) -> dict[str, list[str]]:
    """Flag words per organization id (only organizations that have any)."""
    flags: dict[str, list[str]] = {}
    for org, state in warning_states:
        if state.status in WARNED:
            flags.setdefault(org["id"], []).append(_("warning"))
        elif state.status in OVERDUE:
            flags.setdefault(org["id"], []).append(_("overdue"))
    months = queries.settings(reader).zombie_months
    for row in queries.zombies(reader, today, months):
        flags.setdefault(row["id"], []).append(_("zombie"))
    for org_id in queries.with_conflicts(reader):
        flags.setdefault(org_id, []).append(_("conflict"))
    return flags
