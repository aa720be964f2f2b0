"""Monthly scores (月规范)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...domain import fields, rubric
from ...domain.docids import org_doc
from ...domain.errors import N_, DomainError, Text
from ...domain.months import check_scoreable, parse_month
from ...domain.settings import SettingsTimeline
from .. import queries
from .base import Commands, StaleEdit
from .writes import set_all, write_field


@dataclass(frozen=True)
class ScoreEntry:
    """One organization's monthly score as typed by a person."""

    org: str
    month: str
    values: Mapping[str, float]
    note: str | None = None
    # Compare-and-set: the items stored when the form was opened ({} for no score);
    # None writes whatever is stored now (the CLI).
    opened: Mapping[str, float] | None = None


class ScoreCommands(Commands):
    def prepare_score(self, entry: ScoreEntry, timeline: SettingsTimeline | None = None,
                      orgs: dict[str, tuple[str, str | None]] | None = None,
                      rubrics: list[rubric.RubricVersion] | None = None
                      ) -> tuple[str, str, dict[str, Any]]:
        """Validate one score entry; returns (org id, month, stored record). Entries
        validated together share the `timeline`, the `rubrics` and `orgs` (each
        organization typed → its id and entry date, filled here): read once, not per
        entry."""
        known = orgs.get(entry.org) if orgs is not None else None
        if known is None:
            org = self._resident_row(entry.org)
            known = (org["id"], org["entered"])
            if orgs is not None:
                orgs[entry.org] = known
        org_id, entered = known
        month = parse_month(entry.month)
        check_scoreable(month, self.today(),
                        (timeline or self.timeline()).at(month).scoring_opens_day)
        if entered and month < entered[:7]:
            raise DomainError("{month} is before the organization entered ({entered})",
                              month=month, entered=entered)
        version = rubric.rubric_for(self.rubric_versions() if rubrics is None else rubrics,
                                    month)
        values = rubric.resolve_items(version, entry.values)
        total = rubric.score_total(version, values)
        note = fields.NOTE.clean(entry.note or "")
        record = {"items": values, "total": total, "max_total": version.max_total,
                  "rubric_from": version.from_month, "note": note}
        return org_id, month, record

    def set_scores(self, entries: Iterable[ScoreEntry]) -> list[dict[str, Any]]:
        """Validate every entry, then save them all in one transaction (one change per org);
        an entry whose stored score is no longer the one it was opened with refuses all
        (`StaleEdit`)."""
        saved, _stale = self._save_scores(list(entries), skip_stale=False)
        return saved

    def set_scores_unless_changed(self, entries: Iterable[ScoreEntry]) -> tuple[
            list[dict[str, Any]], list[tuple[ScoreEntry, StaleEdit]]]:
        """The scoring grid's save: like `set_scores`, in one transaction, but an entry
        whose score was changed elsewhere since it was opened is left out (nothing written
        for that organization and month) and returned with its `StaleEdit`."""
        return self._save_scores(list(entries), skip_stale=True)

    def _save_scores(self, entries: list[ScoreEntry], *, skip_stale: bool
                     ) -> tuple[list[dict[str, Any]], list[tuple[ScoreEntry, StaleEdit]]]:
        timeline, rubrics = self.timeline(), self.rubric_versions()
        orgs: dict[str, tuple[str, str | None]] = {}
        prepared = [(entry, *self.prepare_score(entry, timeline, orgs, rubrics))
                    for entry in entries]
        saved: list[dict[str, Any]] = []
        stale: list[tuple[ScoreEntry, StaleEdit]] = []
        with self.replica.transaction():
            by_org: dict[str, dict[str, dict[str, Any]]] = {}
            for entry, org_id, month, record in prepared:
                try:
                    self._check_opened(entry.opened, org_id, month)
                except StaleEdit as refused:
                    if not skip_stale:
                        raise
                    stale.append((entry, refused))
                    continue
                by_org.setdefault(org_id, {})[month] = record
                saved.append(dict(record, org_id=org_id, month=month))
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
        return saved, stale

    def _check_opened(self, opened_items: Mapping[str, float] | None, org_id: str,
                      month: str) -> None:
        """Refuse when the stored items are no longer `opened_items` (None: no check)."""
        if opened_items is None:
            return
        now = queries.scores(self.db, month=month, org_id=org_id)
        stored = now[0]["items"] if now else {}
        opened = {key: float(value) for key, value in opened_items.items()}
        self._refuse_if_changed(
            org_doc(org_id), f"scores/{month}", opened, stored,
            Text("The score of {name} for {month}", {"name": queries.org_name(self.db, org_id),
                                                     "month": month}),
            lambda items: (f"{now[0]['total']:g}/{now[0]['max_total']:g}" if items
                           else Text(N_("no score"))))

    def delete_score(self, org: str, month: str,
                     opened: Mapping[str, float] | None = None) -> None:
        """Delete an organization's score of `month` (one entered by mistake, or for a
        month in the future of a fast clock), as a recorded change. With `opened` (the
        items it was seen with), only if they are still stored (`StaleEdit`)."""
        org_id = queries.resolve_org(self.db, org)
        month = parse_month(month)
        with self.replica.transaction():
            self._check_opened(opened, org_id, month)
            if not queries.scores(self.db, month=month, org_id=org_id):
                raise DomainError("{name} has no score for {month}",
                                  name=queries.org_name(self.db, org_id), month=month)
            self.replica.change(org_doc(org_id), N_("Deleted the score of {month}"),
                                {"month": month},
                                lambda ed: write_field(ed, ("scores", month), None))
