"""Writing a report to a file (XLSX, or CSV: one file per sheet), and the whole replica to a
folder of plain files (`export all`)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..domain.errors import DomainError
from ..i18n import render_summary
from ..store.commands import Store
from .reports import build_report
from .workbook import csv_bytes, sheet_name, workbook_bytes, write_file

FORMATS = ("xlsx", "csv")


def export_report(store: Store, name: str, out: Path, *, file_format: str = "xlsx",
                  hub: str | None = None, year: int | None = None, month: str | None = None,
                  blank: bool = False, round_ref: str | None = None) -> list[Path]:
    """Write report `name` to `out`; returns the files written. A CSV of a report with
    several sheets is one file per sheet, named `<out>-<sheet>.csv`."""
    if file_format not in FORMATS:
        raise DomainError("Unknown format {value}; expected xlsx or csv", value=file_format[:20])
    if not out.parent.is_dir() or out.is_dir():
        raise DomainError("Cannot write a file at {path}: does its folder exist (is the USB "
                          "stick mounted)?", path=str(out))
    sheets = build_report(store, name, hub=hub, year=year, month=month, blank=blank,
                          round_ref=round_ref)
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


MANIFEST = "manifest.json"
FORMAT_NAME = "incubator-export"


def document_file(doc_id: str) -> str:
    return doc_id.replace(":", "_") + ".json"


def export_all(store: Store, out: Path) -> dict[str, int]:
    """Every query table as `tables/<table>.csv` (UTF-8 with a BOM) and every document as
    `documents/<kind>_<id>.json` (content, history, Automerge bytes), with a manifest, in
    the folder `out` (new or empty). Returns how many tables and documents."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DomainError("{path} is not an empty folder: export all writes a new one",
                          path=str(out))
    if not out.parent.is_dir():
        raise DomainError("Cannot write a file at {path}: does its folder exist (is the USB "
                          "stick mounted)?", path=str(out))
    try:
        (out / "tables").mkdir(parents=True, exist_ok=True)
        (out / "documents").mkdir(exist_ok=True)
    except OSError as error:
        raise DomainError("Cannot write {path}: {error}", path=str(out),
                          error=error.strerror or str(error)) from None
    tables = store.query_tables()
    for table, (columns, rows) in tables.items():
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(["" if value is None else value for value in row] for row in rows)
        write_file(out / "tables" / f"{table}.csv", ("\ufeff" + text.getvalue()).encode())
    documents = []
    for document in store.portable_documents():
        data = document.as_json(lambda entry: render_summary(entry.summary, entry.params))
        write_file(out / "documents" / document_file(document.doc_id),
                   json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode())
        documents.append(document.doc_id)
    manifest = {"format": FORMAT_NAME, "version": 1, "tables": list(tables),
                "documents": documents}
    write_file(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return {"tables": len(tables), "documents": len(documents)}
