"""The scoring grid: one row per organization, one cell per rubric item, a live total."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label

from ...domain.rubric import RubricItem, RubricVersion, parse_item_score, ten_point
from ...i18n import _
from ..widgets.checks import DomainCheck

CELL_CHARS = 4  # "1.75"


class ScoreCell(Input):
    """One item's score: digits and a point only, shown invalid when the domain refuses it
    (out of the item's range)."""

    def __init__(self, value: str, item: RubricItem, *, id: str) -> None:
        super().__init__(value, placeholder=f"0-{item.maximum:g}", id=id,
                         max_length=CELL_CHARS, restrict=r"[0-9.]*",
                         validators=[DomainCheck(lambda text: parse_item_score(item, text))],
                         classes="cell", select_on_focus=True)


class ColumnHeads(Horizontal):
    """The column titles above the grid."""

    def __init__(self, version: RubricVersion) -> None:
        super().__init__(id="columns", classes="score-row")
        self.version = version

    def compose(self) -> ComposeResult:
        yield Label(_("Organization"), classes="org-name")
        for item in self.version.items:
            yield Label(item.label, classes="column")
        yield Label(_("Total"), classes="total")


class ScoreRow(Horizontal):
    """An organization's scores for the month; typing writes into `draft` (item key -> text)
    what differs from `stored` (the stored score as text).

    Every keystroke sums at most a handful of cells and toggles one class.
    """

    def __init__(self, org_id: str, name: str, version: RubricVersion, values: dict[str, str],
                 stored: dict[str, str], draft: dict[str, str], threshold: float) -> None:
        super().__init__(classes="score-row")
        self.org_id = org_id
        self.org_name = name
        self.version = version
        self.values = values
        self.stored = stored
        self.draft = draft
        self.threshold = threshold

    def compose(self) -> ComposeResult:
        yield Label(self.org_name, classes="org-name")
        self.cells = [ScoreCell(self.values.get(item.key, ""), item,
                                id=f"cell-{self.org_id}-{item.key}")
                      for item in self.version.items]
        yield from self.cells
        self.total_label = Label("", classes="total")
        yield self.total_label

    def on_mount(self) -> None:
        self.show_total()

    def show_total(self) -> None:
        try:
            total = sum(float(cell.value) for cell in self.cells if cell.value.strip())
        except ValueError:
            total = None
        typed = any(cell.value.strip() for cell in self.cells)
        complete = all(cell.value.strip() for cell in self.cells)
        self.total_label.update(f"{total:g}/{self.version.max_total:g}"
                                if typed and total is not None else "", layout=False)
        self.set_class(complete and total is not None
                       and ten_point(total, self.version.max_total) < self.threshold, "low")

    def on_input_changed(self, event: Input.Changed) -> None:
        """Keep in `draft` only what differs from the stored value: a row nobody typed in
        has an empty draft and follows changes made elsewhere."""
        event.stop()
        key = self.version.items[self.cells.index(event.input)].key
        typed = event.value.strip()
        if typed == self.stored.get(key, ""):
            self.draft.pop(key, None)
        else:
            self.draft[key] = typed
        self.show_total()
