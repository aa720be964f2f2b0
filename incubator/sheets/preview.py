"""What an import does, in words: the rows the CLI prints (its dry run too) and the app's
preview shows — one plan of a roster, a score sheet or activity records — and the import
written after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.errors import N_, DomainError
from ..i18n import _, render
from ..present.labels import category_text, enum_label
from ..store import queries
from ..store.commands import Store
from ..store.commands.imports import CREATE, REJECT, SAME, UPDATE, RosterImport
from ..store.commands.organizations import PROFILE_LABELS
from . import imports

ROSTER, SCORES, ACTIVITIES = "orgs", "scores", "activities"
KINDS = {ROSTER: N_("Roster of organizations"), SCORES: N_("A month's score sheet"),
         ACTIVITIES: N_("Activity records")}

ACTIONS = {CREATE: N_("create"), UPDATE: N_("update"), SAME: N_("unchanged"),
           REJECT: N_("reject")}
ROSTER_COLUMNS = [("row", N_("Row")), ("action", N_("Action")), ("name", N_("Name")),
                  ("detail", N_("Details"))]
PROBLEM_COLUMNS = [("sheet", N_("Sheet")), ("row", N_("Row")), ("column", N_("Column")),
                   ("problem", N_("Problem"))]
SCORE_COLUMNS = [("sheet", N_("Sheet")), ("row", N_("Row")), ("name", N_("Organization")),
                 ("total", N_("Total"))]
ACTIVITY_COLUMNS = [("sheet", N_("Sheet")), ("row", N_("Row")), ("name", N_("Organization")),
                    ("on", N_("Date")), ("title", N_("Activity title"))]

Columns = list[tuple[str, str]]


def _shown_value(db, field_name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if field_name == "category":
        return category_text(value, queries.categories(db))
    if field_name == "hub":
        return queries.hub_name(db, value)
    if field_name in ("legal_status", "stage", "party_org", "area", "org_form"):
        return enum_label(value)
    return str(value)


def roster_rows(db, result: RosterImport) -> list[dict]:
    """A roster's rows: its number in the file, what is done, the name, and what changes
    (old → new) or why it is rejected."""
    rows = []
    for outcome in result.outcomes:
        if outcome.action == REJECT:
            detail = "；".join(render(reason) for reason in outcome.reasons)
        else:
            detail = "；".join(
                f"{_(PROFILE_LABELS[key])}: {_shown_value(db, key, old)} → "
                f"{_shown_value(db, key, new)}"
                for key, (old, new) in outcome.changes.items())
        rows.append({"row": outcome.row, "action": _(ACTIONS[outcome.action]),
                     "name": outcome.name, "detail": detail})
    return rows


def roster_counts(result: RosterImport) -> dict[str, int]:
    return {action: result.count(action) for action in ACTIONS}


def roster_summary(result: RosterImport) -> str:
    return _("{create} to create, {update} to update, {same} unchanged, {reject} "
             "rejected").format(**roster_counts(result))


def problem_rows(refused: imports.FormRefused) -> list[dict]:
    return [{"sheet": p.sheet, "row": p.row, "column": p.column or "", "problem": render(p.text)}
            for p in refused.problems]


def score_rows(result: imports.ScoreImport) -> list[dict]:
    return [{"sheet": sheet, "row": row, "name": name, "total": f"{total:g}"}
            for sheet, row, name, total in result.planned]


def score_summary(result: imports.ScoreImport) -> str:
    return _("{saved} scores to save, {unchanged} unchanged, {blank} blank rows skipped").format(
        saved=len(result.planned), unchanged=result.unchanged, blank=result.skipped_blank)


def activity_rows(result: imports.ActivityImport) -> list[dict]:
    return [{"sheet": sheet, "row": row, "name": name, "on": on, "title": title}
            for sheet, row, name, on, title in result.planned]


def activity_summary(result: imports.ActivityImport) -> str:
    return _("{count} activities to add, {blank} blank rows skipped").format(
        count=len(result.planned), blank=result.skipped_blank)


@dataclass(frozen=True)
class ImportRequest:
    """What to import: the kind (`KINDS`), the file, and what the kind takes (a roster: its
    sheet, the hub of rows naming none, a mapping file; a score sheet: its month)."""

    kind: str
    path: Path
    sheet: str | None = None
    hub: str | None = None
    mapping: Path | None = None
    month: str | None = None


@dataclass(frozen=True)
class ImportPlan:
    """What importing `request` would do, as words: a table (`columns` pairs a row key
    with an untranslated header) and a summary. `writes` rows would be written and
    `rejected` rows or cells are refused; `skippable` says the others may be imported
    without them (a roster, as `--skip-invalid`)."""

    request: ImportRequest
    columns: Columns
    rows: list[dict]
    summary: str
    notes: tuple[str, ...]
    writes: int
    rejected: int
    skippable: bool

    @property
    def ready(self) -> bool:
        """Whether an import writes something as the file is (nothing rejected)."""
        return self.writes > 0 and not self.rejected


def plan_import(store: Store, request: ImportRequest) -> ImportPlan:
    """The dry run of `request`: what would be created, updated or refused, row by row;
    nothing is written."""
    if request.kind == ROSTER:
        read, result = imports.import_roster(store, request.path, sheet=request.sheet,
                                             mapping=request.mapping, hub=request.hub,
                                             apply=False)
        notes = (_("Columns not imported: {columns}").format(
            columns=", ".join(read.columns.ignored)),) if read.columns.ignored else ()
        return ImportPlan(request, ROSTER_COLUMNS, roster_rows(store.db, result),
                          roster_summary(result), notes,
                          result.count(CREATE) + result.count(UPDATE), result.count(REJECT),
                          skippable=True)
    try:
        if request.kind == SCORES:
            scores = imports.import_scores(store, request.path, request.month or "",
                                           apply=False)
            return ImportPlan(request, SCORE_COLUMNS, score_rows(scores),
                              score_summary(scores), (), len(scores.planned), 0, False)
        if request.kind == ACTIVITIES:
            activities = imports.import_activities(store, request.path, apply=False)
            return ImportPlan(request, ACTIVITY_COLUMNS, activity_rows(activities),
                              activity_summary(activities), (), len(activities.planned), 0,
                              False)
    except imports.FormRefused as refused:
        return ImportPlan(request, PROBLEM_COLUMNS, problem_rows(refused),
                          refused.render(_), (), 0, len(refused.problems), False)
    raise DomainError("Unknown kind of import: {kind}", kind=request.kind)


def run_import(store: Store, request: ImportRequest, *, skip_invalid: bool = False,
               progress: Callable[[int, int], None] | None = None) -> str:
    """Import `request` (planned again against the replica as it is now; all or nothing
    unless `skip_invalid`); what was done, in words."""
    if request.kind == ROSTER:
        _read, result = imports.import_roster(store, request.path, sheet=request.sheet,
                                              mapping=request.mapping, hub=request.hub,
                                              skip_invalid=skip_invalid, progress=progress)
        if not result.written:
            raise DomainError("nothing was imported: {count} rows are rejected",
                              count=result.count(REJECT))
        return roster_done(result)
    if request.kind == SCORES:
        return scores_done(imports.import_scores(store, request.path, request.month or ""))
    return activities_done(imports.import_activities(store, request.path))


def roster_done(result: RosterImport) -> str:
    return _("Imported: {create} created, {update} updated").format(**roster_counts(result))


def scores_done(result: imports.ScoreImport) -> str:
    return _("Imported {saved} scores ({unchanged} unchanged, {blank} blank rows skipped)"
             ).format(saved=len(result.saved), unchanged=result.unchanged,
                      blank=result.skipped_blank)


def activities_done(result: imports.ActivityImport) -> str:
    return _("Imported {count} activities").format(count=len(result.ids))
