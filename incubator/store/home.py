"""Where a replica lives: `--home`, else `INCUBATOR_HOME`, else the user data dir."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import platformdirs


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

