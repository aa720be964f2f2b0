"""Read side: SQL over the query tables, for the CLI and the app alike.

Nothing here loads an Automerge document. Filtering happens in SQL; only rules
that depend on today's date (warnings, expiry) run in Python afterwards.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from ..domain import rubric, warnings
from ..domain import waivers as waiver_rules
from ..domain.errors import DomainError
from ..domain.months import month_add, month_of, parse_date
from ..domain.settings import Settings
from ..i18n import N_

Row = dict[str, Any]


def _rows(db, sql: str, params: list | tuple = ()) -> list[Row]:
    return [dict(row) for row in db.query(sql, params)]


def _where(*conditions: tuple[str, list]) -> tuple[str, list]:
    """A WHERE clause from (sql, params) pairs; pairs with params None are skipped."""
    used = [(sql, params) for sql, params in conditions if params is not None]
    if not used:
        return "", []
    return ("WHERE " + " AND ".join(sql for sql, _ in used),
            [value for _, params in used for value in params])


def settings(db) -> Settings:
    stored = {row["key"]: json.loads(row["value"]) for row in db.query("SELECT * FROM settings")}
    return Settings.from_mapping(stored)


def rubric_versions(db) -> list[rubric.RubricVersion]:
    versions: dict[str, list[rubric.RubricItem]] = {}
    for row in db.query("SELECT * FROM rubric_items ORDER BY from_month, position, key"):
        versions.setdefault(row["from_month"], []).append(
            rubric.RubricItem(row["key"], row["label"], row["maximum"]))
    return [rubric.RubricVersion(month, tuple(items)) for month, items in versions.items()]


# -- resolving what a person typed ---------------------------------------------


UNKNOWN = {
    "organizations": N_("Unknown organization: {value}"),
    "hubs": N_("Unknown hub: {value}"),
    "spaces": N_("Unknown space: {value}"),
}


def _resolve(db, table: str, text: str, where: str = "1", params: tuple = ()) -> Row:
    """The one row whose id or name is `text`, or whose id starts with it."""
    text = (text or "").strip()
    if not text:
        raise DomainError(UNKNOWN[table], value=text)
    exact = _rows(db, f"SELECT * FROM {table} WHERE ({where}) AND (id = ? OR name = ?)",
                  (*params, text, text))
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise DomainError("{value} matches several: {matches}", value=text,
                          matches=", ".join(f"{r['id']} {r['name']}" for r in exact[:5]))
    prefix = _rows(db, f"SELECT * FROM {table} WHERE ({where}) AND id LIKE ? LIMIT 6",
                   (*params, text.lower().replace("%", "").replace("_", "") + "%"))
    if len(prefix) == 1:
        return prefix[0]
    if len(prefix) > 1:
        raise DomainError("{value} matches several: {matches}", value=text,
                          matches=", ".join(f"{r['id']} {r['name']}" for r in prefix[:5]))
    raise DomainError(UNKNOWN[table], value=text)


def resolve_org(db, text: str) -> str:
    """An organization's id from its id, an unambiguous id prefix or its exact name."""
    return _resolve(db, "organizations", text)["id"]


def resolve_hub(db, text: str) -> str:
    return _resolve(db, "hubs", text)["id"]


def resolve_space(db, text: str, hub_id: str | None = None) -> Row:
    if hub_id:
        return _resolve(db, "spaces", text, "hub_id = ?", (hub_id,))
    return _resolve(db, "spaces", text)


def resolve_doc(db, text: str) -> str:
    """A document id from `network`, a hub or an organization reference."""
    if text == "network":
        return "network"
    try:
        return f"org:{resolve_org(db, text)}"
    except DomainError:
        try:
            return f"hub:{resolve_hub(db, text)}"
        except DomainError:
            raise DomainError("Unknown organization or hub: {value}", value=text) from None


def org_row(db, org_id: str) -> Row:
    return _rows(db, "SELECT * FROM organizations WHERE id = ?", (org_id,))[0]


def org_name(db, org_id: str) -> str:
    return org_row(db, org_id)["name"]


def hub_name(db, hub_id: str) -> str:
    row = db.conn.execute("SELECT name FROM hubs WHERE id = ?", (hub_id,)).fetchone()
    return row[0] if row else hub_id


# -- listings ----------------------------------------------------------------------------


def hubs(db, today: date) -> list[Row]:
    """Hubs with resident counts and occupancy on `today`."""
    day = today.isoformat()
    return _rows(db, """
        SELECT h.id, h.name, h.category,
          (SELECT count(*) FROM organizations o WHERE o.hub_id = h.id
             AND o.stage IN ('startup', 'growth')) AS residents,
          (SELECT count(*) FROM spaces s WHERE s.hub_id = h.id) AS spaces,
          (SELECT count(DISTINCT a.space_id) FROM allocations a WHERE a.hub_id = h.id
             AND a.start <= ? AND (a.end IS NULL OR a.end >= ?)) AS occupied
        FROM hubs h ORDER BY h.name""", (day, day))


def spaces(db, today: date, hub_id: str | None = None) -> list[Row]:
    day = today.isoformat()
    where, params = ("WHERE s.hub_id = ?", [hub_id]) if hub_id else ("", [])
    return _rows(db, f"""
        SELECT s.id, s.hub_id, h.name AS hub, s.name, s.kind, s.area, s.capacity,
          a.org_id, o.name AS org_name, a.start, a.end
        FROM spaces s JOIN hubs h ON h.id = s.hub_id
        LEFT JOIN allocations a ON a.space_id = s.id AND a.start <= ?
             AND (a.end IS NULL OR a.end >= ?)
        LEFT JOIN organizations o ON o.id = a.org_id
        {where} ORDER BY h.name, s.name""", [day, day, *params])


def _organization_filter(db, hub: str | None, stage: str | None, category: str | None,
                         search: str | None, ids: list[str] | None = None) -> tuple[str, list]:
    needle = f"%{search.strip()}%" if search else None
    return _where(
        ("o.id IN (SELECT value FROM json_each(?))", [json.dumps(ids)] if ids is not None else None),
        ("o.hub_id = ?", [resolve_hub(db, hub)] if hub else None),
        ("o.stage = ?", [stage] if stage else None),
        ("o.category = ?", [category] if category else None),
        ("(o.name LIKE ? OR o.id LIKE ? OR o.community LIKE ? OR o.contact LIKE ?)",
         [needle] * 4 if needle else None),
    )


ORG_SORTS = {"name", "id", "category", "hub", "stage", "legal_status", "last_score10", "stars",
             "entered"}


def organizations(db, *, hub: str | None = None, stage: str | None = None,
                  category: str | None = None, search: str | None = None,
                  ids: list[str] | None = None, sort: str = "name", descending: bool = False,
                  limit: int | None = None, offset: int = 0) -> list[Row]:
    """Organizations filtered in SQL; `search` matches name, id, community or contact;
    `ids` keeps only those organizations (e.g. the ones carrying a flag)."""
    where, params = _organization_filter(db, hub, stage, category, search, ids)
    column = sort if sort in ORG_SORTS else "name"
    order = "h.name" if column == "hub" else f"o.{column}"
    direction = "DESC" if descending else "ASC"
    limit_sql = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit else ""
    return _rows(db, f"""
        SELECT o.id, o.name, o.category, o.hub_id, h.name AS hub, o.stage, o.legal_status,
          o.community, o.contact, o.phone, o.members, o.party_org, o.entered,
          o.last_month, o.last_score10, o.stars, o.stars_year, o.graduated_on, o.destination,
          o.exited_on, o.exit_reason, o.conflict_count
        FROM organizations o LEFT JOIN hubs h ON h.id = o.hub_id
        {where} ORDER BY {order} IS NULL, {order} {direction}, o.id {limit_sql}""", params)


def count_organizations(db, *, hub: str | None = None, stage: str | None = None,
                        category: str | None = None, search: str | None = None,
                        ids: list[str] | None = None) -> int:
    """How many organizations `organizations()` would list with the same filters."""
    where, params = _organization_filter(db, hub, stage, category, search, ids)
    return db.execute(f"SELECT count(*) FROM organizations o {where}", params).fetchone()[0]


def scores(db, *, month: str | None = None, org_id: str | None = None) -> list[Row]:
    where, params = _where(("s.month = ?", [month] if month else None),
                           ("s.org_id = ?", [org_id] if org_id else None))
    rows = _rows(db, f"""
        SELECT s.org_id, o.name AS org_name, s.month, s.total, s.max_total, s.score10,
          s.rubric_from, s.items, s.note
        FROM scores s JOIN organizations o ON o.id = s.org_id
        {where} ORDER BY s.month DESC, o.name""", params)
    for row in rows:
        row["items"] = json.loads(row["items"])
    return rows


def waivers(db, today: date, *, expiring_within: int | None = None,
            org_id: str | None = None) -> list[Row]:
    soon = (today + timedelta(days=expiring_within)).isoformat() if expiring_within is not None else None
    where, params = _where(("w.end >= ? AND w.end <= ?", [today.isoformat(), soon] if soon else None),
                           ("w.org_id = ?", [org_id] if org_id else None))
    return _rows(db, f"""
        SELECT w.id, w.org_id, o.name AS org_name, h.name AS hub, w.kind, w.start, w.end,
          w.monthly_value, w.hours_per_month, w.approved_by
        FROM waivers w JOIN organizations o ON o.id = w.org_id
        LEFT JOIN hubs h ON h.id = o.hub_id
        {where} ORDER BY w.end, o.name""", params)


def service_ledger(db, today: date, org_id: str | None = None) -> list[Row]:
    """Hours owed against hours delivered for every service-for-rent waiver."""
    delivered_by_org: dict[str, dict[str, float]] = {}
    where, params = _where(("org_id = ?", [org_id] if org_id else None))
    for r in db.query(f"SELECT org_id, month, hours FROM service_hours {where}", params):
        delivered_by_org.setdefault(r["org_id"], {})[r["month"]] = r["hours"]
    out = []
    for waiver in waivers(db, today, org_id=org_id):
        if waiver["kind"] != "service-for-rent":
            continue
        delivered = delivered_by_org.get(waiver["org_id"], {})
        rows = waiver_rules.service_ledger(parse_date(waiver["start"]), parse_date(waiver["end"]),
                      waiver["hours_per_month"] or 0, delivered, today)
        out.append({**waiver,
                    "owed": sum(r.owed for r in rows),
                    "delivered": sum(r.delivered for r in rows),
                    "shortfall": sum(r.shortfall for r in rows),
                    "months": [r.__dict__ for r in rows]})
    return out


def _interviews(db, org_ids: list[str] | None = None) -> dict[str, list[warnings.Interview]]:
    found: dict[str, list[warnings.Interview]] = {}
    for row in db.query("SELECT * FROM interviews ORDER BY on_date, id"):
        if org_ids is None or row["org_id"] in org_ids:
            found.setdefault(row["org_id"], []).append(warnings.Interview(
                row["id"], parse_date(row["on_date"]), parse_date(row["deadline"]),
                row["outcome"]))
    return found


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
    interviews = _interviews(db)
    found = []
    for org in organizations(db):
        if org["stage"] not in ("startup", "growth"):
            continue
        state = warnings.warning_state(by_org.get(org["id"], []), interviews.get(org["id"], []),
                                       config, today)
        if state.status != "ok":
            found.append((org, state))
    return found


def missing_scores(db, month: str) -> list[Row]:
    """Resident organizations with no score for `month` that were resident then."""
    return _rows(db, """
        SELECT o.id, o.name, h.name AS hub FROM organizations o
        LEFT JOIN hubs h ON h.id = o.hub_id
        WHERE o.stage IN ('startup', 'growth') AND substr(o.entered, 1, 7) <= ?
          AND NOT EXISTS (SELECT 1 FROM scores s WHERE s.org_id = o.id AND s.month = ?)
        ORDER BY h.name, o.name""", (month, month))


def reviews(db, year: int) -> list[Row]:
    return _rows(db, """
        SELECT r.*, o.name AS org_name, h.name AS hub FROM reviews r
        JOIN organizations o ON o.id = r.org_id LEFT JOIN hubs h ON h.id = o.hub_id
        WHERE r.year = ? ORDER BY r.stars DESC, r.composite DESC, o.name""", (year,))


def conflicts(db) -> list[Row]:
    rows = _rows(db, """
        SELECT c.doc_id, c.field, c.winner, c.candidates,
          coalesce(o.name, h.name, c.doc_id) AS record
        FROM conflicts c
        LEFT JOIN organizations o ON 'org:' || o.id = c.doc_id
        LEFT JOIN hubs h ON 'hub:' || h.id = c.doc_id
        ORDER BY record, c.field""")
    for row in rows:
        row["winner"] = json.loads(row["winner"]) if row["winner"] else None
        row["candidates"] = json.loads(row["candidates"])
    return rows


def members(db) -> list[Row]:
    return _rows(db, "SELECT device_id, name, role, added_by, added_at, revoked_at, address "
                     "FROM members ORDER BY name")


PEER_COLUMNS = """p.last_sync, p.last_error, coalesce(p.docs_sent, 0) AS docs_sent,
    coalesce(p.docs_received, 0) AS docs_received, coalesce(p.bytes_sent, 0) AS bytes_sent,
    coalesce(p.bytes_received, 0) AS bytes_received, coalesce(p.round_trips, 0) AS round_trips,
    coalesce(p.seconds, 0) AS seconds"""


def sync_peers(db) -> list[Row]:
    """Every other member, and pinned peers not (yet) members, with their last session."""
    return _rows(db, f"""
        SELECT m.device_id, m.name, m.role, m.revoked_at,
          coalesce(nullif(p.address, ''), m.address) AS address, {PEER_COLUMNS}
        FROM members m LEFT JOIN sync_peers p ON p.device_id = m.device_id
        WHERE m.device_id != (SELECT value FROM replica_meta WHERE key = 'device_id')
        UNION ALL
        SELECT p.device_id, p.name, NULL, NULL, p.address, {PEER_COLUMNS}
        FROM sync_peers p WHERE p.device_id NOT IN (SELECT device_id FROM members)
          AND p.certificate IS NOT NULL
        ORDER BY 2""")


def last_sync(db) -> str | None:
    """When this replica last completed a session with any peer."""
    return db.conn.execute("SELECT max(last_sync) FROM sync_peers").fetchone()[0]


def summary(db, today: date) -> Row:
    """Counts for the demo banner and the dashboard."""
    stages = dict(db.conn.execute("SELECT stage, count(*) FROM organizations GROUP BY stage"))
    return {
        "hubs": db.conn.execute("SELECT count(*) FROM hubs").fetchone()[0],
        "organizations": sum(stages.values()),
        "stages": stages,
        "scores": db.conn.execute("SELECT count(*) FROM scores").fetchone()[0],
        "waivers": db.conn.execute("SELECT count(*) FROM waivers").fetchone()[0],
        "spaces": db.conn.execute("SELECT count(*) FROM spaces").fetchone()[0],
        "conflicts": db.conn.execute("SELECT count(*) FROM conflicts").fetchone()[0],
        "today": today.isoformat(),
    }


def sync_log(db, limit: int = 20, event: str | None = None) -> list[Row]:
    """The newest entries of the sync log (sessions, failures, refused documents), each
    with the peer's name where it is known; only `event` entries when given."""
    return _rows(db, """
        SELECT l.id, l.at, l.peer, coalesce(m.name, nullif(p.name, ''), '') AS name,
          l.doc_id, l.event, l.detail
        FROM sync_log l LEFT JOIN members m ON m.device_id = l.peer
        LEFT JOIN sync_peers p ON p.device_id = l.peer
        WHERE ? IS NULL OR l.event = ?
        ORDER BY l.id DESC LIMIT ?""", (event, event, limit))
