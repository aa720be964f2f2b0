"""`restore --replace` and `demo --replace` while the app or a sync server has the replica open.

Before, the file and its -wal/-shm were swapped under the open processes: a save in the app
returned OK and was lost with the old file, and `sync serve` kept writing to a deleted
inode. Now every process that opens a replica holds a shared lock on it (noting its
process id and command); replacing the file needs the lock exclusively and is refused,
naming the holders, while anyone has it open. Any number of processes still open the
replica side by side.
"""

from __future__ import annotations

import os
import shutil
import signal

import pytest

from incubator.store import queries
from incubator.store.commands import ScoreEntry, Store
from incubator.store.files import ReplicaInUse
from incubator.store.home import replica_path
from incubator.store.replica import ReplicaError

from ..conftest import NOW
from .test_crash import cli, free_port, serve

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}


@pytest.fixture
def replica_with_backup(store, isolated_home, tmp_path):
    """A replica with one organization, a backup of it, and a score saved after the backup."""
    org = store.add_org("书画社", "culture", "阳光孵化中心", entered="2001-01-01")
    store.backup(tmp_path / "replica.backup")
    store.set_scores([ScoreEntry(org, "2026-10", FULL, "after the backup")])
    store.close()
    return isolated_home, org, tmp_path / "replica.backup"


def index_id(home) -> str:
    store = Store.open(home, clock=lambda: NOW)
    try:
        return store.replica.meta("index_id")
    finally:
        store.close()


class TestRefusedWhileOpen:
    def test_restore_replace_is_refused_while_sync_serve_holds_the_replica(
            self, replica_with_backup):
        home, org, backup = replica_with_backup
        before = index_id(home)
        server = serve(home, free_port())
        try:
            refused = cli(home, "restore", str(backup), "--replace", check=False)
            assert refused.returncode == 2, refused.stdout + refused.stderr
            assert str(server.pid) in refused.stderr and "sync serve" in refused.stderr
            assert "Traceback" not in refused.stderr
            demo = cli(home, "demo", "--replace", "--no-tui", check=False)
            assert demo.returncode == 2 and str(server.pid) in demo.stderr
            # the CLI beside the server reads and writes as before
            cli(home, "score", "set", "书画社", "--month", "2026-09",
                *[arg for key in FULL for arg in ("--item", f"{key}=1")])
        finally:
            server.send_signal(signal.SIGINT)
            server.communicate(timeout=30)
        assert index_id(home) == before
        store = Store.open(home, clock=lambda: NOW)
        assert {s["month"] for s in queries.scores(store.db, org_id=org)} == {"2026-09",
                                                                            "2026-10"}
        store.close()
        cli(home, "restore", str(backup), "--replace")
        assert index_id(home) != before

    async def test_restore_replace_is_refused_while_the_app_is_open(self, replica_with_backup):
        from incubator.screens.app import IncubatorApp

        home, org, backup = replica_with_backup
        app = IncubatorApp(home, clock=lambda: NOW)
        async with app.run_test(size=(120, 40)):
            refused = cli(home, "restore", str(backup), "--replace", check=False)
            assert refused.returncode == 2, refused.stdout + refused.stderr
            assert f"进程 {os.getpid()}" in refused.stderr
            app.store.set_scores([ScoreEntry(org, "2026-08", FULL, "in the app")])
        store = Store.open(home, clock=lambda: NOW)
        assert "2026-08" in {s["month"] for s in queries.scores(store.db, org_id=org)}
        store.close()

    def test_several_processes_hold_the_replica_side_by_side(self, replica_with_backup):
        home, org, backup = replica_with_backup
        first = Store.open(home, clock=lambda: NOW)
        second = Store.open(home, clock=lambda: NOW)
        cli(home, "score", "set", "书画社", "--month", "2026-07",
            *[arg for key in FULL for arg in ("--item", f"{key}=2")])
        first.set_scores([ScoreEntry(org, "2026-06", FULL)])
        second.set_scores([ScoreEntry(org, "2026-05", FULL)])
        with pytest.raises(ReplicaInUse, match=str(os.getpid())):
            Store.restore(backup, home, replace=True, clock=lambda: NOW)
        first.close()
        with pytest.raises(ReplicaInUse):
            Store.restore(backup, home, replace=True, clock=lambda: NOW)
        second.close()
        restored = Store.restore(backup, home, replace=True, clock=lambda: NOW)
        assert queries.scores(restored.db, org_id=org) == []
        assert restored.verify() == []
        restored.close()


class TestSwappedBehindItsBack:
    def test_a_process_whose_file_was_replaced_refuses_to_write(self, replica_with_backup,
                                                                tmp_path):
        """A copy over the replica by other means (a file manager, `cp`): the open store
        stops writing with a clear error instead of saving into the old file."""
        home, org, backup = replica_with_backup
        store = Store.open(home, clock=lambda: NOW)
        swapped = tmp_path / "swapped.sqlite"
        shutil.copyfile(backup, swapped)
        os.replace(swapped, replica_path(home))
        with pytest.raises(ReplicaError, match="was replaced or removed"):
            store.set_scores([ScoreEntry(org, "2026-04", FULL)])
        store.close()
        reopened = Store.open(home, clock=lambda: NOW)
        assert queries.scores(reopened.db, org_id=org) == []
        reopened.close()

