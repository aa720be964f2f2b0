"""Documents to query-table rows: a pure function of one document's tree.

Document layouts (all maps of scalars):
- network: `settings/<key>` (the value from the beginning) and `settings/<key>@<YYYY-MM>`
  (the value from that month on: one flat key each, so concurrent changes merge key by key
  and builds that predate versions read the values from the beginning),
  `rubrics/<from month>/<item key>/{label,maximum,position}`,
  `members/<device id>/{name,role,added_by,added_at,revoked_at,certificate,bundle_key,
  address,scope}` (`scope`: what a field device holds, `domain.scope`; none: everything).
- hub: `profile/{name,category,created_at}`, `spaces/<id>/{name,kind,area,capacity,retired_on}`,
  `allocations/<id>/{space,org,start,end}`.
- network also: `categories/<key>/{zh,en}` (the network's additions to the defaults).
- org: `profile/{name,hub,category,…,stage}`, `scores/<month>` (a JSON string of
  {items, total, max_total, rubric_from, note}: one month is one value),
  `waivers/<id>/{kind,start,end,monthly_value,rent_charged,standard_rent,hours_per_month,
  approved_by,ended_on,end_reason,timebank}` (`timebank`: the time-bank hours its
  organization's volunteers deposit count towards service for rent), `service/<month>`,
  `interviews/<id>/{on,deadline,case,outcome,closed_on,reason,note}` and, in the same map
  (containers must exist from a document's creation), dismissals of a warning case
  `interviews/<id>/{kind: dismissal,case,on,reason,by}`,
  `reviews/<year>/{self,peer,public,party,monthly_avg,composite,stars,scale}`,
  `graduation/…`, `exit/{on,reason,ordered}`,
  `activities/<id>/{on,title,kind,place,participants,beneficiaries,person_times,hours,note,by}`,
  `visits/<id>/{on,purpose,findings,follow_up,by,checks}` (`checks`: a JSON string of
  item → state), `trainings/<training id>/{on,topic,people,organizations}` (a training of
  several organizations is copied into each one's document under the same id),
  `archives/<item>/{state,on,by,note,visit}`, `awards/<id>/{year,title,amount,by}`.
- needs, project, round, application, person: see `materialize_rounds`.
Every document also has `log/…` and `clock/…` (see `journal`).

Organizations, hubs and spaces carry `name_key` (`domain.names.name_key`), so a duplicate
check is one SQL query whatever look-alike characters a name was typed with, and
`sort_key` (`domain.pinyin.sort_key`), so names are listed in pinyin order by SQL alone;
organizations also carry `search_text` (`domain.pinyin.search_text`: full pinyin and
initials), so a search by pinyin is one `LIKE` per keystroke.

Every container map is created with its document (`CONTAINERS`): two replicas that
created the same map concurrently would each make their own, and one would hide the
other's entries.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ..domain.docids import DocKind, entity_id, kind_of
from ..domain.models import WaiverKind
from ..domain.months import parse_date
from ..domain.months import month_index
from ..domain.names import name_key
from ..domain.pinyin import search_text, sort_key
from ..domain.register import REGISTER_FIELDS, existed_since
from ..domain.rubric import ten_point
from ..domain.settings import BEGINNING
from ..domain.waivers import last_day
from . import journal, materialize_rounds

DISMISSAL = "dismissal"  # the `kind` of a dismissal kept in the interviews map
LEGACY_RENT = "rent"  # the one rent kind of earlier builds: no rents recorded, so rent-free

Rows = dict[str, list[dict[str, Any]]]
Groups = dict[tuple[str, tuple[str, ...]], list[tuple]]  # (table, columns) → rows' values
# json.dumps(value, sort_keys=True) without building an encoder per call (a clone or a
# reindex encodes every score's items)
sorted_json = json.JSONEncoder(sort_keys=True).encode

TABLES_BY_KIND = {
    DocKind.NETWORK: ("settings", "rubric_items", "members", "categories", "conflicts"),
    DocKind.HUB: ("hubs", "spaces", "allocations", "conflicts"),
    DocKind.ORG: (
        "organizations", "scores", "waivers", "service_hours", "interviews", "dismissals",
        "reviews", "activities", "visits", "trainings", "archive_checks", "conflicts",
        "awards",
    ),
    **materialize_rounds.TABLES,
}


CONTAINERS = {
    DocKind.NETWORK: ("settings", "rubrics", "members", "categories"),
    DocKind.HUB: ("profile", "spaces", "allocations"),
    DocKind.ORG: ("profile", "scores", "waivers", "service", "interviews", "reviews", "graduation",
            "exit", "activities", "visits", "trainings", "archives", "awards"),
    **materialize_rounds.CONTAINERS,
}


# The containers each organization table's rows are made from (`_org_rows` reads nothing
# else of the tree but the journal, for conflicts): a change this device made to an
# organization with no conflict leaves a table whose containers it did not write as it was
# (`org_rows`; the tests check the rows against `rows_for` on every demo organization).
ORG_TABLE_CONTAINERS = {
    "organizations": ("profile", "scores", "reviews", "graduation", "exit"),
    "scores": ("scores",), "waivers": ("waivers",), "service_hours": ("service",),
    "interviews": ("interviews",), "dismissals": ("interviews",), "reviews": ("reviews",),
    "activities": ("activities", "profile"), "visits": ("visits",),
    "trainings": ("trainings",), "archive_checks": ("archives",), "awards": ("awards",),
}


def org_tables_made_from(containers: set[str]) -> list[str] | None:
    """The organization tables made from any of `containers`; None when one of them is
    not an organization's container (nothing to say which rows it makes)."""
    if not containers <= set(CONTAINERS[DocKind.ORG]):
        return None
    return [table for table, sources in ORG_TABLE_CONTAINERS.items()
            if containers.intersection(sources)]


def org_rows(doc_id: str, tree: dict, tables: list[str]) -> Rows:
    """The rows of an organization's `tables` only, as `rows_for` gives them when the
    organization has no conflict, from a tree that holds (at least) their containers."""
    rows: Rows = {table: [] for table in TABLES_BY_KIND[DocKind.ORG]
                  if table != "organizations" or table in tables}
    _org_rows(entity_id(doc_id), tree, rows)
    for table in tables:
        for row in rows[table]:
            row["doc_id"] = doc_id
    return {table: rows[table] for table in tables}


def grouped(rows: Rows, into: Groups) -> None:
    """Add a document's rows to `into`, by table and columns: what one `executemany`
    inserts (a reindex inserts 4,005 documents' rows in a few)."""
    for table, table_rows in rows.items():
        for row in table_rows:
            into.setdefault((table, tuple(row)), []).append(tuple(row.values()))


def rows_for(doc_id: str, tree: dict) -> Rows:
    """Every query-table row that the document `doc_id` contributes."""
    kind = kind_of(doc_id)
    rows: Rows = {table: [] for table in TABLES_BY_KIND[kind]}
    for conflict in journal.conflicts(tree):
        rows["conflicts"].append({
            "field": conflict.field,
            "winner": json.dumps(conflict.winner, ensure_ascii=False, sort_keys=True),
            "candidates": json.dumps(
                [
                    {"device": e.device, "device_name": e.device_name, "at": e.at,
                     "value": e.fields[conflict.field], "entry": e.key}
                    for e in conflict.candidates
                ],
                ensure_ascii=False,
                sort_keys=True,
            ),
        })
    if kind is DocKind.NETWORK:
        _network_rows(tree, rows)
    elif kind is DocKind.HUB:
        _hub_rows(entity_id(doc_id), tree, rows)
    elif kind is DocKind.ORG:
        _org_rows(entity_id(doc_id), tree, rows)
    else:
        materialize_rounds.ROWS[kind](entity_id(doc_id), tree, rows)
    for table_rows in rows.values():
        for row in table_rows:
            row["doc_id"] = doc_id
    return rows


def _network_rows(tree: dict, rows: Rows) -> None:
    for stored, value in sorted(tree.get("settings", {}).items()):
        key, _at, from_month = stored.partition("@")
        rows["settings"].append({"key": key, "from_month": from_month or BEGINNING,
                                 "value": json.dumps(value)})
    for from_month, items in sorted(tree.get("rubrics", {}).items()):
        for key, item in items.items():
            rows["rubric_items"].append({
                "from_month": from_month, "key": key, "label": item.get("label", key),
                "maximum": float(item.get("maximum", 0)), "position": int(item.get("position", 0)),
            })
    for device_id, member in sorted(tree.get("members", {}).items()):
        rows["members"].append({
            "device_id": device_id, "name": member.get("name", ""),
            "role": member.get("role", "viewer"), "added_by": member.get("added_by"),
            "added_at": member.get("added_at"), "revoked_at": member.get("revoked_at"),
            "certificate": member.get("certificate"), "bundle_key": member.get("bundle_key"),
            "address": member.get("address"), "scope": member.get("scope") or None,
        })
    for key, category in sorted(tree.get("categories", {}).items()):
        rows["categories"].append({"key": key, "zh": category.get("zh", key),
                                   "en": category.get("en") or category.get("zh", key)})


def _hub_rows(hub_id: str, tree: dict, rows: Rows) -> None:
    profile = tree.get("profile", {})
    name = profile.get("name", hub_id)
    rows["hubs"].append({
        "id": hub_id, "name": name, "category": profile.get("category"),
        "created_at": profile.get("created_at"), "name_key": name_key(name),
        "sort_key": sort_key(name),
    })
    for space_id, space in sorted(tree.get("spaces", {}).items()):
        space_name = space.get("name", space_id)
        rows["spaces"].append({
            "id": space_id, "hub_id": hub_id, "name": space_name,
            "kind": space.get("kind", "room"), "area": space.get("area"),
            "capacity": space.get("capacity"), "name_key": name_key(space_name),
            "sort_key": sort_key(space_name), "retired_on": space.get("retired_on"),
        })
    for allocation_id, allocation in sorted(tree.get("allocations", {}).items()):
        rows["allocations"].append({
            "id": allocation_id, "hub_id": hub_id, "space_id": allocation.get("space", ""),
            "org_id": allocation.get("org", ""), "start": allocation.get("start", ""),
            "end": allocation.get("end"),
        })


def _org_rows(org_id: str, tree: dict, rows: Rows) -> None:
    profile = tree.get("profile", {})
    scores = tree.get("scores", {})
    for month, stored in sorted(scores.items()):
        rows["scores"].append(score_row(org_id, month, stored))
    for waiver_id, waiver in sorted(tree.get("waivers", {}).items()):
        kind = waiver.get("kind", "")
        rows["waivers"].append({
            "id": waiver_id, "org_id": org_id,
            "kind": WaiverKind.RENT_FREE.value if kind == LEGACY_RENT else kind,
            "start": waiver.get("start", ""), "end": waiver.get("end", ""),
            "last_day": _waiver_last_day(waiver),
            "monthly_value": float(waiver.get("monthly_value", 0)),
            "rent_charged": waiver.get("rent_charged"),
            "standard_rent": waiver.get("standard_rent"),
            "hours_per_month": waiver.get("hours_per_month"),
            "approved_by": waiver.get("approved_by"),
            "ended_on": waiver.get("ended_on"), "end_reason": waiver.get("end_reason") or None,
            "timebank": int(bool(waiver.get("timebank"))),
        })
    for month, hours in sorted(tree.get("service", {}).items()):
        rows["service_hours"].append({"org_id": org_id, "month": month, "hours": float(hours)})
    for record_id, record in sorted(tree.get("interviews", {}).items()):
        if record.get("kind") == DISMISSAL:
            rows["dismissals"].append({
                "id": record_id, "org_id": org_id, "case_id": record.get("case", ""),
                "on_date": record.get("on", ""), "reason": record.get("reason", ""),
                "dismissed_by": record.get("by", ""),
            })
            continue
        rows["interviews"].append({
            "id": record_id, "org_id": org_id, "on_date": record.get("on", ""),
            "deadline": record.get("deadline", ""), "case_id": record.get("case"),
            "outcome": record.get("outcome"), "closed_on": record.get("closed_on"),
            "reason": record.get("reason") or None, "note": record.get("note") or None,
        })
    for year, review in sorted(tree.get("reviews", {}).items()):
        rows["reviews"].append({
            "org_id": org_id, "year": int(year), "self": float(review.get("self", 0)),
            "peer": float(review.get("peer", 0)), "public": float(review.get("public", 0)),
            "party": int(bool(review.get("party", False))),
            "monthly_avg": review.get("monthly_avg"),
            "composite": float(review.get("composite", 0)), "stars": int(review.get("stars", 1)),
            "scale": review.get("scale", "five-star"),
        })
    _fieldwork_rows(org_id, tree, rows)
    materialize_rounds.award_rows(org_id, tree, rows)
    if "organizations" not in rows:  # not asked for (`org_rows`)
        return
    last = rows["scores"][-1] if rows["scores"] else None
    latest_review = rows["reviews"][-1] if rows["reviews"] else None
    graduation = tree.get("graduation", {})
    exit_ = tree.get("exit", {})
    name = profile.get("name", org_id)
    rows["organizations"].append({
        "id": org_id,
        "hub_id": profile.get("hub"),
        "name": name,
        "category": profile.get("category"),
        "legal_status": profile.get("legal_status"),
        "stage": profile.get("stage"),
        "community": profile.get("community") or None,
        "contact": profile.get("contact") or None,
        "phone": profile.get("phone") or None,
        "members": profile.get("members"),
        "party_org": profile.get("party_org"),
        "entered": profile.get("entered"),
        "notes": profile.get("notes") or None,
        "graduated_on": graduation.get("on"),
        "destination": graduation.get("destination"),
        "exited_on": exit_.get("on"),
        "exit_reason": exit_.get("reason"),
        "exit_ordered": int(bool(exit_.get("ordered"))) if exit_ else None,
        "last_month": last["month"] if last else None,
        "last_score10": last["score10"] if last else None,
        "stars": latest_review["stars"] if latest_review else None,
        "stars_year": latest_review["year"] if latest_review else None,
        "stars_scale": latest_review["scale"] if latest_review else None,
        "conflict_count": len(rows["conflicts"]),
        "name_key": name_key(name),
        **{key: profile.get(key) or None for key in REGISTER_FIELDS},
        "since": existed_since(profile.get("registered_on"), profile.get("entered")),
        "search_text": search_text(name),
        "sort_key": sort_key(name),
    })


SCORE_COLUMNS = ("org_id", "month", "total", "max_total", "score10", "rubric_from", "items",
                 "note")


@lru_cache(maxsize=16384)
def _score_values(stored: str) -> tuple[Any, ...]:
    score = json.loads(stored)
    total, max_total = float(score.get("total", 0)), float(score.get("max_total", 10))
    return (total, max_total, ten_point(total, max_total), score.get("rubric_from", ""),
            sorted_json(score.get("items", {})), score.get("note") or None)


def score_row(org_id: str, month: str, stored: str) -> dict[str, Any]:
    """The `scores` row of one stored month (`scores/<month>`, a JSON string); its values
    are cached by the stored text: months scored alike are stored alike, and a clone or a
    reindex reads 225,000 of them."""
    return dict(zip(SCORE_COLUMNS, (org_id, month, *_score_values(stored))))


def _fieldwork_rows(org_id: str, tree: dict, rows: Rows) -> None:
    """Activities, visits, trainings and archive checks of one organization."""
    profile = tree.get("profile", {})
    for activity_id, activity in sorted(tree.get("activities", {}).items()):
        rows["activities"].append({
            "id": activity_id, "org_id": org_id, "on_date": activity.get("on", ""),
            "title": activity.get("title", ""), "kind": activity.get("kind") or None,
            "place": activity.get("place") or None,
            "participants": int(activity.get("participants", 0)),
            "beneficiaries": int(activity.get("beneficiaries", 0)),
            "person_times": int(activity.get("person_times", 0)),
            "hours": float(activity.get("hours", 0)), "note": activity.get("note") or None,
            "recorded_by": activity.get("by"),
            # derived for the ranking: the month's index, and where it served (its place,
            # else the organization's own community or village)
            "month_index": month_index(activity.get("on", "")[:7]),
            "served": activity.get("place") or profile.get("village")
            or profile.get("community") or "",
        })
    for visit_id, visit in sorted(tree.get("visits", {}).items()):
        rows["visits"].append({
            "id": visit_id, "org_id": org_id, "on_date": visit.get("on", ""),
            "purpose": visit.get("purpose", ""), "findings": visit.get("findings", ""),
            "follow_up": visit.get("follow_up") or None, "visitor": visit.get("by"),
            "checks": sorted_json(json.loads(visit.get("checks") or "{}")),
        })
    for training_id, training in sorted(tree.get("trainings", {}).items()):
        rows["trainings"].append({
            "id": training_id, "org_id": org_id, "on_date": training.get("on", ""),
            "topic": training.get("topic", ""), "people": int(training.get("people", 0)),
            "organizations": int(training.get("organizations", 1)),
        })
    for item, check in sorted(tree.get("archives", {}).items()):
        rows["archive_checks"].append({
            "org_id": org_id, "item": item, "state": check.get("state", "missing"),
            "on_date": check.get("on", ""), "checked_by": check.get("by"),
            "note": check.get("note") or None, "visit_id": check.get("visit") or None,
        })


def _waiver_last_day(waiver: dict) -> str:
    """The last day the waiver is in force (its end, or the day before it was ended)."""
    end, ended_on = waiver.get("end", ""), waiver.get("ended_on")
    if not ended_on or not end:
        return end
    return last_day(parse_date(end), parse_date(ended_on)).isoformat()
