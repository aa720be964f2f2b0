"""The header every screen shows: the app title, no ambiguous-width icon."""

from textual.widgets import Header


class AppHeader(Header):
    def __init__(self) -> None:
        super().__init__(icon=" ")
