"""Reading what is imported: a roster's rows by field, a month's score sheet, activity
records; the store's commands validate and write them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain import roster
from ..domain.errors import DomainError
from ..store.commands import Store
from ..store.commands.imports import RosterImport
from .read import decode_text, pick_sheet, read_sheets


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
