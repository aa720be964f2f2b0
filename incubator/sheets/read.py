"""Reading a spreadsheet file into rows of cell values: XLSX with openpyxl, CSV with the
standard library in UTF-8, UTF-8 with a BOM, UTF-16 with a BOM or GB18030 (detected:
a file that is none of them is refused, never shown garbled)."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.errors import DomainError

MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Sheet:
    """One sheet's cells, row by row (row 1 of the file is `rows[0]`)."""

    name: str
    rows: list[list[Any]]


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of an XLSX file, or the one table of a CSV file."""
    try:  # a name the system refuses (too long, say) is a missing file too
        if not path.is_file():
            raise DomainError("No file {path}", path=str(path))
        if path.stat().st_size > MAX_BYTES:
            raise DomainError("{path} is too large to import (over 200 MB)", path=str(path))
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError:
        raise DomainError("No file {path}", path=str(path)) from None
    if magic.startswith(b"PK"):
        return _read_xlsx(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise DomainError("{path} is not an .xlsx workbook (an old .xls file? Save it as .xlsx "
                          "or .csv first)", path=str(path))
    return [Sheet(path.stem, _read_csv(path.read_bytes(), path))]


def pick_sheet(sheets: list[Sheet], name: str | None) -> Sheet:
    """The sheet named `name` (default the first)."""
    if name is None:
        return sheets[0]
    for sheet in sheets:
        if sheet.name == name.strip():
            return sheet
    raise DomainError("No sheet named {name}; the file has {sheets}", name=name,
                      sheets=", ".join(sheet.name for sheet in sheets))


def _read_xlsx(path: Path) -> list[Sheet]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise DomainError("{path} cannot be read as an .xlsx workbook ({error})",
                          path=str(path), error=str(error)[:120]) from None
    sheets = []
    for worksheet in workbook.worksheets:
        rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
        for merged in worksheet.merged_cells.ranges:  # every cell of a merge holds its value
            value = rows[merged.min_row - 1][merged.min_col - 1]
            for row in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                for column in range(merged.min_col - 1, min(merged.max_col, len(rows[row]))):
                    rows[row][column] = value
        sheets.append(Sheet(worksheet.title, _trimmed(rows)))
    workbook.close()
    return sheets


def decode_text(data: bytes, path: Path) -> str:
    """The text of a CSV file, its encoding detected: a BOM says it (UTF-8, UTF-16), else
    strict UTF-8, else strict GB18030 when what it gives is text (no control or
    private-use characters); anything else is refused."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                break
    else:
        for encoding in ("utf-8", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _plain(text):
                return text
    raise DomainError("{path} is not text in UTF-8 or GB18030: save it from Excel or WPS as "
                      "CSV UTF-8 (or as .xlsx)", path=str(path))


def _plain(text: str) -> bool:
    return not any(unicodedata.category(ch) in ("Co", "Cs") or (
        unicodedata.category(ch) == "Cc" and ch not in "\t\r\n") for ch in text)


def _read_csv(data: bytes, path: Path) -> list[list[Any]]:
    text = decode_text(data, path)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""),
                                                delimiter=delimiter)]
    except csv.Error as error:
        raise DomainError("{path} is not a well-formed CSV file ({error})", path=str(path),
                          error=str(error)[:120]) from None
    return _trimmed([[cell if cell.strip() else None for cell in row] for row in rows])


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Without the empty rows at the end."""
    while rows and all(cell is None or (isinstance(cell, str) and not cell.strip())
                       for cell in rows[-1]):
        rows.pop()
    return rows
