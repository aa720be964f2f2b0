"""Flags shown beside organizations: open warning, overdue, conflict, zombie (all text)."""

from __future__ import annotations

from datetime import date

from ...domain.months import month_add, month_of
from ...domain.organization import zombie
from ...i18n import N_, _

FLAGS = (N_("warning"), N_("overdue"), N_("zombie"), N_("conflict"))


def organization_flags(reader, today: date, warning_states) -> dict[str, list[str]]:
    """Flag words per organization id (only organizations that have any)."""
    flags: dict[str, list[str]] = {}
    for org, state in warning_states:
        if state.status in ("needs_interview", "open"):
            flags.setdefault(org["id"], []).append(_("warning"))
        elif state.status in ("overdue", "failed"):
            flags.setdefault(org["id"], []).append(_("overdue"))
    activities: dict[str, list[float]] = {}
    for org_id, value in reader.execute(
            "SELECT org_id, coalesce(json_extract(items, '$.activities'), 1) FROM scores "
            "WHERE month >= ? ORDER BY month", [month_add(month_of(today), -4)]):
        activities.setdefault(org_id, []).append(float(value))
    for org_id, values in activities.items():
        if zombie(values):
            flags.setdefault(org_id, []).append(_("zombie"))
    for row in reader.query("SELECT id FROM organizations WHERE conflict_count > 0"):
        flags.setdefault(row["id"], []).append(_("conflict"))
    return flags
