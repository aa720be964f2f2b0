"""What every area screen shares: the store to write to, the reader to query, today.

Screens read through `self.reader` (a separate SQLite connection, so a write in a
worker thread never blocks or leaks into a read) and write through `self.store`
only inside thread workers (`save`), which post `Saved` or `SaveFailed`. When any
connection commits, the app calls `refresh_data()` on the active screen.
"""

from __future__ import annotations

from contextlib import contextmanager

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.screen import Screen

from ..domain.errors import DomainError
from ..i18n import _
from ..store.commands import StorageError
from .actions import translate_bindings
from .undo import Change, Undo

if TYPE_CHECKING:
    from ..store.commands import Store
    from ..store.queries import Reader
    from .app import IncubatorApp


@dataclass
class Saved(Message):
    """A write finished; `message` is already translated; `undo` writes it back (ctrl+z),
    None when it cannot be undone that way."""

    message: str
    result: Any
    then: Callable[[Any], None] | None
    undo: Undo | None = None


@dataclass
class SaveFailed(Message):
    """A write was refused or could not be stored; `message` is already translated and
    `storage` says the disk is at fault (the message then says itself that nothing was
    saved)."""

    message: str
    storage: bool = False
    error: DomainError | None = None

    @property
    def notice(self) -> str:
        return self.message if self.storage else _("Not saved: {message}").format(
            message=self.message)


class StoreAccess:
    """Mixin for screens (areas and modals) that talk to the app's store and reader."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)  # type: ignore[arg-type]

    @property
    def incubator(self) -> IncubatorApp:
        return self.app  # type: ignore[attr-defined,return-value]

    @property
    def store(self) -> Store:
        """The write API; call it only from thread workers (see `save`)."""
        return self.incubator.store

    @property
    def reader(self) -> Reader:
        """The read connection for queries on the UI thread."""
        return self.incubator.reader

    @property
    def today(self) -> date:
        return self.incubator.today()

    def save(self, write: Callable[[], Any], message: Callable[[Any], str],
             then: Callable[[Any], None] | None = None,
             undo: Callable[[Any], Undo | None] | None = None) -> None:
        """Run `write` in a thread worker; notify what happened in plain words. `undo`
        makes, from the write's result, what ctrl+z writes back (the app keeps the last
        change only)."""

        def work() -> None:
            try:
                result = write()
            except DomainError as error:
                self.post_message(SaveFailed(  # type: ignore[attr-defined]
                    error.render(_), isinstance(error, StorageError), error))
            else:
                self.post_message(Saved(  # type: ignore[attr-defined]
                    message(result), result, then, undo(result) if undo else None))

        self.run_worker(work, thread=True, exclusive=True, group="save")  # type: ignore[attr-defined]

    def on_saved(self, event: Saved) -> None:
        self.incubator.remember(Change(event.message, event.undo))
        self.notify(event.message)  # type: ignore[attr-defined]
        if event.then:
            event.then(event.result)
        self.incubator.refresh_active()

    def on_save_failed(self, event: SaveFailed) -> None:
        self.notify(event.notice, severity="error", timeout=8)  # type: ignore[attr-defined]


class AreaScreen(StoreAccess, Screen[None]):
    """One area of the app (a mode): reads from SQLite, refreshes on data changes."""

    _shown_version: int | None = None
    rebuilding = False  # replacing its widgets: keys typed meanwhile wait (the app holds them)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A new mode's screen is styled as it mounts, from the app's stylesheet as it is:
        # Textual 8.2 would also restyle every screen twice at its first switch (it
        # counts a new screen's styles as out of date), 40-60 ms of a cold start.
        self._css_update_count = self.app._css_update_count

    @contextmanager
    def replacing_widgets(self):
        """Keys typed while the screen removes and mounts widgets (and focuses the cell
        it had again) wait, then go where the focus is: not to whatever widget held it
        for a moment."""
        self.rebuilding = True
        try:
            yield
        finally:
            self.rebuilding = False
            # after the new widgets are laid out: until then they are not in the focus
            # chain, and a Tab would stay where it is
            self.call_after_refresh(self.incubator.release_keys)

    def on_mount(self) -> None:
        self.incubator.areas.add(self)  # asked about unsaved work when the app quits

    def unsaved(self) -> str | None:
        """What was typed here and not saved, in a sentence; None when nothing was."""
        return None

    def refresh_data(self) -> None:
        """Re-read what the screen shows; called when shown and when data changed."""

    def refresh_if_stale(self) -> None:
        """Refresh unless the screen already shows the replica's current state.

        The app's poll timer can reach a screen between its push and the end of its
        mount, before its widgets exist: its first refresh comes when it is shown."""
        if not self.is_mounted:
            return
        version = self.incubator.data_version()
        if version != self._shown_version:
            self._shown_version = version
            self.refresh_data()

    def on_screen_resume(self) -> None:
        self.refresh_if_stale()
