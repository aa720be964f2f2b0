"""A small modal form: labelled inputs validated as typed, saved in a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from ..actions import FORM_ACTIONS, bindings
from ...i18n import _
from ..base import SaveFailed, Saved, StoreAccess
from .pickers import is_valid

Field = tuple[str, str, Input | Select]  # (id, msgid of its label, widget)


class FormScreen(StoreAccess, ModalScreen[dict[str, Any] | None]):
    """Shows `fields`; on Save runs `write(values)` in a worker and closes only on success.

    The screen's result is the values saved, or None when cancelled.

    What was typed stays in place when validation or the store refuses it.
    """

    ACTIONS = FORM_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def __init__(self, title: str, fields: list[Field],
                 write: Callable[[dict[str, Any]], Any], message: Callable[[Any], str]) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.write = write
        self.message = message

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Label(self.title_text, classes="area-title")
            for field_id, title, widget in self.fields:
                widget.id = field_id
                widget.compact = True  # one line, no half-block border
                yield Horizontal(Label(_(title), classes="field-label"), widget, classes="field")
            yield Label("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel", compact=True)
                yield Button(_("Save"), variant="primary", id="save", compact=True)

    def values(self) -> dict[str, Any]:
        return {field_id: widget.value for field_id, _t, widget in self.fields}

    @on(Button.Pressed, "#save")
    def action_submit(self) -> None:
        invalid = [_(title) for _id, title, widget in self.fields
                   if isinstance(widget, Input) and not is_valid(widget)]
        if invalid:
            problem = _("Please correct: {fields}").format(fields=", ".join(invalid))
            self.query_one("#error", Label).update(problem)
            self.notify(problem, severity="error")
            return
        values = self.values()
        self.save(lambda: self.write(values), self.message, then=lambda _r: self.dismiss(values))

    def on_saved(self, event: Saved) -> None:
        event.prevent_default()  # the form closes itself; the screen beneath refreshes
        self.notify(event.message)
        if event.then:
            event.then(event.result)

    def on_save_failed(self, event: SaveFailed) -> None:
        event.prevent_default()
        self.query_one("#error", Label).update(event.message)
        self.notify(event.notice, severity="error")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
