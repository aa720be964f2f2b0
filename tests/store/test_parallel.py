"""Work on worker processes (a reindex, documents new to a replica): what one process
does, and nothing left behind however it stops."""

import os
from pathlib import Path

import pytest

from incubator.demo import build_demo
from incubator.domain.docids import NETWORK
from incubator.store import parallel
from incubator.store.automerge_doc import AutomergeDoc
from incubator.store.commands import Store
from incubator.store.identity import Card, new_identity
from incubator.store.ports import StorageError

from ..conftest import NOW


@pytest.fixture
def demo(isolated_home):
    opened = build_demo(isolated_home, orgs=16, months=15, seed=3, clock=lambda: NOW)
    yield opened
    opened.close()


def on_workers(monkeypatch) -> None:
    """Every reindex from here on runs on two workers, in batches of three documents."""
    monkeypatch.setattr(parallel, "WORKERS_FROM", 1)
    monkeypatch.setattr(parallel, "WORKERS", 2)
    monkeypatch.setattr(parallel, "BATCH", 3)


def add_chunk(store, doc_id: str, data: bytes) -> None:
    store.db.conn.execute("INSERT INTO chunks (doc_id, kind, data) VALUES (?, 'snapshot', ?)",
                          (doc_id, data))
    store.db.conn.commit()


def workers_running() -> list[int]:
    """This process's children that run `incubator.store.parallel`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        parent = next(line.split()[1] for line in status.splitlines()
                      if line.startswith("PPid:"))
        if int(parent) == os.getpid() and b"incubator.store.parallel" in command:
            found.append(int(entry.name))
    return found


def unreadable(doc_id: str) -> bytes:
    """A document that loads but whose rows cannot be made (a score that is not a record)."""
    doc = AutomergeDoc.new(bytes(16))
    with doc.edit() as edit:
        edit.set(("profile", "name"), "坏数据社")
        edit.set(("scores", "2026-01"), 5)
    return doc.save()


class TestReindexOnWorkers:
    def test_the_rows_are_those_of_a_reindex_in_one_process(self, demo, monkeypatch):
        add_chunk(demo, "org:0000000000aa", b"not automerge")  # left out by both
        demo.replica.reindex()
        in_one_process = demo.replica.dump_query_tables()
        problems = [str(problem) for problem in demo.replica.verify()]
        assert problems  # the damaged document, named
        documents = len(demo.replica.doc_ids())
        on_workers(monkeypatch)
        assert demo.replica.reindex() == documents - 1
        assert demo.replica.dump_query_tables() == in_one_process
        assert [str(problem) for problem in demo.replica.verify()] == problems
        assert workers_running() == []

    def test_a_document_whose_rows_cannot_be_made_stops_it_and_changes_nothing(
            self, demo, monkeypatch):
        before = demo.replica.dump_query_tables()
        add_chunk(demo, "org:0000000000bb", unreadable("org:0000000000bb"))
        on_workers(monkeypatch)
        with pytest.raises(parallel.WorkerError, match="TypeError"):
            demo.replica.reindex()
        assert demo.replica.dump_query_tables() == before
        assert workers_running() == []

    def test_stopped_halfway_it_changes_nothing_and_stops_its_workers(self, demo,
                                                                      monkeypatch):
        before = demo.replica.dump_query_tables()
        on_workers(monkeypatch)
        seen = []

        def stop(done: int, total: int) -> None:
            seen.append(done)
            if len(seen) == 2:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            demo.replica.reindex(progress=stop)
        assert seen == [3, 6]
        assert demo.replica.dump_query_tables() == before
        assert demo.replica.verify() == []
        assert workers_running() == []


def as_sent(store) -> list[tuple[str, bytes, list[str]]]:
    """Every document of `store` as a server sends it to a replica that has none: the
    network document first, each as its stored snapshot or `save()`."""
    items = []
    for doc_id in sorted(store.replica.doc_ids(), key=lambda doc_id: doc_id != NETWORK):
        stored = store.replica.stored_snapshot(doc_id)
        if stored is None:
            doc = store.replica.document(doc_id)
            stored = (doc.save(), doc.heads())
        items.append((doc_id, *stored))
    return items


def written_by(actor: bytes, **fields) -> tuple[bytes, list[str]]:
    doc = AutomergeDoc.new(actor)
    with doc.edit() as edit:
        for path, value in fields.items():
            edit.set(tuple(path.split("__")), value)
    return doc.save(), doc.heads()


def arrivals(source) -> list[tuple[str, bytes, list[str]]]:
    """A first clone of `source`, with three documents among them that may not be kept."""
    items = as_sent(source)
    items.insert(3, ("org:0000000000cc", *written_by(
        new_identity("外人").actor, profile__name="冒名社")))  # by no member
    items.insert(5, ("org:0000000000dd", *written_by(
        source.replica.identity.actor, profile__name="坏数据社", scores__2026_01=5)))
    items.insert(7, ("org:0000000000ee", b"not automerge", []))
    return items


def first_contact(source, items, home) -> tuple[list, dict, list]:
    """Each item's outcome, the query tables and the indexes of a new laptop of the
    network of `source` that received `items`."""
    laptop = Store.join(home, Card.of(source.replica.identity), "首次", clock=lambda: NOW)
    try:
        outcomes = [str(outcome) if isinstance(outcome, Exception) else outcome
                    for outcome in laptop.replica.merge_all(items)]
        indexes = sorted(row[0] for row in laptop.db.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
        return outcomes, laptop.replica.dump_query_tables(), indexes
    finally:
        laptop.close()


class TestFirstContactOnWorkers:
    def test_documents_new_here_are_judged_and_kept_as_in_one_process(
            self, demo, tmp_path, monkeypatch):
        items = arrivals(demo)
        in_one_process = first_contact(demo, items, tmp_path / "one")
        on_workers(monkeypatch)
        assert first_contact(demo, items, tmp_path / "workers") == in_one_process
        outcomes, tables, indexes = in_one_process
        refused = [outcome for outcome in outcomes if isinstance(outcome, str)]
        assert len(refused) == 3 and "冒名社" not in str(tables)
        assert len(tables["organizations"]) == 16
        assert any("scores_low" in sql for sql in indexes)  # built again after the rows
        assert workers_running() == []

    def test_a_full_disk_stops_it_with_nothing_kept_and_no_worker_left(
            self, demo, tmp_path, monkeypatch):
        """The disk fills while the rows made on workers go in: the disk's error, not one
        document's refusal, and nothing of the batch stays."""
        laptop = Store.join(tmp_path / "full", Card.of(demo.replica.identity), "首次",
                            clock=lambda: NOW)
        items = as_sent(demo)
        laptop.replica.merge_all(items[:1])  # the network document
        before = laptop.replica.dump_query_tables()
        pages = laptop.db.conn.execute("PRAGMA page_count").fetchone()[0]
        laptop.db.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        on_workers(monkeypatch)
        with pytest.raises(StorageError):
            laptop.replica.merge_all(items[1:])
        laptop.db.conn.execute("PRAGMA max_page_count = 1073741823")
        assert laptop.replica.dump_query_tables() == before
        assert laptop.replica.doc_ids() == [NETWORK]
        assert workers_running() == []
        laptop.close()
