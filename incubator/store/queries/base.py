"""What every query module shares: plain rows, WHERE clauses, the read connection."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.utils import dedupe_keys

from ...domain.models import RESIDENT_STAGES

Row = dict[str, Any]
Reader = sqlite_utils.Database  # a read connection, as the app and the CLI hold it
# The resident stages as an SQL list, for `stage IN (...)`.
RESIDENT_SQL = ", ".join(f"'{stage.value}'" for stage in sorted(RESIDENT_STAGES))


def rows(db, sql: str, params: list | tuple = ()) -> list[Row]:
    """The rows of a SELECT as dicts, named as `db.query` names them; read without its
    savepoint around each statement (two statements more per read, and a save reads)."""
    cursor = db.execute(sql, params)
    keys = dedupe_keys(column[0] for column in cursor.description)
    return [dict(zip(keys, row)) for row in cursor]


def value(db, sql: str, params: list | tuple = ()) -> Any:
    """The first column of the first row, or None."""
    row = db.execute(sql, params).fetchone()
    return row[0] if row else None


def where(*conditions: tuple[str, list | None]) -> tuple[str, list]:
    """A WHERE clause from (sql, params) pairs; pairs with params None are skipped."""
    used = [(sql, params) for sql, params in conditions if params is not None]
    if not used:
        return "", []
    return ("WHERE " + " AND ".join(sql for sql, _ in used),
            [item for _, params in used for item in params])


def id_list(ids: list[str]) -> str:
    """A JSON array for `IN (SELECT value FROM json_each(?))`."""
    return json.dumps(ids)


def open_reader(path: Path) -> Reader:
    """A connection for reads on the UI thread, separate from the writer's."""
    return sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False),
                                 execute_plugins=False)


def data_version(db) -> int:
    """Changes whenever another connection commits to the replica."""
    return db.execute("PRAGMA data_version").fetchone()[0]
