"""One replica = one SQLite file: Automerge chunks plus the query tables.

A change to a document appends its change chunk and replaces the document's
query rows in the same SQLite transaction, so the two can never disagree after
a crash. `documents.materialized_upto` records the last chunk reflected in the
query tables: chunks copied in from elsewhere are noticed on open and their
documents re-materialized.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import secrets
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

import sqlite_utils

from ..domain.device import short_device_id
from ..domain.docids import NETWORK, DocKind, kind_of
from ..domain.errors import N_, DomainError, Text
from ..domain.membership import refusal
from . import journal, queries
from .authorship import NetworkHistory, incoming_refusal
from .automerge_doc import AutomergeDoc, DocumentError, Editor
from .check import Problem, problems
from .identity import Identity, actor_for
from .materialize import (
    CONTAINERS, ORG_TABLE_CONTAINERS, SCORE_COLUMNS, Groups, grouped, org_rows,
    org_tables_made_from, rows_for, score_row,
)
from . import parallel
from .peers import PeerRecords
from .arrival import arrived, judged_rows
from .ports import ReplicaBusy, ReplicaError, StorageError
from .schema import (
    QUERY_SCHEMA, QUERY_TABLES, SCHEMA_VERSION, create_query_indexes, drop_query_indexes,
    recreate_query_tables,
)

# A save compacts its document at once only when its change chunks outgrow both this and
# the snapshot; otherwise idle moments do (`Replica.compact`), COMPACT_BATCH a transaction.
COMPACT_MIN_BYTES = 4096
COMPACT_BATCH = 64
BACKUP_PAGES = 1024  # pages copied per step of a backup that reports its progress
CACHE_SIZE = 512
# Seconds a write waits for another program's write to finish before giving up.
BUSY_TIMEOUT = 30.0
# SQLite's page cache, in KiB (a ceiling: pages are only held once read). A first clone or
# a reindex inserts ~225,000 score rows into four B-trees in one transaction; with the
# default 2 MiB the index pages are evicted and spilled to the file between inserts (a
# clone of the 4,000-organization replica took 26 s of CPU instead of 18).
CACHE_KIB = 65536
REINDEX_BATCH = 256  # documents whose rows a reindex holds in memory and inserts together

Apply = Callable[[Editor], dict[str, Any]]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# SQLite's primary result codes that mean the file cannot be written or read as it should:
# the data is not at fault, the disk is.
STORAGE_FAILURES = frozenset({
    sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_CORRUPT,
    sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PROTOCOL,
})


def is_storage_failure(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) and _result_code(exc) in STORAGE_FAILURES


def _result_code(exc: sqlite3.Error) -> int:
    return (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF


def failure_text(error: OSError | sqlite3.Error) -> Text | str:
    """Why a file could not be written, in words ("the disk is full" is translated)."""
    if (isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)) or (
            isinstance(error, sqlite3.Error) and _result_code(error) == sqlite3.SQLITE_FULL):
        return Text(N_("the disk is full"))
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)[:200]


def storage_error(exc: sqlite3.Error) -> StorageError:
    """A plain message for a storage failure (the disk is full, or it failed)."""
    code = _result_code(exc)
    if code == sqlite3.SQLITE_FULL:
        return StorageError("The disk is full: nothing was saved. Free some space on the "
                            "disk, then do it again")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StorageError("The replica file is damaged ({error}): nothing was saved. Run "
                            "incubator verify", error=str(exc)[:200])
    return StorageError("The replica file could not be written ({error}): nothing was saved",
                        error=str(exc)[:200])


class Replica(PeerRecords):
    """The storage engine: documents in, query rows out, all in one file (see `files`
    for creating one). Implements `ports.SyncPort`."""

    def __init__(self, path: Path, *, clock: Clock = utc_now,
                 on_close: Callable[[], None] | None = None, refresh: bool = True) -> None:
        if not path.exists():
            raise ReplicaError("No replica at {path}", path=str(path))
        self.path = path
        self.clock = clock
        self._on_close = on_close
        self._file = os.stat(path).st_ino
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT)
        self.db = sqlite_utils.Database(conn, execute_plugins=False)
        self._lock = threading.RLock()
        self._depth = 0
        self._doomed: StorageError | None = None
        self._docs: OrderedDict[str, tuple[AutomergeDoc, int]] = OrderedDict()
        self._grown: set[str] = set()  # documents this program appended change chunks to
        self._history: tuple[tuple[str, ...], NetworkHistory] | None = None
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            # Statement journals (what undoes a savepoint: one per document merged) and
            # index sorts in memory, not in temporary files; the WAL alone makes commits
            # durable. A first clone's savepoints cost 1.4 s of CPU in files, 0.4 s here.
            conn.execute("PRAGMA temp_store=MEMORY")
            meta = dict(conn.execute("SELECT key, value FROM replica_meta"))
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # (a damaged schema)
            conn.close()
            raise ReplicaError("{path} is damaged or not an incubator replica ({error})",
                               path=str(path), error=str(exc)) from exc
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            conn.close()
            raise ReplicaError("{path} has an unknown schema version", path=str(path))
        try:
            self.identity = Identity(
                meta["device_id"], meta["device_name"], bytes.fromhex(meta["actor"]),
                meta["private_key"], meta["bundle_key"], meta["certificate"],
                bytes.fromhex(meta["bundle_public"]),
            )
        except (KeyError, ValueError) as exc:
            conn.close()
            raise ReplicaError("{path} is damaged or not an incubator replica ({error})",
                               path=str(path), error=f"replica_meta {exc}") from exc
        if not refresh:  # opened to be rebuilt (`reindex`): its tables may be damaged
            return
        if meta.get("query_schema") != QUERY_SCHEMA:
            self._rebuild_query_tables()
        self.refresh()

    def close(self) -> None:
        """Compact the documents this program appended changes to (`compact`), then close
        the file. Every save is durable already: when compacting fails (a full disk, a
        busy or replaced file) the documents stay as they are."""
        if self._grown:
            try:
                self.compact(sorted(self._grown), wait=0)
            except (DomainError, sqlite3.Error):
                pass
        self.db.conn.close()
        if self._on_close:
            self._on_close()

    def _check_same_file(self) -> None:
        """Refuse to write once the path names another file than the one opened (it was
        replaced behind this process's back): the write would be lost with the old file."""
        try:
            same = os.stat(self.path).st_ino == self._file
        except OSError:
            same = False
        if not same:
            raise ReplicaError("The replica file {path} was replaced or removed while this "
                               "program had it open: nothing was saved. Close the program "
                               "and open it again", path=str(self.path))

    # -- transactions -------------------------------------------------------

    @contextmanager
    def transaction(self, wait: float | None = None) -> Iterator[None]:
        """One durable SQLite transaction; nested calls join the outer one. Waits up to
        `wait` seconds (default `BUSY_TIMEOUT`) for another program's write to finish,
        else raises `ReplicaBusy` having written nothing.

        It returns only after COMMIT succeeded. When anything fails — a refusal, or the
        file that cannot be written (`StorageError`: a full disk) — the transaction is
        rolled back and every cached document is dropped, so memory holds exactly what
        the file holds. A storage failure inside a nested call dooms the outer
        transaction even if a caller catches it: SQLite may already have rolled back."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                except sqlite3.Error as exc:
                    if is_storage_failure(exc):
                        raise self._storage_error(exc) from exc
                    raise
                finally:
                    self._depth -= 1
                return
            self._check_same_file()
            self._begin(BUSY_TIMEOUT if wait is None else wait)
            self._depth = 1
            self._doomed = None
            try:
                yield
                if self._doomed is not None:
                    raise self._doomed
                self.db.conn.execute("COMMIT")
            except BaseException as exc:
                self._abandon()
                if is_storage_failure(exc):
                    raise storage_error(exc) from exc
                raise
            finally:
                self._depth = 0
                self._doomed = None

    def _abandon(self) -> None:
        """Roll back what SQLite has not already rolled back; forget every cached document
        (a change applied in memory may never have reached the file)."""
        try:
            self.db.conn.rollback()
        except sqlite3.Error:
            pass  # SQLite has undone the transaction itself
        self._docs.clear()

    def _storage_error(self, exc: sqlite3.Error) -> StorageError:
        """The error to raise for a storage failure inside the transaction, which can
        then only end in a rollback."""
        error = storage_error(exc)
        if self._depth:
            self._doomed = error
        return error

    def _begin(self, wait: float) -> None:
        conn = self.db.conn
        if wait != BUSY_TIMEOUT:
            conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            if is_storage_failure(error):
                raise storage_error(error) from error
            if getattr(error, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY:
                raise
            raise ReplicaBusy("The replica is busy: another program is writing to it (try "
                              "again in a moment)") from None
        finally:
            if wait != BUSY_TIMEOUT:
                conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")

    # -- documents ----------------------------------------------------------

    def _load(self, doc_id: str, after: int = 0) -> tuple[bytes, int]:
        rows = self.db.conn.execute(
            "SELECT id, data FROM chunks WHERE doc_id = ? AND id > ? ORDER BY id", (doc_id, after)
        ).fetchall()
        return b"".join(data for _, data in rows), (rows[-1][0] if rows else after)

    def document(self, doc_id: str) -> AutomergeDoc | None:
        """The document as stored now (cached; new chunks merged in), or None."""
        with self._lock:
            cached = self._docs.get(doc_id)
            if cached is None:
                data, upto = self._load(doc_id)
                if not data:
                    return None
                doc = AutomergeDoc.load(data, self.identity.actor)
            else:
                doc, upto = cached
                data, upto = self._load(doc_id, upto)
                if data:
                    doc.merge(data)
            self._cache(doc_id, doc, upto)
            return doc

    def _cache(self, doc_id: str, doc: AutomergeDoc, upto: int) -> None:
        """Keep `doc` (as stored up to chunk `upto`) among the most recently used."""
        self._docs[doc_id] = (doc, upto)
        self._docs.move_to_end(doc_id)
        while len(self._docs) > CACHE_SIZE:
            self._docs.popitem(last=False)

    def tree(self, doc_id: str) -> dict:
        doc = self.document(doc_id)
        return doc.tree() if doc else {}

    def now_iso(self) -> str:
        return self.clock().astimezone(timezone.utc).isoformat(timespec="seconds")

    def change(self, doc_id: str, summary: str, params: dict[str, Any], apply: Apply,
               *, create: bool = False) -> None:
        """Apply one attributed change to `doc_id` and store it durably."""
        with self.transaction():
            doc = self.document(doc_id)
            if doc is None:
                if not create:
                    raise ReplicaError("No document {doc_id}", doc_id=doc_id)
                doc = AutomergeDoc.new(self.identity.actor)
            checked = not (create and doc_id == NETWORK)
            if checked:
                self._check_own_role(doc_id)
            before = doc.heads()
            clock = doc.tree((journal.CLOCK,))
            network = self.document(NETWORK)
            network_heads = None if doc_id == NETWORK else network.heads() if network else []
            try:
                with doc.edit() as editor:
                    # with the document, and on the first change to one made by a build
                    # that had fewer containers
                    for container in (*CONTAINERS[kind_of(doc_id)], journal.LOG, journal.CLOCK):
                        editor.ensure_map((container,))
                    fields = apply(editor)
                    key, entry, count = journal.new_entry(
                        clock, self.identity.actor_hex, self.now_iso(), self.identity.device_id,
                        self.identity.device_name, summary, params, fields,
                        network_heads,
                    )
                    editor.set((journal.LOG, key), entry)
                    editor.set((journal.CLOCK, self.identity.actor_hex), count)
                if checked:
                    self._check_own_change(doc_id, doc, before)
                if before:
                    self._store(doc_id, doc, "changes", doc.changes_since(before),
                                written=fields)
                else:
                    self._store(doc_id, doc, "snapshot", doc.save())
            except BaseException:
                self._docs.pop(doc_id, None)  # the cached document was edited in place
                raise

    def _check_own_role(self, doc_id: str) -> None:
        """Refuse locally what every other replica would refuse on receipt."""
        me = self.identity.device_id
        member = self.members().get(me)
        if member is None:
            raise ReplicaError("This device is not a member of a network yet: sync with the "
                               "hub that added it first")
        reason = refusal(member, kind_of(doc_id), short_device_id(me))
        if reason:
            raise ReplicaError("This device may not make this change: {reason}", reason=reason)

    def _check_own_change(self, doc_id: str, doc: AutomergeDoc, before: list[str]) -> None:
        """Refuse the change just made to `doc` (not stored yet) when it touches what this
        device's role may not write: the very rule every replica applies on receipt."""
        reason = incoming_refusal(doc_id, doc, before, self._network_history())
        if reason:
            raise ReplicaError("This device may not make this change: {reason}", reason=reason)

    def _network_history(self) -> NetworkHistory:
        """The network document's history as `authorship` reads it (cached per heads)."""
        network = self.document(NETWORK)
        heads = tuple(network.heads()) if network else ()
        if self._history is None or self._history[0] != heads:
            self._history = (heads, NetworkHistory(network))
        return self._history[1]

    def merge(self, doc_id: str, data: bytes, expected_heads: list[str]) -> bool:
        """Merge a snapshot or change chunks from another replica (the sync entry point).

        `expected_heads` are the heads the sender declared. Nothing is stored, and
        `ReplicaError` says why, when a dependency is missing (the declared heads do
        not apply) or when a change's author may not write this document (see
        `authorship`). Returns whether anything new arrived.
        """
        kind_of(doc_id)
        with self.transaction():
            doc = self.document(doc_id)
            before = doc.heads() if doc else []
            candidate = arrived(doc_id, doc, data, self.identity.actor)
            rows = judged_rows(doc_id, candidate, before, expected_heads,
                               self._network_history())
            if rows is None:
                return False
            self.db.conn.execute("SAVEPOINT merge_document")
            try:
                if before:
                    self._store(doc_id, candidate, "changes", candidate.changes_since(before),
                                rows)
                else:  # a document new here: kept as it came, not saved again
                    self._store(doc_id, candidate, "snapshot", data, rows, fresh=True)
            except sqlite3.Error as exc:
                self._docs.pop(doc_id, None)
                self._refuse_stored(doc_id, exc)
            self.db.conn.execute("RELEASE merge_document")
            return True

    def merge_all(self, items: list[tuple[str, bytes, list[str]]]
                  ) -> list[list[str] | None | Exception]:
        """`merge` of each (doc_id, data, expected heads), in order, in one transaction;
        for each, the heads now held, None when nothing new arrived, or the `DomainError`
        or `ValueError` that refused it (a `StorageError` stops them all). Many documents
        new here in a row (a first clone, a full bundle) are loaded, judged and made into
        rows on worker processes (`parallel`), against the membership this replica holds
        when the row starts."""
        outcomes: list[list[str] | None | Exception] = []
        with self.transaction():
            start = 0
            while start < len(items):
                end, run = start, set()
                while (end < len(items) and items[end][0] not in run
                       and items[end][0] != NETWORK and self._is_new(items[end][0])):
                    run.add(items[end][0])
                    end += 1
                if parallel.worth_workers(end - start):
                    outcomes += self._merge_new(items[start:end])
                else:
                    end = max(end, start + 1)
                    outcomes += [self._merge_one(*item) for item in items[start:end]]
                start = end
        return outcomes

    def _merge_one(self, doc_id: str, data: bytes, heads: list[str]
                   ) -> list[str] | None | Exception:
        try:
            merged = self.merge(doc_id, data, heads)
        except StorageError:
            raise
        except (DomainError, ValueError) as error:
            return error
        return self.document(doc_id).heads() if merged else None

    def _is_new(self, doc_id: str) -> bool:
        return doc_id not in self._docs and self.db.conn.execute(
            "SELECT 1 FROM chunks WHERE doc_id = ? LIMIT 1", (doc_id,)).fetchone() is None

    def _merge_new(self, items: list[tuple[str, bytes, list[str]]]
                   ) -> list[list[str] | None | Exception]:
        """Documents this replica holds none of, judged and made into rows on workers;
        each kept as it came (see `merge_all`)."""
        network = self.document(NETWORK)
        outcomes: list[list[str] | None | Exception] = []
        data = {doc_id: chunk for doc_id, chunk, _heads in items}
        # at least half as many new documents as are held (a clone's first batches, a full
        # bundle): the indexes are built again over all rows, not grown document by
        # document, which costs more than twice as much per row as inserting it (none of
        # them is unique: the tables' keys still refuse a duplicate)
        held = self.db.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        again = len(items) * 2 >= held
        if again:
            drop_query_indexes(self.db.conn)
        for batch in parallel.judged_on_workers(items, self.identity.actor,
                                                network.save() if network else None):
            for doc_id, outcome in batch:
                if isinstance(outcome, Exception) or outcome is None:
                    outcomes.append(outcome)
                    continue
                heads, groups = outcome
                self.db.conn.execute("SAVEPOINT merge_document")
                try:
                    self._keep_new(doc_id, data[doc_id], heads, groups)
                except sqlite3.Error as exc:
                    try:
                        self._refuse_stored(doc_id, exc)
                    except ReplicaError as error:
                        outcomes.append(error)
                        continue
                self.db.conn.execute("RELEASE merge_document")
                outcomes.append(heads)
        if again:
            create_query_indexes(self.db.conn)
        return outcomes

    def _keep_new(self, doc_id: str, data: bytes, heads: list[str], groups: Groups) -> None:
        """Store a document new here as it came (one snapshot chunk) with its rows."""
        chunk_id = self.db.conn.execute(
            "INSERT INTO chunks (doc_id, kind, data) VALUES (?, 'snapshot', ?)", (doc_id, data)
        ).lastrowid
        self._record_document(doc_id, ",".join(heads), chunk_id,
                              {"snapshot": len(data), "changes": 0})
        insert_groups(self.db.conn, groups)

    def _refuse_stored(self, doc_id: str, exc: sqlite3.Error) -> NoReturn:
        """After a document's rows failed to go in (inside SAVEPOINT merge_document): the
        disk's failure stops everything; the document's own (rows that break a table's
        rule) refuses it alone, with nothing of it left."""
        if is_storage_failure(exc) or not self.db.conn.in_transaction:
            raise self._storage_error(exc) from exc
        self.db.conn.execute("ROLLBACK TO merge_document")
        self.db.conn.execute("RELEASE merge_document")
        raise ReplicaError("Refused {doc_id}: its contents are malformed ({error})",
                           doc_id=doc_id, error=str(exc)[:200]) from exc

    def members(self) -> dict[str, dict]:
        """The current membership: device ID → {role, revoked_at}."""
        return queries.membership(self.db)

    def member_records(self) -> dict[str, dict]:
        """Every member's full record; read under the replica's lock, so a sync server's
        handshake (on another thread) never sees a membership half merged."""
        with self._lock:
            return queries.member_records(self.db)

    def _store(self, doc_id: str, doc: AutomergeDoc, kind: str, data: bytes,
               rows: dict[str, list[dict]] | None = None, fresh: bool = False,
               written: dict[str, Any] | None = None) -> None:
        """Append a chunk and replace the document's rows; `fresh`: a document this
        replica did not hold (no chunks, no rows), whose rows are only inserted;
        `written`: the journal fields of this device's own change (see `_rewrite_own`)."""
        conn = self.db.conn
        chunk_id = conn.execute(
            "INSERT INTO chunks (doc_id, kind, data) VALUES (?, ?, ?)", (doc_id, kind, data)
        ).lastrowid
        row = None if fresh else conn.execute(
            "SELECT snapshot_bytes, change_bytes, materialized_upto FROM documents "
            "WHERE doc_id = ?", (doc_id,)).fetchone()
        snapshot_bytes, change_bytes, upto = row if row else (0, 0, None)
        # the rows reflect every chunk the document was edited from (none came in unseen)
        in_step = upto is not None and self._docs.get(doc_id, (None, None))[1] == upto
        if kind == "snapshot":
            snapshot_bytes += len(data)
        else:
            change_bytes += len(data)
        if change_bytes > max(snapshot_bytes, COMPACT_MIN_BYTES):
            chunk_id, snapshot_bytes = self._snapshot_in_place(doc_id, doc)
            change_bytes = 0
        elif change_bytes:
            self._grown.add(doc_id)
        self._cache(doc_id, doc, chunk_id)
        if not (in_step and written and self._rewrite_own(doc_id, doc, written)):
            self._materialize(doc_id, doc, rows, fresh or row is None)
        # changed in place (INSERT OR REPLACE moved the row: more pages written to the WAL)
        conn.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE "
            "SET heads = excluded.heads, materialized_upto = excluded.materialized_upto, "
            "snapshot_bytes = excluded.snapshot_bytes, change_bytes = excluded.change_bytes",
            (doc_id, kind_of(doc_id), ",".join(doc.heads()), chunk_id, snapshot_bytes,
             change_bytes),
        )

    def _snapshot_in_place(self, doc_id: str, doc: AutomergeDoc) -> tuple[int, int]:
        """Replace the document's chunks with one snapshot of `doc` (as stored now): the
        new chunk's id and size."""
        snapshot = doc.save()
        self.db.conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        chunk_id = self.db.conn.execute(
            "INSERT INTO chunks (doc_id, kind, data) VALUES (?, 'snapshot', ?)",
            (doc_id, snapshot)).lastrowid
        self._grown.discard(doc_id)
        return chunk_id, len(snapshot)

    def grown(self) -> list[str]:
        """Documents stored with change chunks after their snapshot (what `compact`
        rewrites): those this program wrote first, then any other."""
        held = [doc_id for doc_id, in self.db.conn.execute(
            "SELECT doc_id FROM documents WHERE change_bytes > 0")]
        mine = self._grown.intersection(held)
        return [*mine, *(doc_id for doc_id in held if doc_id not in mine)]

    def compact(self, doc_ids: Iterable[str] | None = None, *, limit: int | None = None,
                wait: float | None = None) -> int:
        """Rewrite each document (of `doc_ids`, else every one) stored with change chunks
        as one snapshot, `COMPACT_BATCH` to a transaction: the same document, loaded in
        half the time and sent as it is to a peer that lacks it. What idle moments do (the
        app after a quiet spell, `close`, the end of a demo's build), so that a save only
        appends its change. A document whose rows lag its chunks (written by another
        program, not yet refreshed) is left as it is. Returns how many were compacted."""
        with self._lock:
            pending = list(self.grown() if doc_ids is None else doc_ids)[:limit]
        done = 0
        for start in range(0, len(pending), COMPACT_BATCH):
            with self.transaction(wait=wait):
                for doc_id in pending[start:start + COMPACT_BATCH]:
                    done += self._compact_one(doc_id)
        return done

    def _compact_one(self, doc_id: str) -> bool:
        stored = self.db.conn.execute(
            "SELECT materialized_upto, change_bytes FROM documents WHERE doc_id = ?",
            (doc_id,)).fetchone()
        if stored is None or not stored[1]:
            self._grown.discard(doc_id)
            return False
        try:
            doc = self.document(doc_id)
        except DocumentError:  # a damaged chunk: `verify` names it, reindex leaves it out
            return False
        if doc is None or self._docs[doc_id][1] != stored[0]:
            return False
        chunk_id, size = self._snapshot_in_place(doc_id, doc)
        self.db.conn.execute(
            "UPDATE documents SET materialized_upto = ?, snapshot_bytes = ?, change_bytes = 0 "
            "WHERE doc_id = ?", (chunk_id, size, doc_id))
        self._cache(doc_id, doc, chunk_id)
        return True

    def _materialize(self, doc_id: str, doc: AutomergeDoc,
                     rows: dict[str, list[dict]] | None = None, fresh: bool = False) -> None:
        """Write the document's query rows: only those that changed, or (`fresh`: no row
        of it is stored, as in a reindex or for a document new here) all of them."""
        rows = rows if rows is not None else rows_for(doc_id, doc.tree())
        _insert_rows(self.db, rows if fresh else {
            table: _replace_changed(self.db.conn, table, doc_id, table_rows)
            for table, table_rows in rows.items()})

    def _rewrite_own(self, doc_id: str, doc: AutomergeDoc, written: dict[str, Any]) -> bool:
        """Write the rows of this device's own change to an organization with no conflict
        (`written`: its journal fields) from what the change wrote alone; False (nothing
        written) for any other change. They are the rows `rows_for` gives (the tests
        compare them with a reindex): made knowing every journal entry, the change leaves
        no conflict."""
        if kind_of(doc_id) is not DocKind.ORG:
            return False
        org = self.db.conn.execute("SELECT id, conflict_count, last_month, last_score10 FROM "
                                   "organizations WHERE doc_id = ?", (doc_id,)).fetchone()
        if org is None or org[1]:
            return False
        return (self._rewrite_scores(doc_id, org, written)
                or self._rewrite_tables(doc_id, doc, written))

    def _rewrite_tables(self, doc_id: str, doc: AutomergeDoc, written: dict[str, Any]) -> bool:
        """The rows of the tables made from the containers the change wrote, from those
        containers alone (a document's journal and years of scores are not read for a
        waiver)."""
        tables = org_tables_made_from({field.partition("/")[0] for field in written})
        if tables is None:
            return False
        containers = {container for table in tables
                      for container in ORG_TABLE_CONTAINERS[table]}
        rows = org_rows(doc_id, {container: doc.tree((container,)) for container in containers},
                        tables)
        _insert_rows(self.db, {table: _replace_changed(self.db.conn, table, doc_id, rows[table])
                               for table in tables})
        return True

    def _rewrite_scores(self, doc_id: str, org: tuple, written: dict[str, Any]) -> bool:
        """The rows of a change that wrote only monthly scores: its months' `scores` rows
        and the organization's latest score, by SQL (`org`: its id, conflict count and
        latest score); False (nothing written) for any other change."""
        if not all(field.count("/") == 1 and field.startswith("scores/")
                   and (stored is None or isinstance(stored, str))
                   for field, stored in written.items()):
            return False
        conn = self.db.conn
        org_id = org[0]
        months = {field.partition("/")[2]: stored for field, stored in written.items()}
        columns = ", ".join(SCORE_COLUMNS)
        now = {row[1]: row for row in conn.execute(
            f"SELECT {columns} FROM scores WHERE org_id = ? AND month IN "
            f"({', '.join('?' * len(months))})", (org_id, *months))}
        conn.executemany("DELETE FROM scores WHERE org_id = ? AND month = ?",
                         [(org_id, month) for month, stored in months.items()
                          if stored is None and month in now])
        fresh = []
        for month, stored in months.items():
            if stored is None:
                continue
            row = score_row(org_id, month, stored)
            if month not in now:
                fresh.append((*row.values(), doc_id))
                continue
            # only the columns that differ: an index none of them is in is left as it is
            # (setting every column rewrote all four B-trees' pages into the WAL)
            changed = {column: value for (column, value), old in zip(row.items(), now[month])
                       if value != old}
            if changed:
                conn.execute(f"UPDATE scores SET {', '.join(f'{c} = ?' for c in changed)} "
                             "WHERE org_id = ? AND month = ?", (*changed.values(), org_id, month))
        conn.executemany(f"INSERT INTO scores ({columns}, doc_id) "
                         f"VALUES ({', '.join('?' * (len(SCORE_COLUMNS) + 1))})", fresh)
        latest = conn.execute("SELECT month, score10 FROM scores WHERE org_id = ? "
                              "ORDER BY month DESC LIMIT 1", (org_id,)).fetchone() or (None, None)
        if tuple(latest) != tuple(org[2:]):
            conn.execute("UPDATE organizations SET last_month = ?, last_score10 = ? WHERE id = ?",
                         (*latest, org_id))
        return True

    # -- keeping the query tables true -------------------------------------

    def refresh(self) -> list[str]:
        """Re-materialize documents whose chunks arrived behind our back (a document whose
        chunks are damaged is left as it is: `verify` names it)."""
        stale = self.db.conn.execute(
            """SELECT c.doc_id, d.heads FROM chunks c
               LEFT JOIN documents d ON d.doc_id = c.doc_id
               GROUP BY c.doc_id
               HAVING d.doc_id IS NULL OR max(c.id) > d.materialized_upto"""
        ).fetchall()
        if not stale:
            return []
        with self.transaction():
            return [doc_id for doc_id, recorded_heads in stale
                    if self._rematerialize(doc_id, unless_heads=recorded_heads)]

    def _rematerialize(self, doc_id: str, unless_heads: str | None = None) -> bool:
        """Load a document from its chunks and record it; its rows are replaced unless its
        heads are `unless_heads` (already reflected). False when it does not load."""
        self._docs.pop(doc_id, None)
        stored = self._chunks(doc_id)
        if stored is None:
            return False
        data, upto, sizes = stored
        try:
            doc = AutomergeDoc.load(data, self.identity.actor)
        except DocumentError:  # a damaged chunk
            return False
        heads = ",".join(doc.heads())
        if heads != unless_heads:
            self._materialize(doc_id, doc)
        self._record_document(doc_id, heads, upto, sizes)
        self._cache(doc_id, doc, upto)
        return heads != unless_heads

    def _chunks(self, doc_id: str) -> tuple[bytes, int, dict[str, int]] | None:
        """A document's chunks joined, the last one's id and the bytes of each kind; None
        when its id is damaged or no chunk is left (a damaged index names it)."""
        try:
            kind_of(doc_id)
        except ValueError:
            return None
        rows = self.db.conn.execute(
            "SELECT id, kind, data FROM chunks WHERE doc_id = ? ORDER BY id", (doc_id,)
        ).fetchall()
        if not rows:
            return None
        sizes = {"snapshot": 0, "changes": 0}
        for _id, kind, data in rows:
            sizes[kind] += len(data)
        return b"".join(data for _id, _kind, data in rows), rows[-1][0], sizes

    def _record_document(self, doc_id: str, heads: str, upto: int,
                         sizes: dict[str, int]) -> None:
        self.db.conn.execute(
            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?)",
            (doc_id, kind_of(doc_id), heads, upto, sizes["snapshot"], sizes["changes"]))

    def remove_documents(self, doc_ids: list[str]) -> None:
        """Remove documents from this replica (what a field device no longer needs), with
        their rows, in one transaction. The replica takes a new index ID, so that every
        peer forgets what it recorded about it and learns again what it holds."""
        with self.transaction():
            conn = self.db.conn
            for start in range(0, len(doc_ids), 500):
                batch = doc_ids[start:start + 500]
                marks = ",".join("?" * len(batch))
                for table in (*QUERY_TABLES, "chunks", "documents"):
                    conn.execute(f"DELETE FROM {table} WHERE doc_id IN ({marks})", batch)
            conn.execute("INSERT OR REPLACE INTO replica_meta VALUES ('index_id', ?)",
                         (secrets.token_hex(8),))
            for doc_id in doc_ids:
                self._docs.pop(doc_id, None)

    def _rebuild_query_tables(self) -> None:
        """This build's query tables, filled from the documents (a replica made by a build
        with other tables: the rows are derived, so nothing is lost)."""
        with self.transaction():
            self.db.conn.execute("INSERT OR REPLACE INTO replica_meta VALUES ('query_schema', ?)",
                                 (QUERY_SCHEMA,))
            self.reindex()

    def doc_ids(self) -> list[str]:
        return [row[0] for row in self.db.conn.execute(
            "SELECT DISTINCT doc_id FROM chunks ORDER BY doc_id")]

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild every query table and the documents bookkeeping from the chunks alone
        (many documents are made into rows on every core: `parallel`); a document whose
        chunks are damaged is left out (`verify` names it). Returns how many documents
        were rebuilt."""
        with self.transaction():
            recreate_query_tables(self.db.conn, indexes=False)
            self.db.conn.execute("DELETE FROM documents")
            self._docs.clear()
            doc_ids = self.doc_ids()
            stored: dict[str, tuple[int, dict[str, int]]] = {}

            def documents() -> Iterator[tuple[str, bytes]]:
                for doc_id in doc_ids:
                    found = self._chunks(doc_id)
                    if found is not None:
                        stored[doc_id] = found[1:]
                        yield doc_id, found[0]

            rebuilt, done, batch = 0, 0, RowBatch()
            made = parallel.made_into_rows(documents(), len(doc_ids), self.identity.actor)
            for heads, groups in made:
                batch.extend(groups, len(heads))
                for doc_id, doc_heads in heads:
                    if doc_heads is not None:
                        self._record_document(doc_id, doc_heads, *stored[doc_id])
                        rebuilt += 1
                if batch.documents >= REINDEX_BATCH:
                    batch.flush(self.db.conn)
                done += len(heads)
                if progress:
                    progress(done, len(doc_ids))
            batch.flush(self.db.conn)
            create_query_indexes(self.db.conn)
        return rebuilt

    def dump_query_tables(self) -> dict[str, list[tuple]]:
        """Every query table's rows, sorted: what `verify` and tests compare."""
        return dump_query_tables(self.db.conn)

    def verify(self) -> list[Problem]:
        """What is damaged in the file, and what can be recovered (see `check`); empty
        when the replica is sound. Reads committed data through a connection of its own."""
        conn = sqlite3.connect(str(self.path))
        try:
            return problems(conn)
        finally:
            conn.close()

    def backup(self, out: Path, progress: Callable[[int, int], None] | None = None) -> None:
        """A consistent copy of the whole replica while it is in use (SQLite's online
        backup), written beside `out`, fsynced and renamed into place. When it cannot be
        written (a full disk) nothing is left behind: `out` is untouched. `progress(done,
        total)` hears the pages copied after each step of `BACKUP_PAGES`."""
        temporary = out.with_name(f".{out.name}.partial")
        leftovers = [temporary, temporary.with_name(temporary.name + "-journal")]
        report = (lambda _status, remaining, total: progress(total - remaining, total)
                  ) if progress else None
        try:
            target = sqlite3.connect(str(temporary))
            try:
                with self._lock:
                    self.db.conn.backup(target, pages=BACKUP_PAGES if progress else -1,
                                        progress=report)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temporary, out)
        except (OSError, sqlite3.Error) as error:
            for path in leftovers:
                path.unlink(missing_ok=True)
            raise ReplicaError("Cannot write the backup to {path}: {error}", path=str(out),
                               error=failure_text(error)) from None

    def set_keys(self, private_key_pem: str, bundle_key_pem: str) -> None:
        """Store this device's private keys (e.g. now protected by a passphrase)."""
        with self.transaction():
            self.db.conn.executemany("INSERT OR REPLACE INTO replica_meta VALUES (?, ?)",
                                     [("private_key", private_key_pem),
                                      ("bundle_key", bundle_key_pem)])
        self.identity = dataclasses.replace(self.identity, private_key_pem=private_key_pem,
                                            bundle_key_pem=bundle_key_pem)

    def new_incarnation(self) -> None:
        """Take a fresh Automerge actor and index ID (after a restore): no change collides,
        and peers stop trusting what they recorded about this replica's past self. The
        incarnation is random, so restoring one backup twice still gives two actors."""
        incarnation = secrets.randbelow(2**32 - 1) + 1
        actor = actor_for(self.identity.device_id, incarnation)
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO replica_meta VALUES (?, ?)",
                [("incarnation", str(incarnation)), ("actor", actor.hex()),
                 ("index_id", secrets.token_hex(8))],
            )
        self.identity = self.identity.with_actor(actor)
        self._docs.clear()

    def meta(self, key: str) -> str | None:
        row = self.db.conn.execute("SELECT value FROM replica_meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None


def _insert_rows(db: sqlite_utils.Database, rows: dict[str, list[dict]]) -> None:
    """Insert materialized rows (scalars only) with one prepared statement per table: a
    save re-inserts its document's rows, so sqlite-utils' per-value inspection showed."""
    batch = RowBatch()
    batch.add(rows)
    batch.flush(db.conn)


class RowBatch:
    """Materialized rows of one or many documents, inserted together: one `executemany`
    per table and set of columns."""

    def __init__(self) -> None:
        self.documents = 0
        self._groups: Groups = {}

    def add(self, rows: dict[str, list[dict]]) -> None:
        self.documents += 1
        grouped(rows, self._groups)

    def extend(self, groups: Groups, documents: int) -> None:
        """Add the rows of `documents` documents grouped already (see `grouped`)."""
        self.documents += documents
        for key, values in groups.items():
            self._groups.setdefault(key, []).extend(values)

    def flush(self, conn: sqlite3.Connection) -> None:
        insert_groups(conn, self._groups)
        self._groups.clear()
        self.documents = 0


def insert_groups(conn: sqlite3.Connection, groups: Groups) -> None:
    """Insert rows grouped by table and columns (see `grouped`): one `executemany` each."""
    for (table, columns), values in groups.items():
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                         f"VALUES ({', '.join('?' * len(columns))})", values)


_ABSENT = object()  # a column a row does not name: never equal to what is stored


def _replace_changed(conn: sqlite3.Connection, table: str, doc_id: str,
                     table_rows: list[dict]) -> list[dict]:
    """Delete the rows of `doc_id` in `table` that are not among `table_rows`; return the
    rows to insert. A save touches one record of a document: rewriting all of its rows
    made every commit write pages for each of them (and their indexes). A row matches only
    when it gives every column the value stored, so anything else is written again."""
    stored = conn.execute(f"SELECT rowid, * FROM {table} WHERE doc_id = ?", (doc_id,))
    columns = [description[0] for description in stored.description][1:]
    unchanged: dict[tuple, list[int]] = {}
    for rowid, *values in stored:
        unchanged.setdefault(tuple(values), []).append(rowid)
    fresh = []
    for row in table_rows:
        same = unchanged.get(tuple(row.get(column, _ABSENT) for column in columns))
        if same:
            same.pop()
        else:
            fresh.append(row)
    conn.executemany(f"DELETE FROM {table} WHERE rowid = ?",
                     [(rowid,) for rowids in unchanged.values() for rowid in rowids])
    return fresh



def dump_query_tables(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every query table's rows in a stable order."""
    return {
        table: sorted((tuple(row) for row in conn.execute(f"SELECT * FROM {table}")), key=repr)
        for table in QUERY_TABLES
    }

