"""Organizations: filtered, sorted and counted in SQL; pickers and palette lookups."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

from ...domain.categories import category_label
from ...domain.models import LegalStatus, Stage
from ...domain.pinyin import search_query, sort_key
from .base import RESIDENT_SQL, Row, id_list, rows, value, where
from .district import categories
from .lookup import resolve_hub


def _organization_filter(db, hub: str | None = None, stage: str | None = None,
                         category: str | None = None, search: str | None = None,
                         ids: list[str] | None = None, town: str | None = None,
                         village: str | None = None, area: str | None = None,
                         legal_status: str | None = None, party_org: str | None = None,
                         resident: bool | None = None, rowids: list[int] | None = None
                         ) -> tuple[str, list]:
    needle = f"%{search.strip()}%" if search and search.strip() else None
    spelled = search_query(search) if needle else ""
    return where(
        ("o.rowid IN (SELECT value FROM json_each(?))",
         [json.dumps(rowids)] if rowids is not None else None),
        ("o.id IN (SELECT value FROM json_each(?))", [id_list(ids)] if ids is not None else None),
        ("o.hub_id = ?", [resolve_hub(db, hub)] if hub else None),
        ("o.stage = ?", [stage] if stage else None),
        ("o.category = ?", [category] if category else None),
        (_SEARCH_SQL if spelled else _SEARCH_SQL.replace(" OR o.search_text LIKE ?", ""),
         [*[needle] * 4, *([f"%{spelled}%"] if spelled else [])] if needle else None),
        ("o.town = ?", [town.strip()] if town else None),
        ("o.village = ?", [village.strip()] if village else None),
        ("o.area = ?", [area] if area else None),
        ("o.legal_status = ?", [legal_status] if legal_status else None),
        ("coalesce(o.party_org, 'none') = ?", [party_org] if party_org else None),
        (f"{RESIDENT_CASE} = ?", [int(resident)] if resident is not None else None),
    )


# the text typed in the name, id, community or contact, or its pinyin in the name's
# (`domain.pinyin`: full spelling or initials, stored as `search_text`)
_SEARCH_SQL = ("(o.name LIKE ? OR o.id LIKE ? OR o.community LIKE ? OR o.contact LIKE ?"
               " OR o.search_text LIKE ?)")
# 1 for a resident (a hub and a resident stage), else 0: the district register's split
RESIDENT_CASE = f"(o.hub_id IS NOT NULL AND coalesce(o.stage, '') IN ({RESIDENT_SQL}))"
# what `org count --by` may group by: field → SQL expression
COUNT_FIELDS = {
    "hub": "h.name", "town": "o.town", "village": "o.village", "area": "o.area",
    "legal_status": "o.legal_status", "party_org": "coalesce(o.party_org, 'none')",
    "category": "o.category", "stage": "o.stage", "org_form": "o.org_form",
    "resident": RESIDENT_CASE,
}


ORG_SORTS = {"name", "id", "category", "hub", "stage", "legal_status", "last_score10", "stars",
             "entered", "exited_on", "town", "village", "area", "registered_on"}
# a position among `json_each(?)` (an object key → position), for orders that are not a column
_POSITION_SQL = "(SELECT value FROM json_each(?) WHERE key = {column})"


def _sort_order(db, sort: str, lang: str, rank: dict[str, int] | None) -> tuple[str, list]:
    """The ORDER BY expression for `sort` and its parameters: names by pinyin (their
    materialized sort key), hubs by theirs, categories by their label in `lang`,
    stages in lifecycle order, legal status as the domain lists it; `rank` is a caller's
    own position per organization id (say, by the flags it carries), used instead."""
    if rank is not None:
        return _POSITION_SQL.format(column="o.id"), [json.dumps(rank)]
    if sort == "name":
        return "o.sort_key", []
    if sort == "hub":
        return "h.sort_key", []
    if sort == "category":
        known = categories(db)
        labels = {key: category_label(key, lang, known) for key in known}
        ordered = sorted(labels, key=lambda key: (
            labels[key].casefold() if lang == "en" else sort_key(labels[key]), key))
        return (_POSITION_SQL.format(column="o.category"),
                [json.dumps({key: n for n, key in enumerate(ordered)})])
    if sort in ("stage", "legal_status"):
        members = Stage if sort == "stage" else LegalStatus
        return (_POSITION_SQL.format(column=f"o.{sort}"),
                [json.dumps({member.value: n for n, member in enumerate(members)})])
    return f"o.{sort}", []


def organizations(db, *, sort: str = "name", descending: bool = False,
                  limit: int | None = None, offset: int = 0, lang: str = "zh",
                  rank: dict[str, int] | None = None, **filters) -> list[Row]:
    """Organizations filtered in SQL (`_organization_filter`: `search` matches name, id,
    community or contact as typed, or the name's pinyin; `ids` keeps only those
    organizations, e.g. the ones carrying a flag), sorted by `sort` (`_sort_order`) either
    way, missing values last, then by name and id."""
    clause, params = _organization_filter(db, **filters)
    order, order_params = _sort_order(db, sort if sort in ORG_SORTS else "name", lang, rank)
    direction = "DESC" if descending else "ASC"
    limit_sql = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit else ""
    if order == "o.sort_key":  # never missing: the index gives the first page unsorted
        ordering, order_params = f"o.sort_key {direction}, o.id {direction}", []
    else:
        ordering = f"{order} IS NULL, {order} {direction}, o.sort_key, o.id"
    return rows(db, f"""
        SELECT o.id, o.name, o.category, o.hub_id, h.name AS hub, o.stage, o.legal_status,
          o.community, o.contact, o.phone, o.members, o.party_org, o.entered,
          o.last_month, o.last_score10, o.stars, o.stars_year, o.stars_scale, o.graduated_on,
          o.destination, o.exited_on, o.exit_reason, o.exit_ordered, o.conflict_count, o.area,
          o.town, o.village, o.credit_code, o.filing_number, o.registered_on, o.leader,
          o.supervisor, o.org_form, o.place, o.activity_area, o.since
        FROM organizations o LEFT JOIN hubs h ON h.id = o.hub_id
        {clause} ORDER BY {ordering} {limit_sql}""", [*params, *order_params, *order_params])


def count_organizations(db, **filters) -> int:
    """How many organizations `organizations()` would list with the same filters."""
    clause, params = _organization_filter(db, **filters)
    return value(db, f"SELECT count(*) FROM organizations o {clause}", params)


def matching_rowids(db, **filters) -> list[int]:
    """The rowids of the organizations `organizations()` would list with the same
    filters (`rowids`: only among those), in no order."""
    clause, params = _organization_filter(db, **filters)
    return [rowid for (rowid,) in db.execute(
        f"SELECT o.rowid FROM organizations o {clause}", params)]


def narrows(before: dict, after: dict) -> bool:
    """Whether every organization matching the filters `after` matches `before` too
    (the same filters, a search typed further): the matches of `before` are then the
    only ones `after` need look at."""
    old, new = (before.get("search") or "").strip(), (after.get("search") or "").strip()
    spelled_old, spelled_new = search_query(old), search_query(new)
    return ((not old or (old in new and spelled_old in spelled_new
                         and (bool(spelled_old) or not spelled_new)))
            and {k: v for k, v in before.items() if k != "search"}
            == {k: v for k, v in after.items() if k != "search"})


def count_by(db, fields: list[str], **filters) -> list[Row]:
    """How many organizations per combination of `fields` (keys of COUNT_FIELDS), with the
    filters of `organizations()`; largest groups first."""
    clause, params = _organization_filter(db, **filters)
    columns = ", ".join(f"{COUNT_FIELDS[field]} AS {field}" for field in fields)
    groups = ", ".join(str(n) for n in range(1, len(fields) + 1))
    return rows(db, f"""
        SELECT {columns}, count(*) AS count
        FROM organizations o LEFT JOIN hubs h ON h.id = o.hub_id
        {clause} GROUP BY {groups} ORDER BY count(*) DESC, {groups}""", params)


def org_options(db, *, stages: tuple[str, ...], hub_id: str | None = None
                ) -> list[tuple[str, str, str]]:
    """(name, id, search_text) of the organizations in `stages` (of one hub), in pinyin
    order, for pickers."""
    clause, params = where(
        ("stage IN (SELECT value FROM json_each(?))", [id_list(list(stages))]),
        ("hub_id = ?", [hub_id] if hub_id else None))
    return [(row["name"], row["id"], row["search_text"]) for row in db.query(
        f"SELECT id, name, search_text FROM organizations {clause} ORDER BY sort_key, id",
        params)]


def find_by_name(db, needle: str, limit: int) -> list[tuple[str, str]]:
    """(id, name) of organizations whose name holds `needle`, whose id starts with it, or
    whose name's pinyin (full or initials) holds it; in pinyin order."""
    spelled = search_query(needle)
    return db.execute(
        "SELECT id, name FROM organizations WHERE name LIKE ? OR id LIKE ? "
        "OR (? <> '' AND search_text LIKE '%' || ? || '%') ORDER BY sort_key, id LIMIT ?",
        [f"%{needle}%", f"{needle}%", spelled, spelled, limit]).fetchall()


def residents_of_hub(db, hub_id: str, entered_by: date) -> list[tuple[str, str]]:
    """(id, name) of a hub's residents that had entered by `entered_by`, in pinyin order."""
    return [(r["id"], r["name"]) for r in db.query(
        f"SELECT id, name FROM organizations WHERE hub_id = ? AND stage IN ({RESIDENT_SQL})"
        " AND entered <= ? ORDER BY sort_key, id", [hub_id, entered_by.isoformat()])]


def stage_counts(db) -> Counter:
    """(hub id, stage) → number of organizations."""
    return Counter({(row["hub_id"], row["stage"]): row["n"] for row in db.query(
        "SELECT hub_id, stage, count(*) AS n FROM organizations GROUP BY hub_id, stage")})


def with_conflicts(db) -> list[str]:
    """Ids of organizations with unresolved conflicts."""
    return [row[0] for row in db.execute("SELECT id FROM organizations WHERE conflict_count > 0")]


def summary(db, today: date) -> Row:
    """Counts for the demo banner and the dashboard."""
    stages = dict(db.execute("SELECT stage, count(*) FROM organizations GROUP BY stage"))
    return {
        "hubs": value(db, "SELECT count(*) FROM hubs"),
        "organizations": sum(stages.values()),
        "stages": stages,
        "scores": value(db, "SELECT count(*) FROM scores"),
        "waivers": value(db, "SELECT count(*) FROM waivers"),
        "spaces": value(db, "SELECT count(*) FROM spaces WHERE retired_on IS NULL"
                            " OR retired_on > ?", [today.isoformat()]),
        "conflicts": value(db, "SELECT count(*) FROM conflicts"),
        "today": today.isoformat(),
    }
