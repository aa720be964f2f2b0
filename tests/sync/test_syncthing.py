"""Two hubs synced through real Syncthing instances on this machine (Debian's 1.19): once
over a direct 127.0.0.1 connection, once only through a private relay, as two routers
would force. A score saved on A appears on B; B's acknowledgement removes A's bundle."""

from __future__ import annotations

import shutil

import pytest

from incubator.store import queries
from incubator.store.commands import ScoreEntry, Store
from incubator.sync.folder import FolderSync, device_folder

from ..conftest import NOW
from .helpers import hub_and_member
from .syncthing import Relay, Syncthing, require, wait_until

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
SECONDS = 60  # for each step: a busy 2-core machine only makes it slower


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    root = tmp_path_factory.mktemp("hubs")
    for store in hub_and_member(root, role="hub", name="西山中心"):
        store.close()
    return root


def exchange(tmp_path, homes, relay: bool) -> None:
    shutil.copytree(homes, tmp_path / "homes")
    a = Store.open(tmp_path / "homes" / "hub", clock=lambda: NOW)
    b = Store.open(tmp_path / "homes" / "西山中心", clock=lambda: NOW)
    box_a, box_b = tmp_path / "box-a", tmp_path / "box-b"
    box_a.mkdir()
    box_b.mkdir()
    mailbox_a, mailbox_b = FolderSync(a.port, box_a), FolderSync(b.port, box_b)
    mailbox_a.prepare()  # the .stignore entries exist before Syncthing's first scan
    mailbox_b.prepare()
    processes = []
    try:
        if relay:
            processes.append(Relay(tmp_path))
        st_a = Syncthing(tmp_path, "a", box_a)
        st_b = Syncthing(tmp_path, "b", box_b)
        for home, peer in ((st_a, st_b), (st_b, st_a)):
            if relay:
                home.configure([peer], listen=processes[0].url, relays=True)
            else:
                home.configure([peer])
        processes += [st_a.start(tmp_path / "a.log"), st_b.start(tmp_path / "b.log")]

        def wait(condition, what):
            wait_until(condition, SECONDS, what, processes)

        own_a = device_folder(a.identity.device_id)
        own_b = device_folder(b.identity.device_id)
        wait(lambda: (box_a / own_b).is_dir(), "b's own folder to reach a")
        org = a.add_org("东湖村书画社", "culture",
                        a.db.conn.execute("SELECT id FROM hubs").fetchone()[0],
                        entered="2024-01-01")
        a.set_scores([ScoreEntry(org, "2026-10", FULL)])
        (box_a / own_a / ".half.bundle.1.partial").write_bytes(b"being written")
        (written,) = mailbox_a.run().written
        wait(lambda: (box_b / written["file"]).exists(), "a's bundle to reach b")
        assert not (box_b / own_a / ".half.bundle.1.partial").exists()  # ignored (.stignore)
        arrived = mailbox_b.run()
        assert [name for name, _summary in arrived.imported] == [written["file"]]
        assert queries.scores(b.db, org_id=org)[0]["month"] == "2026-10"
        (ack,) = arrived.written
        wait(lambda: (box_a / ack["file"]).exists(), "b's acknowledgement to reach a")
        assert mailbox_a.run().removed == [written["file"]]
        wait(lambda: not (box_b / written["file"]).exists(), "the removal to reach b")
        assert a.replica.dump_query_tables() == b.replica.dump_query_tables()
    finally:
        for process in reversed(processes):
            process.stop()
        a.close()
        b.close()


def test_two_hubs_sync_through_syncthing(tmp_path, homes):
    require("syncthing")
    exchange(tmp_path, homes, relay=False)


def test_two_hubs_sync_through_a_private_relay_only(tmp_path, homes):
    require("syncthing", "strelaysrv")
    exchange(tmp_path, homes, relay=True)
