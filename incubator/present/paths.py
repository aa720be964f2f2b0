"""Files named by a person: checked in plain words before anything is touched."""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import DomainError


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
