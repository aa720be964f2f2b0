"""Rows of the venture-philanthropy and time-bank documents (see `materialize`).

Document layouts (maps of scalars, every container created with its document):
- needs (one community's, 居民点单): `needs/<need id>/{community,area,description,source,
  asked_by,on,by}`.
- project (a library project, 社区制单): `profile/{title,area,budget,target_group,
  beneficiaries,created_on,by}`, `needs/<need id>` (the date it was linked: merging
  needs into a project adds keys, so two evaluators' merges combine).
- round: `profile/{name,budget,opens,closes,eligibility,created_on}`, `decision/{on,by,top,
  funded}` (`funded`: a JSON string of [{application, amount, rank}] — one value, so two
  decisions made at once cannot together exceed the budget: they conflict, one is kept).
- application (社会组织承单): `profile/{round,org,project,amount,plan,on,by}`,
  `reviews/<reviewer key>/{reviewer,kind,scores,on,by}` (`scores`: a JSON string of
  criterion → 0–100; the key is the reviewer's name key, so a reviewer scoring again
  replaces their review), `evaluations/<id>/{phase,method,result,beneficiaries,
  person_times,findings,deadline,on,by}`, `payments/<id>/{amount,on,by,note}`,
  `recoveries/<id>/{amount,reason,on,by}`.
- person (a volunteer's time-bank account, 爱心储蓄): `profile/{name,org,created_on}`,
  `entries/<id>/{kind: deposit|draw,hours,on,org,note,by}`.
- org documents also hold `awards/<id>/{year,title,amount,by}`.
"""

from __future__ import annotations

import json
from typing import Any

from ..domain.docids import DocKind
from ..domain.names import name_key

Rows = dict[str, list[dict[str, Any]]]

TABLES = {
    DocKind.NEEDS: ("needs", "conflicts"),
    DocKind.PROJECT: ("library", "project_needs", "conflicts"),
    DocKind.ROUND: ("rounds", "funding", "conflicts"),
    DocKind.APPLICATION: ("applications", "round_reviews", "evaluations", "payments",
                          "recoveries", "conflicts"),
    DocKind.PERSON: ("bank_accounts", "bank_entries", "conflicts"),
}

CONTAINERS = {
    DocKind.NEEDS: ("needs",),
    DocKind.PROJECT: ("profile", "needs"),
    DocKind.ROUND: ("profile", "decision"),
    DocKind.APPLICATION: ("profile", "reviews", "evaluations", "payments", "recoveries"),
    DocKind.PERSON: ("profile", "entries"),
}


def _text(value: Any) -> str | None:
    return value or None


def _needs_rows(_needs_id: str, tree: dict, rows: Rows) -> None:
    for need_id, need in sorted(tree.get("needs", {}).items()):
        community = need.get("community", "")
        rows["needs"].append({
            "id": need_id, "community": community, "community_key": name_key(community),
            "area": need.get("area", "other"), "description": need.get("description", ""),
            "source": need.get("source", "other"), "asked_by": _text(need.get("asked_by")),
            "on_date": need.get("on", ""), "recorded_by": need.get("by"),
        })


def _project_rows(project_id: str, tree: dict, rows: Rows) -> None:
    profile = tree.get("profile", {})
    linked = sorted(tree.get("needs", {}).items())
    rows["library"].append({
        "id": project_id, "title": profile.get("title", project_id),
        "area": profile.get("area", "other"), "budget": profile.get("budget"),
        "target_group": _text(profile.get("target_group")),
        "beneficiaries": profile.get("beneficiaries"),
        "created_on": profile.get("created_on", ""), "recorded_by": profile.get("by"),
        "need_count": len(linked),
    })
    for need_id, on in linked:
        rows["project_needs"].append({"project_id": project_id, "need_id": need_id,
                                      "linked_on": str(on)})


def _round_rows(round_id: str, tree: dict, rows: Rows) -> None:
    profile, decision = tree.get("profile", {}), tree.get("decision", {})
    name = profile.get("name", round_id)
    rows["rounds"].append({
        "id": round_id, "name": name, "name_key": name_key(name),
        "budget": float(profile.get("budget", 0)), "opens": profile.get("opens", ""),
        "closes": profile.get("closes", ""), "eligibility": _text(profile.get("eligibility")),
        "created_on": profile.get("created_on", ""), "decided_on": decision.get("on"),
        "decided_by": decision.get("by"), "top": decision.get("top"),
    })
    for entry in json.loads(decision.get("funded") or "[]"):
        rows["funding"].append({"round_id": round_id, "application_id": str(entry["application"]),
                                "amount": float(entry["amount"]), "rank": entry.get("rank")})


def _application_rows(application_id: str, tree: dict, rows: Rows) -> None:
    profile = tree.get("profile", {})
    rows["applications"].append({
        "id": application_id, "round_id": profile.get("round", ""),
        "org_id": profile.get("org", ""), "project_id": profile.get("project", ""),
        "amount": float(profile.get("amount", 0)), "plan": _text(profile.get("plan")),
        "on_date": profile.get("on", ""), "recorded_by": profile.get("by"),
    })
    for key, review in sorted(tree.get("reviews", {}).items()):
        rows["round_reviews"].append({
            "application_id": application_id, "reviewer_key": key,
            "reviewer": review.get("reviewer", key), "kind": review.get("kind", "expert"),
            "scores": json.dumps(json.loads(review.get("scores") or "{}"), sort_keys=True),
            "on_date": review.get("on", ""), "recorded_by": review.get("by"),
        })
    for evaluation_id, evaluation in sorted(tree.get("evaluations", {}).items()):
        rows["evaluations"].append({
            "id": evaluation_id, "application_id": application_id,
            "phase": evaluation.get("phase", "initial"),
            "method": evaluation.get("method", "document"),
            "result": evaluation.get("result", "pass"),
            "beneficiaries": int(evaluation.get("beneficiaries", 0)),
            "person_times": int(evaluation.get("person_times", 0)),
            "findings": _text(evaluation.get("findings")),
            "deadline": _text(evaluation.get("deadline")),
            "on_date": evaluation.get("on", ""), "evaluated_by": evaluation.get("by"),
        })
    for payment_id, payment in sorted(tree.get("payments", {}).items()):
        rows["payments"].append({
            "id": payment_id, "application_id": application_id,
            "amount": float(payment.get("amount", 0)), "on_date": payment.get("on", ""),
            "note": _text(payment.get("note")), "recorded_by": payment.get("by"),
        })
    for recovery_id, recovery in sorted(tree.get("recoveries", {}).items()):
        rows["recoveries"].append({
            "id": recovery_id, "application_id": application_id,
            "amount": float(recovery.get("amount", 0)), "reason": recovery.get("reason", ""),
            "on_date": recovery.get("on", ""), "recorded_by": recovery.get("by"),
        })


def _person_rows(person_id: str, tree: dict, rows: Rows) -> None:
    profile = tree.get("profile", {})
    name = profile.get("name", person_id)
    rows["bank_accounts"].append({
        "id": person_id, "name": name, "name_key": name_key(name),
        "org_id": _text(profile.get("org")), "created_on": profile.get("created_on", ""),
    })
    for entry_id, entry in sorted(tree.get("entries", {}).items()):
        rows["bank_entries"].append({
            "id": entry_id, "person_id": person_id, "kind": entry.get("kind", "deposit"),
            "hours": float(entry.get("hours", 0)), "on_date": entry.get("on", ""),
            "month": entry.get("on", "")[:7], "org_id": _text(entry.get("org")),
            "note": _text(entry.get("note")), "recorded_by": entry.get("by"),
        })


ROWS = {
    DocKind.NEEDS: _needs_rows,
    DocKind.PROJECT: _project_rows,
    DocKind.ROUND: _round_rows,
    DocKind.APPLICATION: _application_rows,
    DocKind.PERSON: _person_rows,
}


def award_rows(org_id: str, tree: dict, rows: Rows) -> None:
    """An organization's awards (表彰/奖励)."""
    for award_id, award in sorted(tree.get("awards", {}).items()):
        rows["awards"].append({
            "id": award_id, "org_id": org_id, "year": int(award.get("year", 0)),
            "title": award.get("title", ""), "amount": award.get("amount"),
            "recorded_by": award.get("by"),
        })
