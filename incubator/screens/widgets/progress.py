"""A progress bar drawn with coloured spaces: Textual's bar glyphs (━ ╸ ╺) are
ambiguous-width and would break the layout in a CJK terminal."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text as RichText
from textual.renderables.bar import Bar as BarRenderable
from textual.widgets import ProgressBar


class SpaceBar(BarRenderable):
    """The done part as spaces on the bar colour, the rest on the background colour."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        done = console.get_style(self.highlight_style).color
        rest = console.get_style(self.background_style).color
        width = self.width or options.max_width
        start, end = self.highlight_range
        filled = max(0, min(width, round(end))) if end > start else 0
        bar = RichText(end="")
        bar.append(" " * filled, style=Style(bgcolor=done) if done else Style(reverse=True))
        bar.append(" " * (width - filled), style=Style(bgcolor=rest))
        yield bar


class PlainProgressBar(ProgressBar):
    """A ProgressBar without ambiguous-width glyphs and without an ETA."""

    BAR_RENDERABLE = SpaceBar

    def __init__(self, total: float | None = None, **options) -> None:
        super().__init__(total, show_eta=False, **options)
