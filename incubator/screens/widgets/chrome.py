"""The header every screen shows: the app title, no ambiguous-width icon."""

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widgets import Header
from textual.widgets._header import HeaderTitle


class AppHeader(Header):
    def __init__(self) -> None:
        super().__init__(icon=" ")

    def _on_mount(self, event: Mount) -> None:
        """Textual's title watchers, except that one firing while its screen is being torn
        down (a title change during a mode switch) does nothing instead of crashing the
        app with NoMatches."""
        event.prevent_default()

        async def set_title() -> None:
            try:
                self.query_one(HeaderTitle).update(self.format_title())
            except (NoScreen, NoMatches):
                pass

        for node in (self.app, self.screen):
            self.watch(node, "title", set_title)
            self.watch(node, "sub_title", set_title)
