"""A small form that writes one report to a file: report, hub, month or year, path."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App
from textual.widgets import Input, Select

from ...domain.months import month_add, month_of
from ...i18n import N_, _
from ...sheets.exports import export_report
from ...sheets.reports import HUB, MONTH, REPORTS, ROUND, YEAR
from ...store import queries
from ..widgets.choice import Choice
from ..widgets.form import FormScreen
from ..widgets.pickers import HubSelect


def default_path(folder: Path, report: str, today: date) -> str:
    return str(folder / f"{report}-{today.isoformat()}.xlsx")


class ExportForm(FormScreen):
    """Writes the chosen report (XLSX, or CSV when the file name ends in .csv); the hub,
    the month, the year and the round are used by the reports that take them. The path
    follows the report until it is edited by hand."""

    def __init__(self, reader, report: str, today: date, folder: Path,
                 round_id: str | None = None) -> None:
        self.opened_on, self.folder = today, folder
        self.auto_path = default_path(folder, report, today)
        options = [(f"{_(item.help)} ({name})", name) for name, item in REPORTS.items()]
        super().__init__(
            _("Export a report"),
            [("report", N_("Report"), Select(options, value=report, allow_blank=False)),
             ("hub", N_("Hub"), HubSelect(reader, allow_all=True)),
             ("round", N_("Round (venture philanthropy)"), Choice(
                 queries.round_options(reader), prompt=_("Choose a round"),
                 value=round_id or Select.NULL)),
             ("month", N_("Month"), Input(month_add(month_of(today), -1),
                                          placeholder="YYYY-MM", max_length=7)),
             ("year", N_("Year"), Input(placeholder="YYYY", max_length=4)),
             ("path", N_("File"), Input(self.auto_path, max_length=1000))],
            lambda values: self.export(self.store, values),
            lambda written: _("Written: {path}").format(
                path=", ".join(str(path) for path in written)))

    @staticmethod
    def export(store, values: dict[str, Any]) -> list[Path]:
        takes = REPORTS[values["report"]].takes
        year = values["year"].strip()
        path = Path(values["path"].strip()).expanduser()
        return export_report(
            store, values["report"], path,
            file_format="csv" if path.suffix.lower() == ".csv" else "xlsx",
            hub=None if values["hub"] == Select.NULL or HUB not in takes else values["hub"],
            round_ref=None if values["round"] == Select.NULL or ROUND not in takes
            else values["round"],
            month=values["month"].strip() or None if MONTH in takes else None,
            year=int(year) if YEAR in takes and year.isdigit() else None)

    def on_mount(self) -> None:
        self.query_one("#report", Select).focus()

    @on(Select.Changed, "#report")
    def follow_report(self, event: Select.Changed) -> None:
        path = self.query_one("#path", Input)
        if path.value == self.auto_path and isinstance(event.value, str):
            self.auto_path = default_path(self.folder, event.value, self.opened_on)
            path.value = self.auto_path


def open_export(app: App, report: str, round_id: str | None = None) -> None:
    """Open the export form for `report` (of round `round_id`; the files go to the home
    folder by default)."""
    app.push_screen(ExportForm(app.reader, report, app.today(), Path.home(), round_id))
