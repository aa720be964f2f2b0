"""Writing a report to a file: XLSX (one workbook) or CSV (one file per sheet)."""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import DomainError
from ..store.commands import Store
from .reports import build_report
from .workbook import csv_bytes, sheet_name, workbook_bytes, write_file

FORMATS = ("xlsx", "csv")


def export_report(store: Store, name: str, out: Path, *, file_format: str = "xlsx",
                  hub: str | None = None, year: int | None = None, month: str | None = None,
                  blank: bool = False) -> list[Path]:
    """Write report `name` to `out`; returns the files written. A CSV of a report with
    several sheets is one file per sheet, named `<out>-<sheet>.csv`."""
    if file_format not in FORMATS:
        raise DomainError("Unknown format {value}; expected xlsx or csv", value=file_format[:20])
    if not out.parent.is_dir() or out.is_dir():
        raise DomainError("Cannot write a file at {path}: does its folder exist (is the USB "
                          "stick mounted)?", path=str(out))
    sheets = build_report(store, name, hub=hub, year=year, month=month, blank=blank)
    if file_format == "xlsx":
        write_file(out, workbook_bytes(sheets))
        return [out]
    if len(sheets) == 1:
        write_file(out, csv_bytes(sheets[0]))
        return [out]
    taken: set[str] = set()
    written = []
    for sheet in sheets:
        path = out.with_name(f"{out.stem}-{sheet_name(sheet.name, taken)}{out.suffix or '.csv'}")
        write_file(path, csv_bytes(sheet))
        written.append(path)
    return written
