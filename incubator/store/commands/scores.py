"""Monthly scores (月规范)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...domain import organization, rubric
from ...domain.docids import org_doc
from ...domain.errors import N_, DomainError
from ...domain.months import check_not_future, parse_month
from .. import queries
from .base import Commands
from .writes import set_all, write_field


@dataclass(frozen=True)
class ScoreEntry:
    """One organization's monthly score as typed by a person."""

    org: str
    month: str
    values: Mapping[str, float]
    note: str | None = None


class ScoreCommands(Commands):
    def prepare_score(self, entry: ScoreEntry) -> tuple[str, str, dict[str, Any]]:
        """Validate one score entry; returns (org id, month, stored record)."""
        org_id = self._resident(entry.org)
        month = parse_month(entry.month)
        check_not_future(month, self.today())
        entered = queries.org_row(self.db, org_id)["entered"]
        if entered and month < entered[:7]:
            raise DomainError("{month} is before the organization entered ({entered})",
                              month=month, entered=entered)
        version = self.rubric_for(month)
        values = rubric.resolve_items(version, entry.values)
        total = rubric.score_total(version, values)
        note = organization.clean_text(entry.note or "", N_("Note"), 500)
        record = {"items": values, "total": total, "max_total": version.max_total,
                  "rubric_from": version.from_month, "note": note}
        return org_id, month, record

    def set_scores(self, entries: Iterable[ScoreEntry]) -> list[dict[str, Any]]:
        """Validate every entry, then save them all in one transaction (one change per org)."""
        prepared = [self.prepare_score(entry) for entry in entries]
        by_org: dict[str, dict[str, dict[str, Any]]] = {}
        for org_id, month, record in prepared:
            by_org.setdefault(org_id, {})[month] = record
        with self.replica.transaction():
            for org_id, months in by_org.items():
                writes = {("scores", month): json.dumps(record, ensure_ascii=False, sort_keys=True)
                          for month, record in months.items()}
                if len(months) == 1:
                    (month, record), = months.items()
                    summary, params = N_("Scored {month}: {total}"), {"month": month,
                                                                   "total": record["total"]}
                else:
                    summary, params = N_("Scored {count} months from {first} to {last}"), {
                        "count": len(months), "first": min(months), "last": max(months)}
                self.replica.change(org_doc(org_id), summary, params,
                                    lambda ed, w=writes: set_all(ed, w))
        return [dict(record, org_id=org_id, month=month) for org_id, month, record in prepared]

    def delete_score(self, org: str, month: str) -> None:
        """Delete an organization's score of `month` (one entered by mistake, or for a
        month in the future of a fast clock), as a recorded change."""
        org_id = queries.resolve_org(self.db, org)
        month = parse_month(month)
        if not queries.scores(self.db, month=month, org_id=org_id):
            raise DomainError("{name} has no score for {month}",
                              name=queries.org_name(self.db, org_id), month=month)
        self.replica.change(org_doc(org_id), N_("Deleted the score of {month}"),
                            {"month": month},
                            lambda ed: write_field(ed, ("scores", month), None))
