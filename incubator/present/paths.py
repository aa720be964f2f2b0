"""Files named by a person: checked in plain words before anything is touched."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..domain.errors import N_, DomainError

PATH_MAX_CHARS = 4096  # PATH_MAX of Linux: the longest file name a form takes


def usable_file(text: str | Path, *, must_exist: bool) -> Path:
    """A file named by a person: one to read (`must_exist`) or one to write (its folder
    must exist). Refused in plain words otherwise, before anything is touched."""
    text = str(text)
    if any("\udc80" <= char <= "\udcff" for char in text):
        raise DomainError("Input is not valid UTF-8 text")
    path = Path(text.strip()).expanduser()
    try:
        usable = bool(text.strip()) and bool(path.name) and not path.is_dir()
        usable = usable and (path.is_file() if must_exist else path.parent.is_dir())
    except OSError:
        usable = False
    shown = text.strip()[:120] or "-"
    if not usable and must_exist:
        raise DomainError("No usable file at {path}", path=shown)
    if not usable:
        raise DomainError("Cannot write a file at {path}: does its folder exist (is the USB "
                          "stick mounted)?", path=shown)
    return path


class FileExists(DomainError):
    """A file to write is already there: replace it only when the person said so."""


def writable_file(text: str | Path, *, replace: Path | None = None) -> Path:
    """A file to write a backup to: its folder exists and takes a new file (tried, so a
    read-only stick or a folder of another user is refused before any work), and it is
    not already there unless it is `replace`, the file the person agreed to replace."""
    path = usable_file(text, must_exist=False)
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".incubator-probe-"):
            pass
    except OSError as error:
        raise DomainError("Cannot write in the folder {folder} ({error}): choose another "
                          "folder", folder=str(path.parent)[:120],
                          error=error.strerror or str(error)) from None
    if path.exists() and path != replace:
        raise FileExists(N_("{path} already exists"), path=str(path)[:120])
    return path


def usable_folder(text: str | Path) -> Path:
    """A folder named by a person that exists (a mounted share, a USB stick, Syncthing's)."""
    text = str(text)
    if any("\udc80" <= char <= "\udcff" for char in text):
        raise DomainError("Input is not valid UTF-8 text")
    path = Path(text.strip()).expanduser()
    try:
        usable = bool(text.strip()) and path.is_dir()
    except OSError:
        usable = False
    if not usable:
        raise DomainError("{path} is not a folder (create it, or mount the share first)",
                          path=text.strip()[:120] or "-")
    return path
