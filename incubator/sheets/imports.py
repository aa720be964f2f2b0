"""Reading what is imported: a roster's rows by field, a month's score sheet, activity
records; the store's commands validate and write them."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..domain import roster, rubric
from ..domain.errors import N_, DomainError, Text
from ..domain.months import parse_month
from ..i18n import _, every_language
from ..store import queries
from ..store.commands import ActivityEntry, ScoreEntry, Store
from ..store.commands.imports import RosterImport
from ..store.commands.portable import document_from_json, import_documents
from .exports import FORMAT_NAME, MANIFEST, document_file
from .read import decode_text, pick_sheet, read_sheets
from .reports import ACTIVITY_FIELDS


@dataclass(frozen=True)
class Roster:
    """A roster's rows (file row number, field → cell) and what its header said."""

    sheet: str
    columns: roster.Columns
    rows: list[tuple[int, dict[str, Any]]]


def read_mapping(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    if not path.is_file():
        raise DomainError("No file {path}", path=str(path))
    return roster.parse_mapping(decode_text(path.read_bytes(), path))


def read_roster(path: Path, sheet: str | None = None, mapping: Path | None = None) -> Roster:
    """The roster in `path` (its sheet `sheet`, default the first): the header row found
    below any title rows, each later non-blank row by field."""
    found = pick_sheet(read_sheets(path), sheet)
    columns = roster.find_columns(found.rows, read_mapping(mapping))
    rows = []
    for number, cells in enumerate(found.rows[columns.header_row:], columns.header_row + 1):
        values = {field_name: cells[column] if column < len(cells) else None
                  for column, field_name in columns.fields.items()}
        if not all(roster.is_blank(value) for value in values.values()):
            rows.append((number, values))
    return Roster(found.name, columns, rows)


def import_roster(store: Store, path: Path, *, sheet: str | None = None,
                  mapping: Path | None = None, hub: str | None = None, apply: bool = True,
                  skip_invalid: bool = False,
                  progress: Callable[[int, int], None] | None = None
                  ) -> tuple[Roster, RosterImport]:
    read = read_roster(path, sheet, mapping)
    if not read.rows:
        raise DomainError("{path} has no rows below its header (row {row})", path=str(path),
                          row=read.columns.header_row)
    return read, store.import_orgs(read.rows, hub=hub, apply=apply,
                                   skip_invalid=skip_invalid, progress=progress)


# -- forms the exports wrote: the score sheet and the activity template ---------------------

@dataclass(frozen=True)
class Problem:
    """Why a cell (or a row: `column` None) of a form is refused."""

    sheet: str
    row: int
    column: str | None
    text: Text


class FormRefused(DomainError):
    """A form with problems: nothing was imported. `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("nothing was imported: {count} cells or rows are refused",
                         count=len(problems))


_MONTH_IN_TITLE = re.compile(r"(\d{4}-\d{2})")
_HEADER_SCAN = 5


def _header(rows: list[list[Any]], wanted: set[str]) -> int | None:
    """The 0-based index of the first row holding one of `wanted` headers."""
    for index, cells in enumerate(rows[:_HEADER_SCAN]):
        if any(roster.cell_text(cell) in wanted for cell in cells):
            return index
    return None


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        return float(value)
    return float(unicodedata.normalize("NFKC", str(value)).strip())


def _item_label(header: str) -> str:
    """An item's label from its header, without the maximum: 工作计划（满分 2） → 工作计划."""
    text = unicodedata.normalize("NFKC", header)
    return text.split("(")[0].strip()


@dataclass
class ScoreImport:
    saved: list[dict[str, Any]]
    unchanged: int
    skipped_blank: int
    planned: list[tuple[str, int, str, float]] = field(default_factory=list)
    # (sheet, row, organization, total) of every score to save, in the file's order
    written: bool = True


def import_scores(store: Store, path: Path, month: str, *, apply: bool = True) -> ScoreImport:
    """A month's score sheet as `export score-sheet` writes it (one sheet per hub): rows
    with no item filled in are skipped, every other row must be complete and in range;
    rows equal to what is stored are left as they are. All or nothing: `FormRefused`
    lists every problem with its sheet, row and column. Without `apply`, only plans."""
    month = parse_month(month)
    version = store.rubric_for(month)
    ids, names, notes = (every_language("ID"), every_language("Organization"),
                         every_language("Note"))
    totals = {text.split("{")[0].strip() for text in every_language("Total (max {maximum})")}
    stored = {row["org_id"]: row for row in queries.scores(store.db, month=month)}
    timeline = store.timeline()
    problems: list[Problem] = []
    entries: list[ScoreEntry] = []
    planned: list[tuple[str, int, str, float]] = []
    blank = unchanged = 0
    for sheet in read_sheets(path):
        if not sheet.rows:
            continue
        found = _MONTH_IN_TITLE.search(roster.cell_text(sheet.rows[0][0] if sheet.rows[0] else ""))
        if found and found[1] != month:
            problems.append(Problem(sheet.name, 1, "A", Text(N_(
                "This sheet is the form for {found}, not {month}"), {"found": found[1],
                                                                      "month": month})))
            continue
        header = _header(sheet.rows, ids)
        if header is None:
            problems.append(Problem(sheet.name, 1, None, Text(N_(
                "No header row with the column {column}: is this the score sheet of "
                "export score-sheet?"), {"column": _("ID")})))
            continue
        columns: dict[int, str] = {}
        for column, cell in enumerate(sheet.rows[header]):
            text = roster.cell_text(cell)
            if not text:
                continue
            if text in ids:
                columns[column] = "id"
            elif text in names:
                columns[column] = "name"
            elif text in notes:
                columns[column] = "note"
            elif any(text.startswith(total) for total in totals):
                continue
            else:
                try:
                    columns[column] = "item:" + rubric.resolve_item(version, _item_label(text)).key
                except DomainError as error:
                    problems.append(Problem(sheet.name, header + 1, roster.column_letter(column),
                                            error.text))
        absent = [item.label for item in version.items if f"item:{item.key}" not in
                  columns.values()]
        if absent:
            problems.append(Problem(sheet.name, header + 1, None, Text(N_(
                "The header lacks the items {items} of the rubric of {month}"),
                {"items": ", ".join(absent), "month": month})))
            continue
        for number, cells in enumerate(sheet.rows[header + 1:], header + 2):
            row = {key: cells[column] if column < len(cells) else None
                   for column, key in columns.items()}
            items = {key[5:]: value for key, value in row.items() if key.startswith("item:")}
            if all(roster.is_blank(value) for value in items.values()):
                blank += 1
                continue
            letters = {key: roster.column_letter(column) for column, key in columns.items()}
            values: dict[str, float] = {}
            for item in version.items:
                value = items.get(item.key)
                where = letters[f"item:{item.key}"]
                try:
                    if roster.is_blank(value):
                        raise DomainError("Missing score for {item}", item=item.label)
                    values[item.key] = rubric.check_item_score(item, _number(value))
                except ValueError as error:
                    text = error.text if isinstance(error, DomainError) else Text(N_(
                        "{value} is not a number"), {"value": roster.cell_text(value)[:20]})
                    problems.append(Problem(sheet.name, number, where, text))
            org = roster.cell_text(row.get("id")) or roster.cell_text(row.get("name"))
            where = letters.get("id") or letters.get("name")
            if len(values) < len(version.items):
                continue
            note = roster.cell_text(row.get("note"))
            entry = ScoreEntry(org, month, values, note)
            try:
                org_id, _month, record = store.prepare_score(entry, timeline)
            except DomainError as error:
                problems.append(Problem(sheet.name, number, where, error.text))
                continue
            now = stored.get(org_id)
            if now and now["items"] == record["items"] and (now["note"] or "") == record["note"]:
                unchanged += 1
                continue
            entries.append(ScoreEntry(org_id, month, values, note))
            planned.append((sheet.name, number, queries.org_name(store.db, org_id),
                            round(sum(values.values()), 2)))
    if problems:
        raise FormRefused(problems)
    saved = store.set_scores(entries) if entries and apply else []
    return ScoreImport(saved, unchanged, blank, planned, apply)


ACTIVITY_KEYS = {field_key: every_language(msgid) for field_key, msgid, _kind in ACTIVITY_FIELDS}


@dataclass
class ActivityImport:
    ids: list[str]
    skipped_blank: int
    planned: list[tuple[str, int, str, str, str]] = field(default_factory=list)
    # (sheet, row, organization, date, title) of every record to add, in the file's order
    written: bool = True


def import_activities(store: Store, path: Path, *, apply: bool = True) -> ActivityImport:
    """Activity records in the template `export activity-template` writes (its first
    sheet): one a row, the organization by its ID or exact name. A record already in
    the replica (the same organization, date and title) is refused, so a file imported
    twice adds nothing. All or nothing (`FormRefused`). Without `apply`, only plans."""
    sheet = read_sheets(path)[0]
    header = _header(sheet.rows, ACTIVITY_KEYS["title"])
    if header is None:
        raise DomainError("No header row with the column {column}: is this the template of "
                          "export activity-template?", column=_("Activity title"))
    columns = {column: key for column, cell in enumerate(sheet.rows[header])
               for key, texts in ACTIVITY_KEYS.items() if roster.cell_text(cell) in texts}
    letters = {key: roster.column_letter(column) for column, key in columns.items()}
    recorded = queries.activity_keys(store.db)
    problems: list[Problem] = []
    entries: list[ActivityEntry] = []
    planned: list[tuple[str, int, str, str, str]] = []
    blank = 0
    for number, cells in enumerate(sheet.rows[header + 1:], header + 2):
        row = {key: cells[column] if column < len(cells) else None
               for column, key in columns.items()}
        if all(roster.is_blank(value) for value in row.values()):
            blank += 1
            continue
        try:
            on = roster.sheet_date(row.get("on"))
        except DomainError as error:
            problems.append(Problem(sheet.name, number, letters.get("on"), error.text))
            continue
        entry = ActivityEntry(
            roster.cell_text(row.get("org_id")) or roster.cell_text(row.get("org_name")), on,
            roster.cell_text(row.get("title")), roster.cell_text(row.get("kind")),
            roster.cell_text(row.get("place")),
            *(roster.cell_text(row.get(key)) for key in ("participants", "beneficiaries",
                                                          "person_times", "hours")),
            roster.cell_text(row.get("note")))
        try:
            org_id, record = store.prepare_activity(entry)
        except DomainError as error:
            problems.append(Problem(sheet.name, number, None, error.text))
            continue
        if (org_id, record["on"], record["title"]) in recorded:
            problems.append(Problem(sheet.name, number, letters.get("title"), Text(N_(
                "{name} already has the activity {title} on {date}"), {
                    "name": queries.org_name(store.db, org_id), "title": record["title"],
                    "date": record["on"]})))
            continue
        entries.append(replace(entry, org=org_id))
        planned.append((sheet.name, number, queries.org_name(store.db, org_id), record["on"],
                        record["title"]))
    if problems:
        raise FormRefused(problems)
    return ActivityImport(store.add_activities(entries) if entries and apply else [], blank,
                          planned, apply)


def read_export(folder: Path) -> list[tuple[str, bytes, list[str]]]:
    """The documents of an `export all` folder, each checked (its bytes give its heads)."""
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        names = manifest["documents"] if manifest.get("format") == FORMAT_NAME else None
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        names = None
    if not isinstance(names, list):
        raise DomainError("{path} is not a folder written by export all (no manifest.json)",
                          path=str(folder))
    documents = []
    for doc_id in names:
        path = folder / "documents" / document_file(str(doc_id))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise DomainError("Document {doc_id} of the export is missing or unreadable",
                              doc_id=str(doc_id)[:80]) from None
        documents.append(document_from_json(data))
    return documents


def import_all(home: Path, folder: Path, device_name: str) -> int:
    """An `export all` folder into the (new or empty) replica of `home`."""
    return import_documents(home, read_export(folder), device_name)
