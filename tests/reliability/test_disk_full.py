"""A full disk inside a long-lived process: nothing acknowledged is lost, nothing refused is kept.

The disk fills up without root: `PRAGMA max_page_count` stops the replica's connection
from growing the file by one more page, exactly as a full disk stops SQLite (it reports
"database or disk is full", and may have rolled the transaction back itself). Command-line
processes get a real file-size limit instead (`RLIMIT_FSIZE`, as `ulimit -f` sets it).

Each test fills the disk, writes until a write fails, frees the disk, writes more, closes
and reopens, then checks that `verify` is clean, every acknowledged write is present and
the refused one is not.
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from incubator import i18n
from incubator.domain.errors import DomainError
from incubator.store import queries
from incubator.store.commands import ScoreEntry, StorageError, Store
from incubator.store.home import replica_path
from incubator.store.identity import Card
from incubator.sync.service import SyncService
from incubator.sync.transport import sync_with

from ..conftest import NOW

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
MONTHS = [f"{year}-{month:02d}" for year in range(2001, 2026) for month in range(1, 13)]
UNLIMITED_PAGES = 1073741823


def fill_disk(store: Store, spare_pages: int = 0) -> None:
    """From now on the replica file may grow by `spare_pages` pages at most.

    Pages freed earlier (a compaction deletes change chunks) are reused before the
    file grows, so they are given back first: else a long run of small saves fits.
    """
    conn = store.db.conn
    if conn.execute("PRAGMA freelist_count").fetchone()[0]:
        conn.execute("VACUUM")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}")


def free_disk(store: Store) -> None:
    store.db.conn.execute(f"PRAGMA max_page_count = {UNLIMITED_PAGES}")


def zh(error: DomainError) -> str:
    i18n.set_language("zh")
    return error.render(i18n._)


def memory_matches_file(store: Store) -> None:
    """Every document held in memory has exactly the heads the file records for it."""
    recorded = dict(store.db.conn.execute("SELECT doc_id, heads FROM documents"))
    for doc_id, (doc, _upto) in list(store.replica._docs.items()):
        assert ",".join(doc.heads()) == recorded[doc_id], doc_id


def stored_notes(store: Store) -> dict[tuple[str, str], str]:
    return {(row["org_id"], row["month"]): row["note"] for row in queries.scores(store.db)}


def three_orgs(store: Store) -> list[str]:
    return [store.add_org(f"书画社{number}", "culture", "阳光孵化中心", entered="2001-01-01")
            for number in range(3)]


class TestLongLivedStore:
    """One `Store` kept open across the failure, as the app and `sync serve` hold it."""

    @pytest.mark.parametrize("spare_pages", [0, 1, 2, 3, 5])
    def test_fill_fail_free_write_more_reopen(self, store, isolated_home, spare_pages):
        orgs = three_orgs(store)
        acked: dict[tuple[str, str], str] = {}
        fill_disk(store, spare_pages)
        months = iter(MONTHS)
        refused = None
        for attempt in range(200):
            month = next(months)
            # two organizations in one transaction: two documents, two nested changes
            entries = [ScoreEntry(org, month, FULL, f"n{attempt}-{org}" + "x" * 300)
                       for org in orgs[attempt % 3:][:2]]
            try:
                store.set_scores(entries)
            except StorageError as error:
                refused = entries
                assert "磁盘已满，未保存" in zh(error)
                break
            acked.update({(e.org, e.month): e.note for e in entries})
        assert refused is not None, "the disk never filled up"
        memory_matches_file(store)
        assert store.verify() == []

        free_disk(store)
        for number in range(5):
            entry = ScoreEntry(orgs[number % 3], next(months), FULL, f"after{number}")
            store.set_scores([entry])
            acked[(entry.org, entry.month)] = entry.note
        store.close()

        reopened = Store.open(isolated_home, clock=lambda: NOW)
        assert reopened.verify() == []
        notes = stored_notes(reopened)
        assert {key: notes.get(key) for key in acked} == acked
        assert not {(e.org, e.month) for e in refused} & set(notes)
        reopened.reindex()
        assert stored_notes(reopened) == notes
        reopened.close()

    def test_a_full_disk_while_merging_a_bundle_keeps_nothing_of_it(self, store, tmp_path):
        from incubator.sync.bundle import export_bundle, import_bundle

        org = three_orgs(store)[0]
        laptop = Store.join(tmp_path / "laptop", Card.of(store.identity), "外勤一号",
                            clock=lambda: NOW)
        store.add_member(Card.of(laptop.identity), "field")
        export_bundle(store.port, [laptop.identity.device_id], tmp_path / "out.bundle",
                      full=True)
        import_bundle(laptop.port, tmp_path / "out.bundle")
        laptop.set_scores([ScoreEntry(org, month, FULL, "laptop" + "x" * 400)
                           for month in MONTHS[:40]])
        export_bundle(laptop.port, [store.identity.device_id], tmp_path / "back.bundle")
        before = store.replica.dump_query_tables()
        fill_disk(store)
        with pytest.raises(StorageError):
            import_bundle(store.port, tmp_path / "back.bundle")
        memory_matches_file(store)
        assert store.replica.dump_query_tables() == before
        free_disk(store)
        summary = import_bundle(store.port, tmp_path / "back.bundle")
        assert summary.documents == 1
        assert len(queries.scores(store.db, org_id=org)) == 40
        assert store.verify() == []
        laptop.close()


class TestSyncServe:
    def test_a_server_receiving_sessions_while_the_disk_is_full(self, store, tmp_path):
        """The server keeps serving, each refused session says why, nothing half-stored;
        once there is room the same changes arrive."""
        org = three_orgs(store)[0]
        laptop = Store.join(tmp_path / "laptop", Card.of(store.identity), "外勤一号",
                            clock=lambda: NOW)
        store.add_member(Card.of(laptop.identity), "field")
        events: list[str] = []
        started = threading.Event()
        service = SyncService(store.port, announce=False, on_event=events.append)
        port: dict[str, int] = {}

        def on_started(bound: int) -> None:
            port["number"] = bound
            started.set()

        thread = threading.Thread(
            target=lambda: asyncio.run(service.run("127.0.0.1", 0, on_started)))
        thread.start()
        try:
            assert started.wait(30)
            address = f"127.0.0.1:{port['number']}"
            hub_id = store.identity.device_id

            def sync():
                return asyncio.run(sync_with(laptop.port, hub_id, address))

            assert sync().error is None  # the laptop has the network and the organization
            fill_disk(store)
            sent: list[str] = []
            failed = None
            for month in MONTHS[:60]:
                laptop.set_scores([ScoreEntry(org, month, FULL, "laptop" + "x" * 400)])
                sent.append(month)
                result = sync()
                if result.error:
                    failed = result
                    break
            assert failed is not None, "the hub's disk never filled up"
            assert "磁盘已满" in failed.error
            with pytest.raises(StorageError):
                store.set_scores([ScoreEntry(org, "2026-10", FULL, "hub while full")])
            memory_matches_file(store)
            assert sync().error  # still serving, still refusing with a reason
            free_disk(store)
            again = sync()
            assert again.error is None and again.stats.docs_sent == 1
            store.set_scores([ScoreEntry(org, "2026-10", FULL, "hub after")])
            assert sync().error is None
        finally:
            service.stop()
            thread.join(30)
        assert any("磁盘已满" in line for line in events), events
        store.close()
        reopened = Store.open(store.replica.path.parent, clock=lambda: NOW)
        assert reopened.verify() == [] and laptop.verify() == []
        notes = {row["month"]: row["note"] for row in queries.scores(reopened.db, org_id=org)}
        assert set(sent) <= set(notes) and notes["2026-10"] == "hub after"
        assert reopened.replica.dump_query_tables() == laptop.replica.dump_query_tables()
        reopened.close()
        laptop.close()


def limited(bytes_: int):
    """Run the child with a file-size limit (`ulimit -f`): writes past it fail as on a
    full disk (SIGXFSZ ignored, so the write returns an error instead of killing)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (bytes_, resource.RLIM_INFINITY))

    return apply


def cli(home: Path, *args: str, limit: int | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "incubator.cli", *args],
        env={**os.environ, "INCUBATOR_HOME": str(home)}, capture_output=True, text=True,
        timeout=120, preexec_fn=limited(limit) if limit else None)


ITEMS = [arg for key in FULL for arg in ("--item", f"{key}=2")]


class TestCommandLine:
    @pytest.fixture
    def network(self, store, isolated_home):
        three_orgs(store)
        store.close()
        return isolated_home

    def test_a_save_on_a_full_disk_exits_2_with_a_plain_message(self, network):
        # the shared-memory index needs 32 KiB; the write-ahead log cannot grow past it
        refused = cli(network, "score", "set", "书画社0", "--month", "2026-10", *ITEMS,
                      limit=32 * 1024)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "Traceback" not in refused.stderr and "未保存" in refused.stderr
        saved = cli(network, "score", "set", "书画社0", "--month", "2026-09", *ITEMS)
        assert saved.returncode == 0, saved.stderr
        assert cli(network, "verify").returncode == 0
        listed = cli(network, "--json", "score", "list").stdout
        assert "2026-09" in listed and "2026-10" not in listed

    def test_a_backup_on_a_full_disk_leaves_no_partial_file(self, network, tmp_path):
        out = tmp_path / "usb" / "replica.backup"
        out.parent.mkdir()
        out.write_bytes(b"an older backup")
        size = replica_path(network).stat().st_size
        refused = cli(network, "backup", "--out", str(out), limit=size // 2)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "Traceback" not in refused.stderr and str(out) in refused.stderr
        assert sorted(p.name for p in out.parent.iterdir()) == ["replica.backup"]
        assert out.read_bytes() == b"an older backup"
        assert cli(network, "backup", "--out", str(out)).returncode == 0
        assert cli(tmp_path / "restored", "restore", str(out)).returncode == 0
