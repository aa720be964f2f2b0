"""A picker whose options open in a modal list with a filter box, not in Textual's overlay.

Textual's Select draws its options over the widgets beneath, and the screen divides
every line at those widgets' edges: a Chinese character astride an edge becomes two
blanks (兴隆村川剧票友会 showed as "  隆村  剧  友会", and stayed so). A modal screen has
no widgets beneath.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from ...domain.pinyin import search_query
from ...i18n import _
from ..actions import CHOICE_ACTIONS, PICKER_ACTIONS, bindings, translate_bindings

class ChoiceScreen(ModalScreen[None]):
    """Every option of a `Choice`; typing keeps those holding the text (or whose
    `search_texts`, their pinyin, hold it), arrows move, Enter (or a click) takes the
    highlighted one, Esc leaves the value as it was.

    `choose(value)` is called at once, before the screen closes: the keys typed after
    Enter find the value chosen."""

    ACTIONS = CHOICE_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def __init__(self, title: str, options: list[tuple[str, Any]], value: Any,
                 choose: Callable[[Any], None],
                 search_texts: Mapping[Any, str] | None = None) -> None:
        super().__init__()
        self.search_texts = search_texts or {}
        translate_bindings(self)
        self.title_text = title
        self.options = options
        self.value = value
        self.choose = choose
        self.shown: list[tuple[str, Any]] = []
        self.needle: str | None = None  # the filter the list shows

    def compose(self) -> ComposeResult:
        with Vertical(classes="form choice form-fields"):
            yield Label(self.title_text, classes="area-title", markup=False)
            yield Input(placeholder=_("Type a part of the name"), id="filter", compact=True)
            yield OptionList(id="options", compact=True)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#filter", Input))
        self.show("")

    def show(self, needle: str) -> None:
        """The options holding `needle`; the current value highlighted when it is shown."""
        self.needle = needle
        needle = needle.strip()
        spelled = search_query(needle) if self.search_texts else ""
        self.shown = [(label, value) for label, value in self.options
                      if needle.casefold() in label.casefold()
                      or (spelled and spelled in self.search_texts.get(value, ""))]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(Text(label)) for label, _value in self.shown)  # no markup
        values = [value for _label, value in self.shown]
        options.highlighted = values.index(self.value) if self.value in values else \
            0 if self.shown else None

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.catch_up()

    def catch_up(self) -> None:
        """The list for the filter as typed (its `Changed` message comes later)."""
        typed = self.query_one("#filter", Input).value
        if typed != self.needle:
            self.show(typed)

    def action_move(self, step: int) -> None:
        self.catch_up()
        options = self.query_one(OptionList)
        if step < 0:
            options.action_cursor_up()
        else:
            options.action_cursor_down()

    def action_pick(self) -> None:
        self.catch_up()
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None and highlighted < len(self.shown):
            self.picked(self.shown[highlighted][1])

    def take_key(self, event: events.Key) -> bool:
        """Typing in the filter, handled as the key is read (see `IncubatorApp.on_event`):
        the characters, Backspace and Enter keep their order however fast they come."""
        box = self.query_one("#filter", Input)
        if self.focused is not box:
            return False
        if event.key == "enter":
            self.action_pick()
        elif event.key == "backspace":
            box.action_delete_left()
        elif event.is_printable and event.character:
            box.insert_text_at_cursor(event.character)
        else:
            return False
        self.catch_up()
        return True

    @on(OptionList.OptionSelected)
    def clicked(self, event: OptionList.OptionSelected) -> None:
        self.picked(self.shown[event.option_index][1])

    def picked(self, value: Any) -> None:
        self.choose(value)
        self.dismiss()

    def action_cancel(self) -> None:
        self.dismiss()


class Choice(Select[Any]):
    """A Select (same value, `Changed` message and options) that opens `ChoiceScreen`."""

    BINDINGS = bindings(PICKER_ACTIONS)

    def __init__(self, options: Iterable[tuple[str, Any]], *, prompt: str,
                 allow_blank: bool = True, search_texts: Mapping[Any, str] | None = None,
                 **kwargs: Any) -> None:
        self.choices = list(options)
        self.search_texts = search_texts
        self.blank = allow_blank
        super().__init__(self.choices, prompt=prompt, allow_blank=allow_blank, **kwargs)

    def set_options(self, options: Iterable[tuple[str, Any]]) -> None:
        self.choices = list(options)
        super().set_options(self.choices)

    def _watch_expanded(self, expanded: bool) -> None:
        """Open the modal list instead of Textual's overlay."""
        if expanded:
            self.expanded = False
            self.action_open_list()

    def action_open_list(self) -> None:
        options = ([(self.prompt, Select.NULL)] if self.blank else []) + self.choices
        self.app.push_screen(ChoiceScreen(self.prompt, options, self.value, self.choose,
                                          self.search_texts))

    def choose(self, value: Any) -> None:
        self.value = value
