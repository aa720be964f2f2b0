"""Backup and restore under a new actor; private keys protected by a passphrase."""

import asyncio
from datetime import timedelta

import pytest

from incubator.store import queries
from incubator.store.identity import PassphraseError, use_passphrase_source, environment_passphrase
from incubator.store.commands import ScoreEntry, Store
from incubator.sync.bundle import export_bundle
from incubator.sync.transport import SyncServer, sync_with

from ..conftest import NOW
from ..sync.helpers import hub_and_member, pump, session, tables

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}


def hub_id(store):
    return store.db.conn.execute("SELECT id FROM hubs").fetchone()[0]


class TestBackupRestore:
    def test_a_restored_laptop_takes_a_new_actor_and_gets_back_what_it_lost(self, tmp_path):
        hub, laptop = hub_and_member(tmp_path, role="hub")
        org = hub.add_org("东湖村书画社", "culture", hub_id(hub), entered="2024-01-01")
        pump(session(laptop, hub), session(hub, laptop))
        laptop.replica.backup(tmp_path / "laptop.backup")
        old_actor = laptop.replica.identity.actor
        laptop.set_scores([ScoreEntry(org, "2026-10", FULL)])
        pump(session(laptop, hub), session(hub, laptop))
        laptop.close()
        restored = Store.restore(tmp_path / "laptop.backup", tmp_path / "外勤笔记本",
                                 replace=True, clock=lambda: NOW)
        assert restored.replica.identity.actor != old_actor
        assert restored.replica.identity.actor[:12] == old_actor[:12]
        assert queries.scores(restored.db, org_id=org) == []
        pump(session(restored, hub), session(hub, restored))
        assert [s["month"] for s in queries.scores(restored.db, org_id=org)] == ["2026-10"]
        restored.edit_org(org, {"contact": "王老师"})
        pump(session(restored, hub), session(hub, restored))
        assert tables(restored) == tables(hub)
        assert restored.replica.verify() == []

    def test_restoring_one_backup_twice_gives_two_actors(self, store, tmp_path):
        store.replica.backup(tmp_path / "b")
        first = Store.restore(tmp_path / "b", tmp_path / "one", clock=lambda: NOW)
        second = Store.restore(tmp_path / "b", tmp_path / "two", clock=lambda: NOW)
        assert first.replica.identity.actor != second.replica.identity.actor
        assert first.replica.meta("index_id") != second.replica.meta("index_id")

    def test_a_file_that_is_not_a_backup_is_refused(self, store, tmp_path):
        (tmp_path / "junk").write_bytes(b"junk" * 100)
        with pytest.raises(Exception, match="not a replica backup"):
            Store.restore(tmp_path / "junk", tmp_path / "x")
        assert not (tmp_path / "x").exists()

    def test_restore_does_not_overwrite_without_replace(self, store, tmp_path, isolated_home):
        store.replica.backup(tmp_path / "b")
        with pytest.raises(Exception, match="--replace"):
            Store.restore(tmp_path / "b", isolated_home)


@pytest.fixture
def passphrase(monkeypatch):
    monkeypatch.setenv("INCUBATOR_PASSPHRASE", "村里的笔记本2026")
    yield "村里的笔记本2026"
    use_passphrase_source(environment_passphrase)


class TestProtectedKeys:
    def test_keys_are_stored_encrypted(self, store, passphrase):
        store.protect_keys(passphrase)
        stored = store.replica.meta("private_key") + store.replica.meta("bundle_key")
        assert stored.count("BEGIN ENCRYPTED PRIVATE KEY") == 2
        assert "BEGIN PRIVATE KEY" not in stored

    async def test_a_protected_laptop_syncs_with_its_passphrase_only(self, tmp_path, passphrase,
                                                                     monkeypatch):
        hub, laptop = hub_and_member(tmp_path, role="field")
        laptop.protect_keys(passphrase)
        server = SyncServer(hub.replica)
        _host, port = await server.start("127.0.0.1", 0)
        try:
            result = await sync_with(laptop.replica, hub.replica.identity.device_id,
                                     f"127.0.0.1:{port}")
            assert result.error is None and tables(laptop) == tables(hub)
            monkeypatch.setenv("INCUBATOR_PASSPHRASE", "wrong passphrase")
            result = await sync_with(laptop.replica, hub.replica.identity.device_id,
                                     f"127.0.0.1:{port}")
            assert "Wrong passphrase" in result.error or "密码" in result.error
            monkeypatch.delenv("INCUBATOR_PASSPHRASE")
            with pytest.raises(PassphraseError):
                export_bundle(laptop.replica, [hub.replica.identity.device_id],
                              tmp_path / "b.bundle")
            assert not (tmp_path / "b.bundle").exists()
        finally:
            await server.close()

    def test_a_short_passphrase_is_refused(self, store):
        with pytest.raises(PassphraseError):
            store.protect_keys("short")
        assert "ENCRYPTED" not in store.replica.meta("private_key")


class TestWrongClocks:
    async def test_a_laptop_ten_years_off_still_syncs(self, tmp_path):
        hub, laptop = hub_and_member(tmp_path, role="field")
        laptop.replica.clock = lambda: NOW + timedelta(days=3653)
        org = hub.add_org("东湖村书画社", "culture", hub_id(hub), entered="2024-01-01")
        server = SyncServer(hub.replica)
        _host, port = await server.start("127.0.0.1", 0)
        try:
            first = await sync_with(laptop.replica, hub.replica.identity.device_id,
                                    f"127.0.0.1:{port}")
            assert first.error is None
            laptop.edit_org(org, {"notes": "走访：活动室已启用"})
            second = await sync_with(laptop.replica, hub.replica.identity.device_id,
                                     f"127.0.0.1:{port}")
            assert second.error is None and tables(laptop) == tables(hub)
            when = hub.history(org)[0].at
            assert when.startswith("2036-")
        finally:
            await server.close()
