"""Backing up from the Sync screen: where to (refusing to overwrite unasked), and how the
file is put back (`incubator restore`)."""

from __future__ import annotations

import shlex
from datetime import date
from pathlib import Path

from textual.widgets import Input

from ...i18n import N_, _
from ...present.paths import FileExists, writable_file
from ..base import SaveFailed
from ..widgets.confirm import ConfirmScreen
from ..widgets.form import FormScreen


def default_backup_path(today: date) -> str:
    """A dated name in the home folder."""
    return str(Path.home() / f"incubator-backup-{today.isoformat()}.db")


def restore_commands(home: Path, backup: Path) -> str:
    """How to put `backup` back: on this device (after quitting the app), or on another
    computer; the exact commands, quoted for a shell."""
    file = shlex.quote(str(backup))
    return _("To put this backup back on this device, quit the app, then run:\n"
             "  {this_device}\n"
             "On another computer (or in a new folder):\n"
             "  {elsewhere}\n"
             "Then sync with a peer to get back what changed since the backup.").format(
        this_device=f"incubator --home {shlex.quote(str(home))} restore {file} --replace",
        elsewhere=f"incubator --home NEW_FOLDER restore {file}")


class BackupForm(FormScreen):
    """The file to back up to. A folder that takes no file is refused at once; an existing
    file is replaced only after the person agreed. The result is the path, checked."""

    AUTO_FOCUS = "#path"

    def __init__(self, today: date) -> None:
        self.agreed: Path | None = None  # the existing file the person agreed to replace
        self.path: Path | None = None  # the file checked, once saved
        super().__init__(
            _("Back up this replica"),
            [("path", N_("File"), Input(default_backup_path(today), max_length=1000))],
            self.check, lambda path: _("Backing up to {path}…").format(path=path))

    def check(self, values: dict) -> Path:
        self.path = writable_file(values["path"], replace=self.agreed)
        return self.path

    def on_save_failed(self, event: SaveFailed) -> None:
        if not isinstance(event.error, FileExists):
            super().on_save_failed(event)
            return
        event.prevent_default()
        self.query_one("#error").update(event.message)
        path = Path(self.values()["path"].strip()).expanduser()
        self.app.push_screen(ConfirmScreen(
            _("Replace {path}?").format(path=path),
            _("{path} already exists. Replacing it deletes what it holds now and puts this "
              "backup in its place.").format(path=path),
            _("Replace it")), lambda yes: yes and self.replace_agreed(path))

    def replace_agreed(self, path: Path) -> None:
        self.agreed = path
        self.action_submit()
