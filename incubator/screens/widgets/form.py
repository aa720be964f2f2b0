"""A small modal form: labelled inputs validated as typed, saved in a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from ..actions import FORM_ACTIONS, FORM_FIELDS, bindings
from ...i18n import _
from ...store.commands import StaleEdit
from ..base import SaveFailed, Saved, StoreAccess
from ..undo import Change, Undo
from .checks import labelled, problem
from .confirm import ConfirmScreen

Field = tuple[str, str, Input | Select]  # (id, msgid of its label, widget)


class FormScreen(StoreAccess, ModalScreen[dict[str, Any] | None]):
    """Shows `fields`, the first one focused; on Save runs `write(values)` in a worker and
    closes only on success.

    The screen's result is the values saved, or None when cancelled. A refusal names each
    field that is wrong and says why in the domain's words (the inputs' `DomainCheck`s),
    and focuses the first of them. What was typed stays in place when validation or the
    store refuses it.

    `confirm(values)`, when given, returns (title, what will happen) to ask before writing
    (None: nothing to ask); `undo(result)` what ctrl+z writes back (see `undo`).
    """

    ACTIONS = FORM_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def __init__(self, title: str, fields: list[Field],
                 write: Callable[[dict[str, Any]], Any], message: Callable[[Any], str], *,
                 confirm: Callable[[dict[str, Any]], tuple[str, str] | None] | None = None,
                 undo: Callable[[Any], Undo | None] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.write = write
        self.message = message
        self.confirm = confirm
        self.undo = undo

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes=f"form {FORM_FIELDS}", can_focus=False):
            yield Label(self.title_text, classes="area-title")
            for field_id, title, widget in self.fields:
                widget.id = field_id
                widget.compact = True  # one line, no half-block border
                yield Horizontal(Label(_(title), classes="field-label"), widget, classes="field")
            yield Label("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel", compact=True)
                yield Button(_("Save"), variant="primary", id="save", compact=True)
                yield from self.extra_buttons()

    def on_mount(self) -> None:
        """The first field has the focus as soon as the form shows (set now, not after
        the keys already queued)."""
        if self.fields:
            self.set_focus(self.fields[0][2])

    def extra_buttons(self) -> list[Button]:
        """Buttons after Save (none here)."""
        return []

    def values(self) -> dict[str, Any]:
        return {field_id: widget.value for field_id, _t, widget in self.fields}

    def problems(self) -> list[tuple[Input, str]]:
        """Every input whose value its checks refuse, with what is wrong, in order."""
        found = []
        for _id, title, widget in self.fields:
            if isinstance(widget, Input) and (wrong := problem(widget)):
                found.append((widget, labelled(_(title), wrong)))
        return found

    @on(Button.Pressed, "#save")
    def action_submit(self) -> None:
        if wrong := self.problems():
            text = "\n".join(message for _widget, message in wrong)
            self.query_one("#error", Label).update(text)
            self.notify(text, severity="error", timeout=8)
            self.set_focus(wrong[0][0])
            return
        values = self.values()
        asked = self.confirm(values) if self.confirm else None
        if asked is None:
            self.write_values(values)
            return
        self.app.push_screen(ConfirmScreen(*asked),
                             lambda confirmed: self.write_values(values) if confirmed else None)

    def write_values(self, values: dict[str, Any]) -> None:
        self.save(lambda: self.write(values), self.message, then=lambda _r: self.dismiss(values),
                  undo=self.undo)

    def on_saved(self, event: Saved) -> None:
        event.prevent_default()  # the form closes itself; the screen beneath refreshes
        remember = getattr(self.app, "remember", None)  # the first-start app keeps no undo
        if remember is not None:
            remember(Change(event.message, event.undo))
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


class RecordForm(FormScreen):
    """A form over a record that already exists: it saves only the fields the person
    changed, and only if each is still stored as the form was opened (compare-and-set,
    `StaleEdit`); fields not touched follow changes made elsewhere at the app's poll.

    `record` holds the stored values by field id, `reload()` reads them again, `shown(id,
    value)` is a stored value as its widget holds it, and `write(changed, opened)` gets the
    typed values of the changed fields and the stored values they were opened with. When
    the store refuses a stale field, the form shows the newer value and who wrote it: save
    again to keep yours over it, or take the newer.
    """

    def __init__(self, title: str, fields: list[Field], record: dict[str, Any],
                 reload: Callable[[], dict[str, Any]], shown: Callable[[str, Any], Any],
                 write: Callable[[dict[str, Any], dict[str, Any]], Any],
                 message: Callable[[Any], str], *,
                 undo: Callable[[Any, dict[str, Any]], Undo | None] | None = None) -> None:
        """`undo(result, opened)`: what ctrl+z writes back, from the write's result and the
        stored values the saved fields were opened with."""
        super().__init__(title, fields, lambda values: write(values, self.opened_of(values)),
                         message,
                         undo=(lambda result: undo(result, dict(self.opened))) if undo else None)
        self.opened = {field_id: record.get(field_id) for field_id, _t, _w in fields}
        self.reload = reload
        self.shown = shown
        self.newer: dict[str, Any] = {}
        self._version: int | None = None

    def extra_buttons(self) -> list[Button]:
        take = Button(_("Take the newer"), id="take-newer", compact=True)
        take.display = False
        return [take]

    def on_mount(self) -> None:
        self._version = self.incubator.data_version()
        self.set_interval(self.incubator.POLL_SECONDS, self.follow)

    def widget(self, field_id: str) -> Input | Select:
        return next(w for fid, _t, w in self.fields if fid == field_id)

    def untouched(self, field_id: str) -> bool:
        return self.widget(field_id).value == self.shown(field_id, self.opened[field_id])

    def values(self) -> dict[str, Any]:
        """Only the fields the person changed."""
        return {field_id: widget.value for field_id, _t, widget in self.fields
                if not self.untouched(field_id)}

    def opened_of(self, values: dict[str, Any]) -> dict[str, Any]:
        return {field_id: self.opened[field_id] for field_id in values}

    def follow(self) -> None:
        """Fields the person did not touch take what was stored elsewhere since."""
        version = self.incubator.data_version()
        if version == self._version:
            return
        self._version = version
        fresh = self.reload()
        for field_id in self.opened:
            if fresh.get(field_id) != self.opened[field_id] and self.untouched(field_id):
                self.opened[field_id] = fresh.get(field_id)
                self.widget(field_id).value = self.shown(field_id, fresh.get(field_id))

    def on_save_failed(self, event: SaveFailed) -> None:
        super().on_save_failed(event)
        if not isinstance(event.error, StaleEdit):
            return
        fresh = self.reload()
        typed = self.values()
        self.newer = {field_id: fresh.get(field_id) for field_id in typed
                      if fresh.get(field_id) != self.opened[field_id]}
        self.opened.update(self.newer)  # saving again keeps what was typed over them
        self.query_one("#error", Label).update(
            event.message + "\n" + _("Save again to keep yours, or take the newer value."))
        self.query_one("#take-newer", Button).display = bool(self.newer)

    @on(Button.Pressed, "#take-newer")
    def take_newer(self) -> None:
        for field_id, value in self.newer.items():
            self.widget(field_id).value = self.shown(field_id, value)
        self.newer = {}
        self.query_one("#take-newer", Button).display = False
        self.query_one("#error", Label).update("")
