"""Words for derived states that the UI shows (never glyphs)."""

from ...i18n import N_, _

WARNING_STATUS = {
    "ok": N_("no warning"),
    "needs_interview": N_("needs a warning interview"),
    "open": N_("rectification under way"),
    "overdue": N_("rectification overdue"),
    "failed": N_("rectification failed: order an exit"),
    "rectified": N_("rectified"),
    "exit": N_("ordered to leave"),
}


def warning_status_text(status: str) -> str:
    return _(WARNING_STATUS.get(status, status))


def outcome_text(outcome: str | None) -> str:
    return warning_status_text("rectified" if outcome == "rectified" else "exit") if outcome else ""
