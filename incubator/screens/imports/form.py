"""The import form: what the file holds, where it is, and what that kind of file takes;
on Save the file is planned (nothing written) in a worker and the preview opens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Select

from ...domain.errors import DomainError
from ...domain.months import month_add, month_of
from ...i18n import N_, _
from ...present.paths import PATH_MAX_CHARS, usable_file
from ...sheets.preview import KINDS, ROSTER, SCORES, ImportPlan, ImportRequest, plan_import
from ...store import queries
from ...store.commands import StorageError
from ..base import SaveFailed
from ..widgets.checks import checked_input
from ..widgets.choice import Choice
from ..widgets.form import FormScreen
from ..widgets.pickers import MonthInput

SHEET_MAX_CHARS = 31  # the longest sheet name Excel takes


@dataclass
class Planned(Message):
    """The file was read and planned (nothing written)."""

    plan: ImportPlan


def refusal(error: DomainError | OSError, path: Path) -> SaveFailed:
    """What the screen is told when a file cannot be planned or imported."""
    if isinstance(error, DomainError):
        return SaveFailed(error.render(_), isinstance(error, StorageError), error)
    return SaveFailed(_("Cannot read {path}: {reason}").format(
        path=path, reason=error.strerror or error))


def optional_file(text: str) -> Path | None:
    return usable_file(text, must_exist=True) if text.strip() else None


def import_request(values: dict[str, Any]) -> ImportRequest:
    """The request from the form's values: the sheet, hub and mapping are a roster's, the
    month a score sheet's."""
    kind = values["kind"]
    roster = kind == ROSTER
    return ImportRequest(
        kind, usable_file(values["path"], must_exist=True),
        sheet=values["sheet"].strip() or None if roster else None,
        hub=None if not roster or values["hub"] == Select.NULL else values["hub"],
        mapping=optional_file(values["mapping"]) if roster else None,
        month=values["month"].strip() if kind == SCORES else None)


class ImportForm(FormScreen):
    """What to import and from where; Save reads and plans the file in a worker (the form
    shows it is busy) and closes with the plan, which the preview then shows."""

    def __init__(self, reader, today: date, kind: str = ROSTER) -> None:
        super().__init__(
            _("Import a spreadsheet"),
            [("kind", N_("What to import"), Choice(
                [(_(title), name) for name, title in KINDS.items()],
                prompt=_("What to import"), allow_blank=False, value=kind)),
             ("path", N_("File"), checked_input(
                 lambda text: usable_file(text, must_exist=True), max_length=PATH_MAX_CHARS,
                 placeholder=_(".xlsx or .csv"))),
             ("sheet", N_("Sheet (roster)"), Input(
                 placeholder=_("Default: the first sheet"), max_length=SHEET_MAX_CHARS)),
             ("hub", N_("Hub (roster)"), Choice(
                 queries.hub_options(reader), prompt=_("Rows naming no hub: the district "
                                                       "register"))),
             ("mapping", N_("Header mapping"), checked_input(
                 optional_file, max_length=PATH_MAX_CHARS,
                 placeholder=_("Roster only: a file of header = field lines"))),
             ("month", N_("Month (scores)"), MonthInput(month_add(month_of(today), -1),
                                                       today))],
            lambda values: None, lambda plan: plan.summary)

    def write_values(self, values: dict[str, Any]) -> None:
        """Plan, never write: the preview asks before anything is imported."""
        self.query_one(VerticalScroll).loading = True
        self.plan_worker(import_request(values))

    @work(thread=True, exclusive=True, group="import-plan")
    def plan_worker(self, request: ImportRequest) -> None:
        try:
            plan = plan_import(self.store, request)
        except (DomainError, OSError) as error:
            self.post_message(refusal(error, request.path))
        else:
            self.post_message(Planned(plan))

    def on_planned(self, event: Planned) -> None:
        self.query_one(VerticalScroll).loading = False
        self.dismiss(event.plan)  # type: ignore[arg-type]

    def on_save_failed(self, event: SaveFailed) -> None:
        self.query_one(VerticalScroll).loading = False
        super().on_save_failed(event)


def open_import(app: App, kind: str = ROSTER) -> None:
    """The import form, then the preview of what the file would do, then the import."""
    from .preview import ImportPreview

    def planned(plan: ImportPlan | None) -> None:
        if plan is not None:
            app.push_screen(ImportPreview(plan), lambda written: written and
                            app.refresh_active())  # type: ignore[attr-defined]

    app.push_screen(ImportForm(app.reader, app.today(), kind), planned)  # type: ignore[attr-defined]
