"""A search box that a keystroke repaints without laying out the whole screen."""

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class SearchBox(Input):
    """An Input for a box whose size is set in CSS (no `auto` width or height).

    Input keeps the width of its text, which it scrolls across, in `virtual_size`:
    a reactive that asks for a layout of the whole screen whenever it changes, that
    is at every character typed. The scrolling reads it directly, and a box of fixed
    size has nothing to lay out: here a change only repaints the box. (An `auto`-sized
    box still asks for its layout: Input does so itself when its value changes.)
    """

    virtual_size = Reactive(Size(0, 0), layout=False)
