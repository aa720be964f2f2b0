"""Replica files: create, open, restore and remove the one SQLite file of a replica.

This is the only code that touches a replica's `-wal` and `-shm` companions, and the
only code that takes the replica's lock.

Every process that opens a replica holds a shared lock on `replica.sqlite.lock` (`flock`)
for as long as it keeps it open, and notes who it is (process id, command, since when) in
`replica.sqlite.holders/`. Any number of processes share it: the app, a sync server, the
CLI beside them. Replacing or removing the file (`restore --replace`, `demo --replace`)
needs the lock exclusively and is refused while anyone holds it, with the holders named;
so no open process is left writing to a file that is no longer the replica. (A file
swapped by other means is caught too: `Replica` refuses to write once the path no longer
names the file it opened.)
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..domain.errors import N_, DomainError, Text
from .check import Problem, damaged_tables, problems, salvage
from .home import frozen_or_real_clock, replica_path
from .identity import Identity
from .replica import Clock, Replica, ReplicaError
from .schema import QUERY_SCHEMA, SCHEMA_VERSION, create_all

COMPANIONS = ("-wal", "-shm")
LOCK_SUFFIX = ".lock"
HOLDERS_SUFFIX = ".holders"
WAIT_SECONDS = 10.0  # how long an opener waits while a restore replaces the file


class ReplicaInUse(ReplicaError):
    """The replica is held by other processes (or being replaced): the file stays as it is."""


class Hold:
    """This process's hold on a replica file: an `flock` on its lock file and a note naming
    this process. `release()` (done by `Replica.close`) lets go of both."""

    def __init__(self, handle: BinaryIO, note: Path) -> None:
        self._handle = handle
        self._note = note

    def release(self) -> None:
        if self._handle.closed:
            return
        self._note.unlink(missing_ok=True)
        self._handle.close()  # closing the descriptor releases the lock


def _command() -> str:
    """The command line of this process, as a person would recognise it."""
    words = [Path(sys.argv[0]).name if sys.argv else "python", *sys.argv[1:]]
    if words[0] in ("__main__.py", "-m", "-c"):
        words[0] = "incubator"
    return " ".join(words)[:160]


def _holders(path: Path) -> list[dict]:
    """The notes left by the processes holding `path` that are still running."""
    found = []
    folder = Path(str(path) + HOLDERS_SUFFIX)
    for note in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            holder = json.loads(note.read_text(encoding="utf-8"))
            os.kill(int(holder["pid"]), 0)
        except ProcessLookupError:
            note.unlink(missing_ok=True)
            continue
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found.append(holder)
    return found


def _holders_text(path: Path) -> Text:
    """Who holds the replica: process id, command and since when, of each holder."""
    texts = [Text(N_("process {pid} ({command}, since {since})"),
                  {"pid": holder["pid"], "command": holder.get("command", ""),
                   "since": holder.get("since", "")}) for holder in _holders(path)]
    if not texts:
        return Text(N_("another program"))
    listed = texts[-1]
    for text in reversed(texts[:-1]):
        listed = Text(N_("{first}; {rest}"), {"first": text, "rest": listed})
    return listed


def _hold(path: Path, exclusive: bool) -> Hold | None:
    """Take the replica's lock, shared or exclusive, and note this process as a holder.

    None when the lock file cannot be made (a read-only medium: nobody can replace the
    file there either). A shared hold waits a few seconds for a restore to finish; an
    exclusive one is refused at once while anybody holds the replica."""
    try:
        handle = open(str(path) + LOCK_SUFFIX, "ab")
    except OSError:
        return None
    deadline = time.monotonic() + (0 if exclusive else WAIT_SECONDS)
    while True:
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                if exclusive:
                    raise ReplicaInUse(
                        "The replica in {home} is open in other processes: {holders}. Close "
                        "them (the app, sync serve), then do it again",
                        home=str(path.parent), holders=_holders_text(path)) from None
                raise ReplicaInUse("The replica in {home} is being replaced (restored) by "
                                   "{holders}: try again in a moment",
                                   home=str(path.parent), holders=_holders_text(path)) from None
            time.sleep(0.05)
    folder = Path(str(path) + HOLDERS_SUFFIX)
    note = folder / f"{os.getpid()}-{secrets.token_hex(4)}.json"
    try:
        if exclusive:  # nobody holds the replica: every note left is stale
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(exist_ok=True)
        note.write_text(json.dumps({
            "pid": os.getpid(), "command": _command(), "exclusive": exclusive,
            "since": time.strftime("%Y-%m-%d %H:%M:%S")}, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass  # the lock is what counts; the note only names the holder
    return Hold(handle, note)


@contextmanager
def _replacing(path: Path) -> Iterator[None]:
    """Hold the replica exclusively while its file is replaced or removed."""
    hold = _hold(path, exclusive=True)
    try:
        yield
    finally:
        if hold:
            hold.release()


def _opened(path: Path, clock: Clock | None, refresh: bool = True) -> Replica:
    """The replica at `path`, held (shared) until it is closed."""
    hold = _hold(path, exclusive=False)
    try:
        return Replica(path, clock=clock or frozen_or_real_clock(),
                       on_close=hold.release if hold else None, refresh=refresh)
    except BaseException:
        if hold:
            hold.release()
        raise


def create(home: Path, identity: Identity, clock: Clock | None = None) -> Replica:
    """A new, empty replica file for `identity` in `home`."""
    path = replica_path(home)
    if path.exists():
        raise ReplicaError("A replica already exists at {path}", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("BEGIN")  # one transaction, so one sync (not one per table and index)
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
    return _opened(path, clock)


def open_replica(home: Path, clock: Clock | None = None) -> Replica:
    path = replica_path(home)
    if not path.exists():
        raise ReplicaError("No replica at {path}", path=str(path))
    return _opened(path, clock)


def verify(home: Path) -> list[Problem]:
    """What is damaged in this home's replica and what can be recovered, even when the
    file is too damaged to open as a replica (see `check`)."""
    path = replica_path(home)
    if not path.exists():
        raise ReplicaError("No replica at {path}", path=str(path))
    hold = _hold(path, exclusive=False)
    try:
        conn = sqlite3.connect(str(path))
        try:
            return problems(conn)
        finally:
            conn.close()
    finally:
        if hold:
            hold.release()


def reindex(home: Path, clock: Clock | None = None) -> int:
    """Rebuild this home's query tables and bookkeeping from the chunks. When SQLite pages
    are damaged, the replica is first salvaged into a fresh file (everything readable
    that is not derived, see `check.salvage`) that replaces the damaged one, so it needs
    the replica to itself. Returns how many documents were rebuilt."""
    path = replica_path(home)
    if not path.exists():
        raise ReplicaError("No replica at {path}", path=str(path))
    if damaged_tables(verify(home)):
        with _replacing(path):
            _salvage(path)
    replica = _opened(path, clock, refresh=False)
    try:
        with replica.transaction():
            replica.db.conn.execute(
                "INSERT OR REPLACE INTO replica_meta VALUES ('query_schema', ?)", (QUERY_SCHEMA,))
            return replica.reindex()
    finally:
        replica.close()


def _salvage(path: Path) -> None:
    """Replace a damaged replica file by a fresh one holding what could be read of it."""
    fresh = path.with_name(path.name + ".salvaged")
    fresh.unlink(missing_ok=True)
    source, target = sqlite3.connect(str(path)), sqlite3.connect(str(fresh))
    try:
        target.execute("BEGIN")  # one transaction, so one sync (not one per table)
        salvage(source, target)
        target.commit()
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        source.close()
        target.close()
    with open(fresh, "rb+") as handle:
        os.fsync(handle.fileno())
    for suffix in COMPANIONS:
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(fresh, path)


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
    with _replacing(target):
        try:
            shutil.copyfile(backup, temporary)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise ReplicaError("Cannot restore into {home}: {error}", home=str(home),
                               error=error.strerror or str(error)) from None
        for suffix in COMPANIONS:
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(temporary, target)
    replica = open_replica(home, clock)
    replica.new_incarnation()
    return replica


def remove(home: Path) -> None:
    """Delete this home's replica file and its companions (the demo's --replace), unless
    a process holds it."""
    target = replica_path(home)
    with _replacing(target):
        for suffix in ("", *COMPANIONS):
            Path(str(target) + suffix).unlink(missing_ok=True)
