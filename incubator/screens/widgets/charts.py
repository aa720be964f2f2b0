"""Charts drawn by plotext (`textual-plotext`), each with the same figures as a text table.

plotext measures text by code points, so a Chinese title or label would break its frame:
titles are Textual labels above the plot, and whatever names a series (a hub, a star
level) is a letter or a number whose meaning the table beside the chart gives. Lines and
bars are drawn in braille dots, never block glyphs (ambiguous width in a CJK terminal).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label
from textual_plotext import PlotextPlot

from ...i18n import _
from .tables import PlainTable, data_table

MARKER = "braille"
SERIES_NAMES = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # series in a chart, explained by the table


TICK_ROOM = 8  # columns per x label: `YY-MM` and the gap plotext needs to keep all of them
Y_LABELS = 6  # columns the y axis labels take


def month_ticks(months: Sequence[str], width: int) -> tuple[list[int], list[str]]:
    """As many x ticks as a plot `width` columns wide shows, for a run of `YYYY-MM` months,
    labelled `YY-MM` (plotext would drop colliding labels, not always the same ones)."""
    most = max(2, (width - Y_LABELS) // TICK_ROOM)
    step = max(1, -(-len(months) // most))
    positions = list(range(0, len(months), step))
    return positions, [months[n][2:] for n in positions]


class MonthPlot(PlotextPlot):
    """A plot drawn again whenever its size changes, by `draw(plt, width)`."""

    _draw: Callable[..., None] | None = None

    def draw(self, draw: Callable[..., None] | None) -> None:
        """Plot with `draw(plt, width)` on a cleared figure (nothing if `draw` is None)."""
        self._draw = draw
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        self.plt.clear_figure()
        if self._draw is not None:
            self._draw(self.plt, self.size.width)
        self.refresh()


class Chart(Vertical):
    """A titled plot with a table of the figures it draws (beside it, or under it)."""

    def __init__(self, title: str, headers: Sequence[str], *, id: str,
                 table_below: bool = False) -> None:
        super().__init__(id=id, classes="chart below" if table_below else "chart")
        self.title_text = title
        self.headers = headers

    def compose(self) -> ComposeResult:
        yield Label(self.title_text, classes="chart-title")
        with (Vertical if "below" in self.classes else Horizontal)(classes="chart-body"):
            yield MonthPlot(classes="plot")
            yield data_table(f"{self.id}-table", *self.headers)

    @property
    def table(self) -> PlainTable:
        return self.query_one(PlainTable)

    def show(self, draw: Callable[..., None], rows: Sequence[Sequence], note: str = "") -> None:
        """Redraw: `draw(plt, width)` plots on a cleared figure; `rows` fill the table."""
        self.query_one(MonthPlot).draw(draw if rows else None)
        if not rows:
            note = _("no data yet")
        table = self.table
        table.clear()
        table.add_rows([tuple("" if cell is None else cell for cell in row) for row in rows])
        self.query_one(".chart-title", Label).update(
            f"{self.title_text}  {note}" if note else self.title_text)
