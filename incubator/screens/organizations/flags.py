"""Flags shown beside organizations: open warning, overdue, conflict, zombie (all text)."""

from __future__ import annotations

from datetime import date

from ...domain.models import WarningStatus
from ...domain.months import month_of
from ...i18n import N_, _
from ...store import queries

WARNED = frozenset({WarningStatus.NEEDS_INTERVIEW, WarningStatus.OPEN})
OVERDUE = frozenset({WarningStatus.OVERDUE, WarningStatus.FAILED})

FLAGS = (N_("warning"), N_("overdue"), N_("zombie"), N_("conflict"))


def organization_flags(reader, today: date, warning_states) -> dict[str, list[str]]:
    """Flag words per organization id (only organizations that have any)."""
    flags: dict[str, list[str]] = {}
    for org, case in warning_states:
        word = _("warning") if case.status in WARNED else \
            _("overdue") if case.status in OVERDUE else None
        if word and word not in flags.get(org["id"], []):
            flags.setdefault(org["id"], []).append(word)
    months = queries.settings(reader, month_of(today)).zombie_months
    for row in queries.zombies(reader, today, months):
        flags.setdefault(row["id"], []).append(_("zombie"))
    for org_id in queries.with_conflicts(reader):
        flags.setdefault(org_id, []).append(_("conflict"))
    return flags


def flag_rank(flags: dict[str, list[str]]) -> dict[str, int]:
    """A position per flagged organization for sorting by the flags column: by its first
    flag in FLAGS' order (warning first), then by the next; unflagged ones are left out
    (they come last either way)."""
    words = [_(flag) for flag in FLAGS]
    keys = {org_id: sorted(words.index(word) for word in shown)
            for org_id, shown in flags.items()}
    return {org_id: n for n, org_id in enumerate(sorted(keys, key=lambda o: (keys[o], o)))}
