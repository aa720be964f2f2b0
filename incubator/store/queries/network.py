"""The network document's tables: settings, rubric versions, members."""

from __future__ import annotations

import json

from ...domain import rubric
from ...domain.settings import Settings, SettingsTimeline
from .base import Row, rows, value


def settings_timeline(db) -> SettingsTimeline:
    """Every setting's values over time (the network's settings, versioned by month)."""
    return SettingsTimeline.from_rows(
        (row["key"], row["from_month"], json.loads(row["value"]))
        for row in db.query("SELECT key, from_month, value FROM settings"))


def settings(db, month: str) -> Settings:
    """The settings in force in `month` (YYYY-MM)."""
    return settings_timeline(db).at(month)


def rubric_versions(db) -> list[rubric.RubricVersion]:
    versions: dict[str, list[rubric.RubricItem]] = {}
    for row in db.query("SELECT * FROM rubric_items ORDER BY from_month, position, key"):
        versions.setdefault(row["from_month"], []).append(
            rubric.RubricItem(row["key"], row["label"], row["maximum"]))
    return [rubric.RubricVersion(month, tuple(items)) for month, items in versions.items()]


def scored_before_rubric(db, from_month: str) -> int:
    """Scores from `from_month` on that were entered with an earlier rubric version."""
    return value(db, "SELECT count(*) FROM scores WHERE month >= ? AND rubric_from < ?",
                 (from_month, from_month))


def members(db) -> list[Row]:
    return rows(db, "SELECT device_id, name, role, added_by, added_at, revoked_at, address, "
                    "scope FROM members ORDER BY name")


def membership(db) -> dict[str, dict]:
    """The current membership: device ID → {role, revoked_at}."""
    return {device_id: {"role": role, "revoked_at": revoked_at}
            for device_id, role, revoked_at in db.execute(
                "SELECT device_id, role, revoked_at FROM members")}


def member_records(db) -> dict[str, Row]:
    """Every member's full record (certificate, bundle key, address …) by device ID."""
    return {row["device_id"]: row for row in rows(db, "SELECT * FROM members")}
