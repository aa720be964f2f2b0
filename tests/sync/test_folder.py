"""Sync through a shared folder (`sync folder`): a mailbox of bundles, one device folder each."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from incubator.store import queries
from incubator.store.commands import ScoreEntry, Store
from incubator.store.identity import Card
from incubator.sync.folder import (
    STIGNORE_LINE, FolderError, FolderSync, QuietPeriod, device_folder, filesystem_events,
    watch,
)

from ..conftest import NOW
from .helpers import hub_and_member, tables

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}


def wait_until(condition, seconds: float = 20.0, what: str = "") -> None:
    """Return once `condition()` holds; fail after `seconds`."""
    done = threading.Event()
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        done.wait(0.02)
    raise AssertionError(f"timed out waiting for {what or condition}")


def bundles_of(box: Path, store: Store) -> list[str]:
    folder = box / device_folder(store.identity.device_id)
    return sorted(path.name for path in folder.glob("*.bundle"))


def resident(store: Store, name: str = "桂花社区书画社") -> str:
    hub_id = store.db.conn.execute("SELECT id FROM hubs").fetchone()[0]
    return store.add_org(name, "culture", hub_id, entered="2024-01-01")


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    """Two hubs of one network that have never synced (made once, copied per test)."""
    root = tmp_path_factory.mktemp("pair")
    for store in hub_and_member(root, role="hub", name="西山中心"):
        store.close()
    return root


@pytest.fixture
def pair(homes, tmp_path):
    """The two hubs, and an empty shared folder."""
    shutil.copytree(homes, tmp_path / "homes")
    a, b = (Store.open(tmp_path / "homes" / name, clock=lambda: NOW) for name in ("hub", "西山中心"))
    box = tmp_path / "box"
    box.mkdir()
    yield a, b, box
    a.close()
    b.close()


class TestMailbox:
    def test_a_score_travels_and_the_acknowledgement_removes_the_bundle(self, pair):
        a, b, box = pair
        FolderSync(b.port, box).run()  # b takes part: its own folder appears
        org = resident(a)
        a.set_scores([ScoreEntry(org, "2026-10", FULL)])
        written = FolderSync(a.port, box).run().written
        assert [entry["recipients"] for entry in written] == [["西山中心"]]
        assert (box / ".stignore").read_text().splitlines()[-1] == STIGNORE_LINE
        arrived = FolderSync(b.port, box).run()
        assert [summary.documents for _name, summary in arrived.imported] == [3]
        assert queries.scores(b.db, org_id=org)[0]["month"] == "2026-10"
        assert arrived.written and arrived.written[0]["documents"] == 0  # the acknowledgement
        back = FolderSync(a.port, box).run()
        assert back.removed == [f"{device_folder(a.identity.device_id)}/{written[0]['file'].split('/')[1]}"]
        assert bundles_of(box, a) == [] and len(bundles_of(box, b)) == 1
        # each bundle is imported once, and acknowledging an acknowledgement writes nothing
        for store in (b, a, b):
            again = FolderSync(store.port, box).run()
            assert not again.imported and not again.written
        assert tables(a) == tables(b)

    def test_each_device_writes_only_in_its_own_folder(self, pair):
        a, b, box = pair
        FolderSync(b.port, box).run()
        resident(a)
        FolderSync(a.port, box).run()
        FolderSync(b.port, box).run()
        writers = {path.parent.name for path in box.rglob("*.bundle")}
        assert writers <= {device_folder(a.identity.device_id), device_folder(b.identity.device_id)}
        names = [p.name for p in box.iterdir()]
        assert a.identity.device_id not in "".join(names)  # the folder names no device

    def test_a_member_that_never_opened_the_folder_is_not_written_to(self, pair):
        a, _b, box = pair
        resident(a)
        assert not FolderSync(a.port, box).run().written

    def test_a_half_copied_bundle_is_left_alone_then_imported_once_complete(self, pair, tmp_path):
        a, b, box = pair
        FolderSync(b.port, box).run()
        org = resident(a)
        a.set_scores([ScoreEntry(org, "2026-10", FULL)])
        FolderSync(a.port, box).run()
        (bundle,) = (box / device_folder(a.identity.device_id)).glob("*.bundle")
        whole = bundle.read_bytes()
        before = tables(b)
        for size in (10, len(whole) // 2, len(whole) - 1):  # a network share copying in place
            bundle.write_bytes(whole[:size])
            result = FolderSync(b.port, box).run()
            assert result.incomplete == [f"{bundle.parent.name}/{bundle.name}"]
            assert not result.imported and tables(b) == before
            unchanged = FolderSync(b.port, box).run()  # not tried again until it changes
            assert unchanged.incomplete and not unchanged.imported
        bundle.write_bytes(whole)
        result = FolderSync(b.port, box).run()
        assert [name for name, _summary in result.imported] == [f"{bundle.parent.name}/{bundle.name}"]
        assert queries.scores(b.db, org_id=org)

    def test_bundles_arriving_out_of_order_wait_and_each_carries_only_what_is_new(self, pair,
                                                                                tmp_path):
        a, b, box = pair
        FolderSync(b.port, box).run()
        org = resident(a)
        mailbox = FolderSync(a.port, box)
        first = mailbox.run().written[0]
        a.set_scores([ScoreEntry(org, "2026-10", FULL)])
        second = mailbox.run().written[0]
        assert second["documents"] == 1 and second["bytes"] < first["bytes"]  # not again
        held = tmp_path / "held.bundle"  # the first is late (Syncthing sends in any order)
        shutil.move(box / first["file"], held)
        before = tables(b)
        late = FolderSync(b.port, box).run()
        assert late.waiting == [second["file"]] and tables(b) == before
        assert not late.written  # nothing acknowledged yet
        shutil.move(held, box / first["file"])
        result = FolderSync(b.port, box).run()
        assert sorted(name for name, _ in result.imported) == sorted([first["file"], second["file"]])
        assert queries.scores(b.db, org_id=org) and not result.waiting
        assert sorted(FolderSync(a.port, box).run().removed) == sorted(
            [first["file"], second["file"]])

    def test_a_bundle_that_vanished_unread_is_written_again(self, pair):
        a, b, box = pair
        FolderSync(b.port, box).run()
        org = resident(a)
        lost = FolderSync(a.port, box).run().written[0]
        (box / lost["file"]).unlink()  # someone cleared the folder
        again = FolderSync(a.port, box).run().written
        assert again and again[0]["documents"] == lost["documents"]
        FolderSync(b.port, box).run()
        assert queries.org_row(b.db, org)["name"] == "桂花社区书画社"

    def test_a_bundle_for_other_devices_is_read_once_and_skipped(self, pair, tmp_path):
        a, b, box = pair
        third = Store.join(tmp_path / "third", Card.of(a.identity), "第三台", clock=lambda: NOW)
        a.add_member(Card.of(third.identity), "hub")
        FolderSync(third.port, box).run()
        written = FolderSync(a.port, box).run().written  # b has no folder there yet
        assert written[0]["recipients"] == ["第三台"]
        for _ in range(2):
            assert not FolderSync(b.port, box).run().imported
        assert b.port.folder_files()[written[0]["file"]]["state"] == "foreign"
        third.close()

    def test_a_folder_that_is_not_there_is_refused(self, pair, tmp_path):
        a, _b, _box = pair
        with pytest.raises(FolderError):
            FolderSync(a.port, tmp_path / "not-mounted").run()


class TestWatch:
    def test_a_burst_of_saves_makes_one_bundle_after_the_quiet_period(self, pair):
        a, b, box = pair
        FolderSync(b.port, box).run()
        org = resident(a)
        times = iter([0.0, 1.0, 2.0, 3.0, 4.0, 6.9, 7.1, 8.0])
        now = [0.0]
        written: list[dict] = []

        def events():
            for moment in times:
                now[0] = moment
                if moment <= 4.0:  # a save a second, while nothing arrives
                    a.set_scores([ScoreEntry(org, f"2026-0{int(moment) + 1}", FULL)])
                yield set()
                if moment == 6.9:  # only the first pass's bundle (the organization) so far
                    assert len(written) == 1, "written before the quiet period was over"

        watch(a.port, [box], events(), quiet=3.0, clock=lambda: now[0],
              on_pass=lambda _root, outcome: written.extend(outcome.written))
        assert len(written) == 2  # the first pass's (the organization), then the burst's
        FolderSync(b.port, box).run()
        assert len(queries.scores(b.db, org_id=org)) == 5

    def test_changes_that_never_pause_are_written_all_the_same(self):
        period = QuietPeriod(3.0, longest=30.0)
        for second in range(0, 31, 2):
            period.touch(float(second))
            if second < 30:
                assert not period.due(second + 1.0)
        assert period.due(30.5)

    def test_arrivals_are_imported_at_once(self, pair):
        a, b, box = pair
        mailbox_b = FolderSync(b.port, box)
        mailbox_b.run()
        org = resident(a)
        a.set_scores([ScoreEntry(org, "2026-10", FULL)])
        (written,) = FolderSync(a.port, box).run().written
        passes = []

        def events():
            yield {(1, str(box / written["file"]))}
            assert queries.scores(b.db, org_id=org), "not imported when it arrived"

        watch(b.port, [box], events(), quiet=60.0, clock=lambda: 0.0,
              on_pass=lambda _root, outcome: passes.append(outcome))
        assert passes and passes[-1].imported

    def test_the_real_watcher_imports_what_another_device_writes(self, pair):
        a, b, box = pair
        FolderSync(b.port, box).run()
        home = Path(b.replica.path).parent
        watcher_store = Store.open(home, clock=lambda: NOW)  # the watcher's own connection
        stop = threading.Event()
        thread = threading.Thread(target=watch, args=(watcher_store.port, [box],
                                                      filesystem_events([box], stop)),
                                  kwargs={"quiet": 0.2})
        thread.start()
        try:
            org = resident(a)
            a.set_scores([ScoreEntry(org, "2026-10", FULL)])
            FolderSync(a.port, box).run()
            wait_until(lambda: queries.scores(b.db, org_id=org), what="the score on b")
            wait_until(lambda: bundles_of(box, b), what="b's acknowledgement")
            wait_until(lambda: FolderSync(a.port, box).run().removed or not bundles_of(box, a),
                       what="a's bundle removed")
        finally:
            stop.set()
            thread.join(10)
            watcher_store.close()
        assert not thread.is_alive()
