"""The preview of an import: what the file would create, update or refuse, row by row (the
CLI's dry run, from the same plan), then — asked first — the import, in a worker, with a
progress bar."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from ...domain.errors import DomainError
from ...i18n import _
from ...sheets.preview import KINDS, ImportPlan, ImportRequest, run_import
from ..actions import IMPORT_PREVIEW_ACTIONS, bindings
from ..base import SaveFailed, Saved, StoreAccess
from ..undo import Change
from ..widgets.confirm import ConfirmScreen
from ..widgets.progress import PlainProgressBar
from ..widgets.tables import data_table
from .form import refusal

PROGRESS_STEP = 25  # a progress message every so many organizations written


@dataclass
class ImportProgress(Message):
    done: int
    total: int


def verdict(plan: ImportPlan) -> str:
    """What importing the file as it is would do, in a sentence."""
    if plan.rejected and plan.skippable and plan.writes:
        return _("{rejected} rows are rejected: nothing is imported while any is (all or "
                 "nothing). Correct the file and import it again, or import the other "
                 "{writes} rows without them.").format(rejected=plan.rejected,
                                                       writes=plan.writes)
    if plan.rejected:
        return _("Nothing can be imported: correct what is listed and import the file "
                 "again.")
    if not plan.writes:
        return _("Nothing to import: the replica already holds what the file says.")
    return _("Importing writes these {writes} rows in one transaction: all of them or, if "
             "anything fails, none.").format(writes=plan.writes)


class ImportPreview(StoreAccess, ModalScreen[bool]):
    """The plan's table and summary. Import (when nothing is rejected), or — a roster with
    rejected rows — import without them (`--skip-invalid`); either asks first. The import
    plans the file again against the replica as it is then; the result is True once
    something was written."""

    ACTIONS = IMPORT_PREVIEW_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__()
        self.plan = plan
        self.writing = False

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical(classes="form import-preview"):
            yield Label(_("Import preview: {kind}").format(kind=_(KINDS[plan.request.kind])),
                        classes="area-title", markup=False)
            yield Label(str(plan.request.path), classes="hint", markup=False)
            for note in plan.notes:
                yield Label(note, classes="hint", markup=False)
            table = data_table("plan", *(title for _key, title in plan.columns))
            for row in plan.rows:
                table.add_row(*("" if row.get(key) is None else str(row[key])
                                for key, _title in plan.columns))
            yield table
            yield Label(plan.summary, id="summary", markup=False)
            yield Label(verdict(plan), id="verdict", markup=False)
            with Horizontal(id="progress-row"):
                yield Label("", id="progress-label")
                yield PlainProgressBar(id="progress")
            yield Label("", id="error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(_("Back"), id="cancel", compact=True)
                if plan.ready:
                    yield Button(_("Import"), variant="primary", id="import", compact=True)
                elif plan.rejected and plan.skippable and plan.writes:
                    yield Button(_("Import without the rejected rows"), variant="warning",
                                 id="skip", compact=True)

    def on_mount(self) -> None:
        self.query_one("#progress-row").display = False
        self.set_focus(self.query_one("#plan"))

    @on(Button.Pressed, "#import")
    def ask_import(self) -> None:
        self.ask(skip=False)

    @on(Button.Pressed, "#skip")
    def ask_skip(self) -> None:
        self.ask(skip=True)

    def ask(self, skip: bool) -> None:
        plan = self.plan
        text = _("Writes what the preview lists ({summary}), in one transaction: if "
                 "anything fails, nothing is written.").format(summary=plan.summary)
        if skip:
            text += "\n" + _("The {rejected} rejected rows are left out.").format(
                rejected=plan.rejected)
        self.app.push_screen(ConfirmScreen(_("Import {path}?").format(path=plan.request.path),
                                           text, confirm=_("Import")),
                             lambda confirmed: self.start(skip) if confirmed else None)

    def start(self, skip: bool) -> None:
        self.writing = True
        for button in self.query(Button):
            button.disabled = True
        self.show_progress(0, 0)
        self.write_worker(self.plan.request, skip)

    @work(thread=True, exclusive=True, group="import")
    def write_worker(self, request: ImportRequest, skip: bool) -> None:
        """The import, on the store: only messages go back to the screen."""

        def progress(done: int, total: int) -> None:
            if done == total or done % PROGRESS_STEP == 0:
                self.post_message(ImportProgress(done, total))

        try:
            message = run_import(self.store, request, skip_invalid=skip, progress=progress)
        except (DomainError, OSError) as error:
            self.post_message(refusal(error, request.path))
        else:
            self.post_message(Saved(message, None, None))

    def show_progress(self, done: int, total: int) -> None:
        self.query_one("#progress-row").display = True
        self.query_one("#progress-label", Label).update(
            _("Writing {done} of {total}").format(done=done, total=total) if total
            else _("Importing…"))
        self.query_one("#progress", PlainProgressBar).update(total=total or None, progress=done)

    def on_import_progress(self, event: ImportProgress) -> None:
        self.show_progress(event.done, event.total)

    def on_saved(self, event: Saved) -> None:
        event.prevent_default()
        self.incubator.remember(Change(event.message, None))  # ctrl+z: not this way
        self.notify(event.message)
        self.dismiss(True)

    def on_save_failed(self, event: SaveFailed) -> None:
        event.prevent_default()
        self.writing = False
        self.query_one("#progress-row").display = False
        self.query_one("#cancel", Button).disabled = False
        self.query_one("#error", Label).update(_("Not imported: {message}").format(
            message=event.message))
        self.notify(event.notice, severity="error", timeout=8)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc does not close the preview while the import is being written."""
        return not (action == "cancel" and self.writing)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
