"""The Sync screen's shared-folder line: `f` watches a folder (`sync folder --watch`) in
the background, as the CLI does, and the line says what it last did.

The watcher runs in a thread worker with its own replica connection; it stops when `f`
is pressed again or the screen goes away. What it imports reaches the screen like any
other change (the app polls SQLite's data_version).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.message import Message
from textual.widgets import Input, Label

from ...domain.errors import DomainError
from ...i18n import N_, _
from ...present.paths import usable_folder
from ...present.sync import folder_text
from ...store import queries
from ...store.commands import Store
from ...sync.folder import FolderPass, FolderSync, filesystem_events, watch
from ..widgets.form import FormScreen


@dataclass
class FolderChanged(Message):
    """The watcher started on `root`, or stopped (`root` None; `error` when it could not
    go on)."""

    root: Path | None
    error: str | None = None


@dataclass
class FolderActivity(Message):
    """What a pass did (already in words), or why it could not run."""

    text: str
    error: bool = False


def folder_form(last: str | None) -> FormScreen:
    """Which folder to watch: the one used last, else Syncthing's usual place."""
    fields = [("path", N_("Folder"), Input(value=last or str(Path.home() / "Sync")))]
    return FormScreen(_("Watch a shared folder"), fields,
                      lambda values: usable_folder(values["path"]),
                      lambda path: _("Watching the shared folder {path}").format(path=path))


class FolderLine(Label):
    """One line: the folder being watched and what the watcher last did."""

    def __init__(self) -> None:
        super().__init__("", id="folder", classes="hint", markup=False)
        self.root: Path | None = None
        self.stop: threading.Event | None = None
        self.last = ""

    def on_mount(self) -> None:
        self.show()

    def on_unmount(self) -> None:
        if self.stop:
            self.stop.set()

    def show(self) -> None:
        if self.root is None:
            text = (_("Stopping the folder watcher") if self.stop
                    else _("No shared folder watched: f watches one (Syncthing, a share, a "
                           "USB stick)"))
        else:
            text = _("Watching the shared folder {path}").format(path=self.root)
            if self.last:
                text += _("; last: {what}").format(what=self.last)
        self.update(text)

    def toggle(self) -> None:
        """Stop watching, or ask which folder to watch and start."""
        if self.stop:
            self.stop.set()
            self.show()
            return
        screen = self.screen
        self.app.push_screen(folder_form(queries.last_folder(screen.reader)),
                             lambda values: values and self.start(usable_folder(values["path"])))

    def start(self, root: Path) -> None:
        self.stop = threading.Event()
        self.watcher(self.screen.incubator.home, self.screen.store.clock, root, self.stop)
        self.show()

    @work(thread=True, exclusive=True, group="folder")
    def watcher(self, home: Path, clock, root: Path, stop: threading.Event) -> None:
        """Watch `root` until `stop` is set, on this thread's own connection."""

        def report(_root: Path, outcome: FolderPass | DomainError) -> None:
            if isinstance(outcome, DomainError):
                self.post_message(FolderActivity(outcome.render(_), error=True))
            else:
                self.post_message(FolderActivity(folder_text(outcome, root)))

        try:
            store = Store.open(home, clock=clock)
            try:
                FolderSync(store.port, root).prepare()
                self.post_message(FolderChanged(root))
                watch(store.port, [root], filesystem_events([root], stop), on_pass=report)
            finally:
                store.close()
        except DomainError as error:
            self.post_message(FolderChanged(None, error.render(_)))
        except (OSError, sqlite3.Error) as error:
            self.post_message(FolderChanged(None, str(error)))
        else:
            self.post_message(FolderChanged(None))

    def on_folder_changed(self, event: FolderChanged) -> None:
        self.root = event.root
        if event.root is None:
            self.stop = None
            self.last = ""
            if event.error:
                self.notify(event.error, severity="error", timeout=10, markup=False)
            else:
                self.notify(_("Stopped watching the shared folder"), markup=False)
        self.show()

    def on_folder_activity(self, event: FolderActivity) -> None:
        self.last = event.text.splitlines()[0] if event.text else ""
        if event.error:
            self.notify(event.text, severity="error", timeout=10, markup=False)
        self.show()
