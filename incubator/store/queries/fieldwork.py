"""Activities, visits, trainings and archive checks: what field staff recorded."""

from __future__ import annotations

import json

from ...domain.archives import ArchiveItem
from .base import Row, rows, where
from .district import ARCHIVE_CREDIT_SQL


def activities(db, *, org_id: str | None = None, since: str | None = None,
               limit: int | None = None) -> list[Row]:
    """Activity records, newest first (of one organization, from a date on)."""
    clause, params = where(("a.org_id = ?", [org_id] if org_id else None),
                           ("a.on_date >= ?", [since] if since else None))
    limit_sql = f"LIMIT {int(limit)}" if limit else ""
    return rows(db, f"""
        SELECT a.id, a.org_id, o.name AS org_name, a.on_date, a.title, a.kind, a.place,
          a.participants, a.beneficiaries, a.person_times, a.hours, a.note, a.recorded_by
        FROM activities a JOIN organizations o ON o.id = a.org_id
        {clause} ORDER BY a.on_date DESC, o.sort_key, a.id {limit_sql}""", params)


def activities_by_month(db, first_month: str, org_id: str | None = None) -> list[Row]:
    """Activities and service person-times per month from `first_month` on (of one
    organization, or of the whole district)."""
    clause, params = where(("on_date >= ?", [f"{first_month}-01"]),
                           ("org_id = ?", [org_id] if org_id else None))
    return rows(db, f"""
        SELECT substr(on_date, 1, 7) AS month, count(*) AS activities,
          sum(person_times) AS person_times
        FROM activities {clause} GROUP BY 1 ORDER BY 1""", params)


def visits(db, *, org_id: str | None = None, since: str | None = None) -> list[Row]:
    """Visits, newest first, each with the archive items it checked (item → state)."""
    clause, params = where(("v.org_id = ?", [org_id] if org_id else None),
                           ("v.on_date >= ?", [since] if since else None))
    found = rows(db, f"""
        SELECT v.id, v.org_id, o.name AS org_name, v.on_date, v.purpose, v.findings,
          v.follow_up, v.visitor, v.checks
        FROM visits v JOIN organizations o ON o.id = v.org_id
        {clause} ORDER BY v.on_date DESC, o.sort_key, v.id""", params)
    for row in found:
        row["checks"] = json.loads(row["checks"])
    return found


def trainings(db, *, org_id: str | None = None) -> list[Row]:
    """Trainings, newest first: one row per training with the organizations this replica
    holds that attended it."""
    clause, params = where(("t.id IN (SELECT id FROM trainings WHERE org_id = ?)",
                            [org_id] if org_id else None))
    found = rows(db, f"""
        SELECT t.id, t.on_date, t.topic, max(t.people) AS people,
          max(t.organizations) AS organizations,
          json_group_array(json_object('id', o.id, 'name', o.name)) AS attended
        FROM trainings t JOIN organizations o ON o.id = t.org_id
        {clause} GROUP BY t.id ORDER BY t.on_date DESC, t.topic, t.id""", params)
    for row in found:
        row["attended"] = sorted(json.loads(row["attended"]), key=lambda a: a["name"])
    return found


def archive_checklist(db, org_id: str, items: tuple[ArchiveItem, ...]) -> list[Row]:
    """Each item of the checklist with its latest check (state None: never checked)."""
    checks = {row["item"]: row for row in rows(
        db, "SELECT item, state, on_date, checked_by, note, visit_id FROM archive_checks"
            " WHERE org_id = ?", [org_id])}
    return [{"item": item.key, "zh": item.zh, "en": item.en,
             **checks.get(item.key, {"state": None, "on_date": None, "checked_by": None,
                                     "note": None, "visit_id": None})}
            for item in items]


REPORT_GROUPS = ("hub", "town")  # columns of the per-organization rows


def archive_report(db, items: tuple[ArchiveItem, ...], by: str | None = None,
                   org_id: str | None = None) -> list[Row]:
    """Archives completeness (%) per organization, or per hub or town (`by`): the
    average over the group's organizations, with how many are complete."""
    keys = json.dumps([item.key for item in items])
    per_org = f"""
        SELECT o.id, o.name, h.name AS hub, o.town, o.village,
          round(100.0 * coalesce(sum({ARCHIVE_CREDIT_SQL}), 0) / {len(items)}, 1)
            AS completeness,
          count(c.item) FILTER (WHERE c.state = 'present') AS present,
          count(c.item) FILTER (WHERE c.state = 'partial') AS partial,
          count(c.item) FILTER (WHERE c.state = 'missing') AS missing,
          {len(items)} - count(c.item) AS unchecked
        FROM organizations o LEFT JOIN hubs h ON h.id = o.hub_id
        LEFT JOIN archive_checks c ON c.org_id = o.id
          AND c.item IN (SELECT value FROM json_each(?))
        {"WHERE o.id = ?" if org_id else ""}
        GROUP BY o.id"""
    params = [keys, org_id] if org_id else [keys]
    if by is None:
        return rows(db, per_org + " ORDER BY completeness DESC, o.sort_key, o.id", params)
    group = next(column for column in REPORT_GROUPS if column == by)
    return rows(db, f"""
        SELECT {group}, count(*) AS organizations, round(avg(completeness), 1) AS completeness,
          sum(completeness = 100) AS complete, sum(completeness = 0) AS empty
        FROM ({per_org}) GROUP BY {group} ORDER BY {group} IS NULL, completeness DESC, {group}
        """, params)

