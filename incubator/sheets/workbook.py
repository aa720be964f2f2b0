"""Writing tables as a workbook the bureau can print as it is, or as CSV.

A report is a list of `Sheet`s, each a title and one or more `Block`s (a header row, data
rows, a totals row). Every sheet of the workbook: the title in row 1, the first block's
header frozen, column widths that fit Chinese (an East-Asian wide character counts as
two), dates as dates and numbers as numbers, landscape, fitted to the page width, grid
lines printed, the rows down to the first header repeated on every printed page.

The same tables give the same bytes: fixed times in the workbook's properties and in the
zip archive, and nothing else that depends on the moment.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..domain.errors import DomainError
from ..domain.months import parse_date
from ..domain.roster import column_letter

TEXT, INT, NUMBER, MONEY, DATE, FORMULA = "text", "int", "number", "money", "date", "formula"
FORMATS = {INT: "0", NUMBER: "0.0#", MONEY: "#,##0.00", DATE: "yyyy-mm-dd", FORMULA: "0.0#"}
FIXED_TIME = datetime(2000, 1, 1)          # the workbook's created and modified properties
ZIP_TIME = (1980, 1, 1, 0, 0, 0)           # the earliest time a zip entry can carry
MIN_WIDTH, MAX_WIDTH = 6, 60
SHEET_NAME_MAX = 31
_SHEET_NAME_REFUSED = str.maketrans({ch: "_" for ch in "[]:*?/\\"})


@dataclass(frozen=True)
class Column:
    key: str
    header: str          # as shown (already translated)
    kind: str = TEXT


@dataclass(frozen=True)
class Validation:
    """What Excel accepts in a column's data cells: a decimal, whole number or date
    between `low` and `high`, with the message shown when something else is typed."""

    kind: str            # "decimal", "whole" or "date"
    low: Any
    high: Any
    message: str


@dataclass
class Block:
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None
    subtitle: str | None = None
    validations: dict[str, Validation] = field(default_factory=dict)
    # key → the formula of a data row, given its row number and a column's letter by key
    formulas: dict[str, Callable[[int, Callable[[str], str]], str]] = field(
        default_factory=dict)
    blank_rows: int = 0  # empty rows kept under the data, validated too (a form to fill)


@dataclass
class Sheet:
    name: str
    title: str
    blocks: list[Block]


def text_width(value: Any) -> int:
    """Columns a value takes on screen: East-Asian wide and full-width characters count 2."""
    text = _shown(value)
    return len(text) if text.isascii() and "\n" not in text else _wide_text_width(text)


@functools.lru_cache(maxsize=65536)  # towns, villages, categories repeat down a column
def _wide_text_width(text: str) -> int:
    return max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                for line in text.splitlines()), default=0)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (date, datetime)):
        return "2026-01-01"
    return str(value)


def sheet_name(text: str, taken: set[str]) -> str:
    """A legal, unique sheet name (at most 31 characters, none of []:*?/\\)."""
    base = (text.translate(_SHEET_NAME_REFUSED).strip("'") or "Sheet")[:SHEET_NAME_MAX]
    name, number = base, 2
    while name.casefold() in taken:
        suffix = f"({number})"
        name, number = base[:SHEET_NAME_MAX - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def cell_value(kind: str, value: Any) -> Any:
    """What a cell holds: dates as dates, numbers as numbers, anything else as text."""
    if value is None or value == "":
        return None
    if kind == DATE:
        return value if isinstance(value, date) else parse_date(str(value)[:10])
    if kind == INT:
        return int(value)
    if kind in (NUMBER, MONEY):
        return float(value)
    return value if isinstance(value, (int, float)) else str(value)


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    workbook.remove(workbook.active)
    _add_styles(workbook)
    taken: set[str] = set()
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(sheet_name(sheet.name, taken)), sheet)
    workbook.properties.creator = "incubator"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(workbook, archive).save()  # closes the archive
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same archive with every entry dated `ZIP_TIME` (openpyxl dates them now)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


STYLED = (DATE, MONEY)  # data cells whose format matters (a date is a number otherwise)


def _add_styles(workbook) -> None:
    """Named styles, set on a cell by name: openpyxl hashes a style object each time one is
    set, which cost most of a large sheet's time. Data cells carry no style but the
    format of a date or an amount; printed grid lines rule the table."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    workbook.add_named_style(NamedStyle("incubator-title", font=Font(bold=True, size=14)))
    workbook.add_named_style(NamedStyle("incubator-subtitle", font=Font(bold=True)))
    workbook.add_named_style(NamedStyle(
        "incubator-header", font=Font(bold=True), border=border,
        fill=PatternFill("solid", fgColor="DDEBF7"),
        alignment=Alignment(wrap_text=True, vertical="center")))
    for kind in (TEXT, INT, NUMBER, MONEY, DATE, FORMULA):
        workbook.add_named_style(NamedStyle(f"incubator-total-{kind}", font=Font(bold=True),
                                            border=border,
                                            number_format=FORMATS.get(kind, "General")))
    for kind in STYLED:
        workbook.add_named_style(NamedStyle(f"incubator-cell-{kind}",
                                            number_format=FORMATS[kind]))


def _write_sheet(worksheet, sheet: Sheet) -> None:
    """Rows are appended in order (row 1 the title); `row` is the next row's number."""
    from openpyxl.worksheet.datavalidation import DataValidation

    widths: dict[int, int] = {}
    span = max(len(block.columns) for block in sheet.blocks)
    worksheet.append([sheet.title])
    worksheet["A1"].style = "incubator-title"
    if span > 1:
        worksheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=span)
    row = 2
    first_header = None
    for number, block in enumerate(sheet.blocks):
        if number:
            worksheet.append([])
            row += 1
        if block.subtitle:
            worksheet.append([block.subtitle])
            worksheet.cell(row, 1).style = "incubator-subtitle"
            row += 1
        first_header = first_header or row
        letters = {column.key: column_letter(index) for index, column in enumerate(block.columns)}
        worksheet.append([column.header for column in block.columns])
        for index, column in enumerate(block.columns, 1):
            worksheet.cell(row, index).style = "incubator-header"
            widths[index] = max(widths.get(index, 0), text_width(column.header))
        row += 1
        first_data = row
        styled = [(index, f"incubator-cell-{column.kind}")
                  for index, column in enumerate(block.columns, 1) if column.kind in STYLED]
        for values in block.rows:
            cells = []
            for index, column in enumerate(block.columns, 1):
                formula = block.formulas.get(column.key)
                value = (formula(row, letters.__getitem__) if formula
                         else cell_value(column.kind, values.get(column.key)))
                cells.append(value)
                if value is not None and not formula:
                    widths[index] = max(widths.get(index, 0), text_width(value))
            worksheet.append(cells)
            for index, style in styled:
                if cells[index - 1] is not None:
                    worksheet.cell(row, index).style = style
            row += 1
        for _blank in range(block.blank_rows):
            worksheet.append([])
            for index, style in styled:
                worksheet.cell(row, index).style = style
            row += 1
        for key, rule in block.validations.items():
            if row == first_data:
                continue
            validation = DataValidation(
                type=rule.kind, operator="between", formula1=_formula_value(rule.low),
                formula2=_formula_value(rule.high), allow_blank=True, showErrorMessage=True,
                errorTitle=sheet.title[:32], error=rule.message[:255], showInputMessage=True,
                prompt=rule.message[:255])
            validation.add(f"{letters[key]}{first_data}:{letters[key]}{row - 1}")
            worksheet.add_data_validation(validation)
        if block.totals is not None:
            values = [cell_value(column.kind, block.totals.get(column.key))
                      for column in block.columns]
            worksheet.append(values)
            for index, column in enumerate(block.columns, 1):
                worksheet.cell(row, index).style = f"incubator-total-{column.kind}"
                widths[index] = max(widths.get(index, 0), text_width(values[index - 1]))
            row += 1
    for index, width in widths.items():
        worksheet.column_dimensions[column_letter(index - 1)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH)
    worksheet.freeze_panes = f"A{first_header + 1}"
    worksheet.print_title_rows = f"1:{first_header}"
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_options.gridLines = True


def _formula_value(value: Any) -> str:
    if isinstance(value, date):
        return f"DATE({value.year},{value.month},{value.day})"
    return f"{value:g}" if isinstance(value, float) else str(value)


def csv_bytes(sheet: Sheet) -> bytes:
    """One sheet as CSV in UTF-8 with a BOM (Excel and WPS then read its Chinese): each
    block's header, rows and totals, blocks apart by an empty line; dates ISO."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for number, block in enumerate(sheet.blocks):
        if number:
            writer.writerow([])
        if block.subtitle and len(sheet.blocks) > 1:
            writer.writerow([block.subtitle])
        writer.writerow([column.header for column in block.columns])
        for values in [*block.rows, *([block.totals] if block.totals is not None else [])]:
            writer.writerow([_csv_cell(column.kind, values.get(column.key))
                             for column in block.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(kind: str, value: Any) -> str:
    value = cell_value(kind, value) if kind != FORMULA else value
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if kind != MONEY else f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all: a temporary file of this write's own (two
    exports to one file never write into the same one) renamed into place."""
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".partial", delete=False) as handle:
            temporary = Path(handle.name)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise DomainError("Cannot write {path}: {error}", path=str(path),
                          error=error.strerror or str(error)) from None
