"""Star distribution per hub: one line per hub, a coloured segment per star level."""

from __future__ import annotations

from collections import Counter

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from ...domain.pinyin import sort_key
from ...domain.review import LEVELS
from ...i18n import _
from ...present.labels import rating_text


class StarChart(Vertical):
    """A legend line, then per hub its name and a bar whose segments count each star level."""

    def __init__(self, scale: str, **options) -> None:
        super().__init__(**options)
        self.scale = scale

    def compose(self) -> ComposeResult:
        yield Label(_("Ratings per hub"), classes="chart-title")
        with Horizontal(classes="chart-row"):
            yield Label("", classes="chart-hub")
            for stars in LEVELS:
                yield Label(rating_text(stars, self.scale), classes=f"legend stars{stars}")
        yield Vertical(id="chart-bars")

    async def show(self, rows: list[dict]) -> None:
        """Redraw from review rows (each with `hub` and `stars`)."""
        counts = Counter((row["hub"] or "", row["stars"]) for row in rows)
        lines = []
        for hub in sorted({row["hub"] or "" for row in rows}, key=sort_key):
            segments = [Static(str(counts[(hub, s)]), classes=f"segment stars{s}")
                        .set_styles(f"width: {counts[(hub, s)] * 3};")
                        for s in LEVELS if counts[(hub, s)]]
            lines.append(Horizontal(Label(hub, classes="chart-hub"), *segments,
                                    classes="chart-row"))
        bars = self.query_one("#chart-bars", Vertical)
        await bars.remove_children()
        if not lines:
            lines.append(Label(_("No reviews this year"), classes="hint"))
        await bars.mount_all(lines)
