"""Replica files: create, open, restore and remove the one SQLite file of a replica.

This is the only code that touches a replica's `-wal` and `-shm` companions.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from pathlib import Path

from ..domain.errors import DomainError
from .home import frozen_or_real_clock, replica_path
from .identity import Identity
from .replica import Clock, Replica, ReplicaError
from .schema import QUERY_SCHEMA, SCHEMA_VERSION, create_all

COMPANIONS = ("-wal", "-shm")


def create(home: Path, identity: Identity, clock: Clock | None = None) -> Replica:
    """A new, empty replica file for `identity` in `home`."""
    path = replica_path(home)
    if path.exists():
        raise ReplicaError("A replica already exists at {path}", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        create_all(conn)
        conn.executemany(
            "INSERT INTO replica_meta (key, value) VALUES (?, ?)",
            [
                ("schema_version", str(SCHEMA_VERSION)),
                ("device_id", identity.device_id),
                ("device_name", identity.device_name),
                ("actor", identity.actor_hex),
                ("incarnation", "0"),
                ("private_key", identity.private_key_pem),
                ("bundle_key", identity.bundle_key_pem),
                ("certificate", identity.certificate_pem),
                ("bundle_public", identity.bundle_public_key.hex()),
                ("index_id", secrets.token_hex(8)),
                ("query_schema", QUERY_SCHEMA),
            ],
        )
        conn.commit()
    finally:
        conn.close()
    return Replica(path, clock=clock or frozen_or_real_clock())


def open_replica(home: Path, clock: Clock | None = None) -> Replica:
    return Replica(replica_path(home), clock=clock or frozen_or_real_clock())


def _is_backup(path: Path) -> bool:
    try:
        check = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            version = check.execute(
                "SELECT value FROM replica_meta WHERE key = 'schema_version'").fetchone()
        finally:
            check.close()
    except sqlite3.Error:
        return False
    return version == (str(SCHEMA_VERSION),)


def restore(backup: Path, home: Path, *, replace: bool = False,
            clock: Clock | None = None) -> Replica:
    """Put a backup in place as this home's replica, under a new Automerge actor."""
    target = replica_path(home)
    if target.exists() and not replace:
        raise DomainError("A replica already exists in {home}; use --replace to overwrite it",
                          home=str(home))
    if not _is_backup(backup):
        raise DomainError("{path} is not a replica backup", path=str(backup))
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".restoring")
    shutil.copyfile(backup, temporary)
    for suffix in COMPANIONS:
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(temporary, target)
    replica = open_replica(home, clock)
    replica.new_incarnation()
    return replica


def remove(home: Path) -> None:
    """Delete this home's replica file and its companions (the demo's --replace)."""
    target = replica_path(home)
    for suffix in ("", *COMPANIONS):
        Path(str(target) + suffix).unlink(missing_ok=True)
