"""What is damaged in a replica file, and what can be recovered (`incubator verify`).

The check trusts nothing in the file: it reads through its own connection, with text that
is not UTF-8 replaced instead of raised, and looks at one table at a time so that one
damaged page is reported as the table it belongs to, not as the end of the check:

- SQLite's own check of each table and its indexes (`PRAGMA integrity_check(table)`);
- this device's identity (`replica_meta`);
- every document, from its chunks: a chunk that cannot be read or does not pass
  Automerge's checksum is named with its document (from the `chunks_doc` index when the
  row itself is unreadable);
- the query tables and the `documents` bookkeeping against what the documents say.

Query tables, indexes and the bookkeeping hold nothing the documents do not: they are
rebuilt by `incubator reindex`. A damaged chunk or identity is lost on this replica; it
comes back from a backup, or from a peer.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass

from ..domain.docids import DocKind, kind_of
from ..domain.errors import N_, Text
from .automerge_doc import AutomergeDoc, DocumentError
from .materialize import rows_for
from .schema import QUERY_SCHEMA, QUERY_TABLES, SYNC_TABLES, create_all

REINDEX = Text(N_("it holds only what the documents say: incubator reindex rebuilds it"))
FROM_A_PEER = Text(N_("what it held is lost on this replica: restore a backup (incubator "
                      "restore FILE --replace), or set this device up again from a hub "
                      "(incubator init --join) and sync"))
NO_ACTOR = b"\x00" * 16  # documents are only read here: any actor will do


@dataclass(frozen=True)
class Problem:
    """One thing found damaged, and what can be done about it."""

    what: Text
    remedy: Text
    damage: bool = False  # SQLite pages are damaged (not only stale rows)

    def render(self, translate=lambda message: message) -> str:
        return Text(N_("{what}: {remedy}"), {"what": self.what, "remedy": self.remedy}
                    ).render(translate)

    def __str__(self) -> str:
        return self.render()


def _tolerant(conn: sqlite3.Connection) -> None:
    conn.text_factory = lambda data: data.decode("utf-8", "replace")


def problems(conn: sqlite3.Connection) -> list[Problem]:
    """Everything damaged in the replica behind `conn` (empty: the replica is sound)."""
    _tolerant(conn)
    try:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:  # (a damaged message)
        return [Problem(Text(N_("The file is damaged beyond reading ({error})"),
                             {"error": str(error)[:200]}), FROM_A_PEER, damage=True)]
    found: list[Problem] = []
    damaged = {table for table in tables if not _sound(conn, table)} | _misdefined(conn)
    found += _identity(conn, "replica_meta" in damaged)
    for table in sorted(damaged - {"replica_meta", "chunks"}):
        found.append(Problem(Text(N_("Table {table} is damaged"), {"table": table}),
                             _remedy(table), damage=True))
    docs, broken = _documents(conn)
    found += [Problem(Text(N_("{record} ({doc_id}): chunk {chunks} is damaged"),
                           {"record": _record_name(conn, doc_id, damaged), "doc_id": doc_id,
                            "chunks": ", ".join(str(c) for c in chunks)}), FROM_A_PEER)
              for doc_id, chunks in sorted(broken.items())]
    if "chunks" in damaged:
        found.append(Problem(Text(N_("Table {table} is damaged"), {"table": "chunks"}),
                             FROM_A_PEER if broken else REINDEX, damage=True))
    found += _stale_tables(conn, docs, set(broken), damaged)
    return found


def _sound(conn: sqlite3.Connection, table: str) -> bool:
    try:
        return [row[0] for row in conn.execute(f'PRAGMA integrity_check("{table}")')] == ["ok"]
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        return False


def _misdefined(conn: sqlite3.Connection) -> set[str]:
    """Tables whose definition (or one of whose indexes') is not this build's: a damaged
    schema page. Query tables of another build are left to the rebuild on open."""
    reference = sqlite3.connect(":memory:")
    create_all(reference)
    wanted = {name: (table, sql) for name, table, sql in reference.execute(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL")}
    reference.close()
    try:
        actual = {name: (table, sql) for name, table, sql in conn.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL")}
        layout = conn.execute(
            "SELECT value FROM replica_meta WHERE key = 'query_schema'").fetchone()
    except sqlite3.DatabaseError:
        return set()
    other_build = layout is None or layout[0] != QUERY_SCHEMA
    return {table for name, (table, sql) in wanted.items()
            if actual.get(name) != (table, sql)
            and not (other_build and table in QUERY_TABLES)}


def _remedy(table: str) -> Text:
    if table in SYNC_TABLES:
        return Text(N_("it holds this device's sync records: incubator reindex starts them "
                       "afresh (the next sync with each peer sends everything again)"))
    return REINDEX


def _identity(conn: sqlite3.Connection, damaged: bool) -> list[Problem]:
    keys = {"schema_version", "device_id", "device_name", "actor", "private_key",
            "bundle_key", "certificate", "bundle_public", "index_id"}
    try:
        meta = dict(conn.execute("SELECT key, value FROM replica_meta"))
    except sqlite3.DatabaseError:
        meta = {}
    if damaged or not keys <= set(meta) or any("\ufffd" in str(meta[k]) for k in keys):
        return [Problem(Text(N_("This device's identity (keys, device ID) is damaged")),
                        FROM_A_PEER, damage=damaged)]
    return []


def _scan(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    """The rows of `sql` up to the first damaged page (nothing after it)."""
    found = []
    try:
        for row in conn.execute(sql):
            found.append(row)
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        pass
    return found


def _valid_doc_id(doc_id: object) -> bool:
    try:
        kind_of(doc_id)
    except (ValueError, TypeError):
        return False
    return True


def chunk_rows(conn: sqlite3.Connection
               ) -> tuple[dict[int, tuple[str, str, bytes]], dict[int, str]]:
    """Every chunk that can be read (id → doc id, kind, data), and the ids of those that
    cannot with their document. The document of a chunk is known twice, by its row and by
    the `chunks_doc` index: when one of them is damaged, the other names it."""
    indexed = dict(_scan(conn, "SELECT id, doc_id FROM chunks INDEXED BY chunks_doc"))
    tabled = dict(_scan(conn, "SELECT id, doc_id FROM chunks"))
    seen = Counter([*indexed.values(), *tabled.values()])
    readable: dict[int, tuple[str, str, bytes]] = {}
    unreadable: dict[int, str] = {}
    for chunk_id in sorted(set(indexed) | set(tabled)):
        named = [doc for doc in (tabled.get(chunk_id), indexed.get(chunk_id))
                 if doc is not None]
        valid = [doc for doc in named if _valid_doc_id(doc)]
        doc_id = max(valid, key=lambda doc: seen[doc]) if valid else named[0]
        try:
            row = conn.execute("SELECT kind, data FROM chunks WHERE id = ?",
                               (chunk_id,)).fetchone()
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            row = None
        if row is None or not valid or not isinstance(row[1], bytes):
            unreadable[chunk_id] = doc_id
        else:
            kind = row[0] if row[0] in ("snapshot", "changes") else "changes"
            readable[chunk_id] = (doc_id, kind, row[1])
    return readable, unreadable


def _documents(conn: sqlite3.Connection) -> tuple[dict[str, AutomergeDoc], dict[str, list[int]]]:
    """Every document that loads, and the damaged chunks of those that do not."""
    readable, unreadable = chunk_rows(conn)
    chunks: dict[str, list[tuple[int, bytes | None]]] = {}
    for chunk_id, (doc_id, _kind, data) in readable.items():
        chunks.setdefault(doc_id, []).append((chunk_id, data))
    for chunk_id, doc_id in unreadable.items():
        chunks.setdefault(doc_id, []).append((chunk_id, None))
    docs: dict[str, AutomergeDoc] = {}
    broken: dict[str, list[int]] = {}
    for doc_id, parts in chunks.items():
        parts.sort()
        missing = [chunk_id for chunk_id, data in parts if data is None]
        try:
            kind_of(doc_id)
            if missing:
                raise DocumentError("unreadable chunks")
            docs[doc_id] = AutomergeDoc.load(b"".join(data for _id, data in parts), NO_ACTOR)
        except (ValueError, DocumentError):
            broken[doc_id] = missing or _failing(parts) or [parts[0][0]]
    return docs, broken


def _failing(parts: list[tuple[int, bytes | None]]) -> list[int]:
    """The chunks that do not load on top of the ones before them (Automerge checks each
    chunk's checksum)."""
    good, bad = b"", []
    for chunk_id, data in parts:
        try:
            AutomergeDoc.load(good + data, NO_ACTOR)
        except DocumentError:
            bad.append(chunk_id)
            continue
        good += data
    return bad


def _record_name(conn: sqlite3.Connection, doc_id: str, damaged: set[str]) -> Text | str:
    """The organization or hub a document holds, by name when the tables still say it."""
    try:
        kind = kind_of(doc_id)
    except ValueError:
        return doc_id
    if kind is DocKind.NETWORK:
        return Text(N_("The network document (members, settings, rubric)"))
    table = {DocKind.ORG: "organizations", DocKind.HUB: "hubs"}.get(kind)
    name = None
    if table and table not in damaged:
        try:
            found = conn.execute(f"SELECT name FROM {table} WHERE doc_id = ?",
                                 (doc_id,)).fetchone()
            name = found[0] if found else None
        except sqlite3.DatabaseError:
            name = None
    return name or doc_id


def _stale_tables(conn: sqlite3.Connection, docs: dict[str, AutomergeDoc], broken: set[str],
                  damaged: set[str]) -> list[Problem]:
    """Query tables (and the documents bookkeeping) that differ from the documents."""
    expected = sqlite3.connect(":memory:")
    create_all(expected)
    for doc_id, doc in docs.items():
        try:
            rows = rows_for(doc_id, doc.tree())
        except Exception:  # a document whose contents no build could have written
            continue
        for table, table_rows in rows.items():
            for row in table_rows:
                columns = ", ".join(row)
                expected.execute(f"INSERT OR REPLACE INTO {table} ({columns}) VALUES "
                                 f"({', '.join('?' * len(row))})", list(row.values()))
    found = []
    for table in QUERY_TABLES:
        if table in damaged:
            continue
        keep = f"doc_id NOT IN ({', '.join('?' * len(broken))})" if broken else "1"
        try:
            actual = sorted(map(tuple, conn.execute(
                f"SELECT * FROM {table} WHERE {keep}", sorted(broken))), key=repr)
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            actual = None
        wanted = sorted(map(tuple, expected.execute(f"SELECT * FROM {table}")), key=repr)
        if actual != wanted:
            found.append(Problem(Text(N_("Table {table} differs from the documents"),
                                      {"table": table}), REINDEX))
    if "documents" not in damaged and _bookkeeping_stale(conn, docs):
        found.append(Problem(Text(N_("Table {table} differs from the documents"),
                                  {"table": "documents"}), REINDEX))
    expected.close()
    return found


def _bookkeeping_stale(conn: sqlite3.Connection, docs: dict[str, AutomergeDoc]) -> bool:
    try:
        recorded = dict(conn.execute("SELECT doc_id, heads FROM documents"))
    except sqlite3.DatabaseError:
        return True
    return any(recorded.get(doc_id) != ",".join(doc.heads()) for doc_id, doc in docs.items())


def damaged_tables(found: list[Problem]) -> bool:
    """Whether SQLite pages are damaged (not only rows that differ from the documents):
    then only a fresh file (`salvage`) repairs the replica."""
    return any(problem.damage for problem in found)


def salvage(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Copy into an empty `target` everything of `source` that is still readable and not
    derived: this device's identity, every readable chunk under its own id (the sequence
    keeps counting from where it was: peers know chunks by these numbers) and the sync
    records. The query tables and the documents bookkeeping are rebuilt from the chunks
    afterwards (`Replica.reindex`)."""
    _tolerant(source)
    create_all(target)
    target.executemany("INSERT OR IGNORE INTO replica_meta VALUES (?, ?)",
                       _scan(source, "SELECT key, value FROM replica_meta"))
    readable, _lost = chunk_rows(source)
    target.executemany("INSERT INTO chunks (id, doc_id, kind, data) VALUES (?, ?, ?, ?)",
                       [(chunk_id, *row) for chunk_id, row in sorted(readable.items())])
    sequence = _scan(source, "SELECT seq FROM sqlite_sequence WHERE name = 'chunks'")
    target.execute("INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES ('chunks', ?)",
                   (max([*(row[0] for row in sequence), *readable, 0]),))
    for table in SYNC_TABLES:
        columns = [row[1] for row in target.execute(f"PRAGMA table_info({table})")]
        names = ", ".join(columns)
        target.executemany(
            f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})",
            _scan(source, f"SELECT {names} FROM {table}"))
