"""A question before a destructive action: what will happen, Cancel focused first."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from ...i18n import _
from ..actions import CONFIRM_ACTIONS, bindings, translate_bindings


class ConfirmScreen(ModalScreen[bool]):
    """`question` (translated) with Cancel and `confirm`; the result is True only when
    the person chose `confirm` (Tab to it, then Enter)."""

    ACTIONS = CONFIRM_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def __init__(self, title: str, question: str, confirm: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.title_text = title
        self.question = question
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Label(self.title_text, classes="area-title")
            yield Label(self.question, id="question")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel", compact=True)
                yield Button(self.confirm, variant="error", id="confirm", compact=True)

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def chosen(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")
