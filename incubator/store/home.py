"""Where a replica lives: `--home`, else `INCUBATOR_HOME`, else the user data dir."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import platformdirs

from ..domain.errors import DomainError

REPLICA_FILE = "replica.sqlite"


def resolve_home(option: str | Path | None = None) -> Path:
    if option:
        return Path(option).expanduser()
    if os.environ.get("INCUBATOR_HOME"):
        return Path(os.environ["INCUBATOR_HOME"]).expanduser()
    return Path(platformdirs.user_data_dir("incubator", appauthor=False))


def replica_path(home: Path) -> Path:
    return home / REPLICA_FILE


def frozen_or_real_clock():
    """The clock: `INCUBATOR_NOW` (an ISO time, for demos and tests) or the real one."""
    frozen = os.environ.get("INCUBATOR_NOW")
    if not frozen:
        return lambda: datetime.now(timezone.utc)
    moment = datetime.fromisoformat(frozen)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return lambda: moment


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
