"""Asking before something that cannot be taken back: what will happen, then yes or no."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from ...i18n import _
from ..actions import CONFIRM_ACTIONS, bindings, translate_bindings


class ConfirmScreen(ModalScreen[bool]):
    """`title`, then `text` (what will happen); the result is True only when the person
    pressed the confirming button (`confirm`, default "Confirm"). Cancel has the focus
    first, so an Enter typed ahead never confirms; Tab then Enter does, Esc cancels."""

    ACTIONS = CONFIRM_ACTIONS
    BINDINGS = bindings(ACTIONS)
    DEFAULT_CSS = """
    ConfirmScreen #consequences { margin: 1 0 0 0; }
    """

    def __init__(self, title: str, text: str, confirm: str | None = None) -> None:
        super().__init__()
        translate_bindings(self)
        self.title_text = title
        self.text = text
        self.confirm = confirm or _("Confirm")

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form confirm", can_focus=False):
            yield Label(self.title_text, classes="area-title", markup=False)
            yield Static(self.text, id="consequences", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel", compact=True)
                yield Button(self.confirm, variant="error", id="confirm", compact=True)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#cancel", Button))

    @on(Button.Pressed, "#confirm")
    def confirmed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
