"""USB bundles: a day of field work there and back, and every way a bundle is refused."""

import dataclasses
import hashlib
import os
import sqlite3

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incubator.store import queries
from incubator.sync.bundle import BundleError
from incubator.store.home import replica_path
from incubator.store.identity import Card, new_identity
from incubator.store.commands import ScoreEntry, Store
from incubator.sync.bundle import format as bundle_format
from incubator.sync.bundle import export_bundle, import_bundle, inspect_bundle

from ..conftest import NOW
from .helpers import hub_and_member, tables

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
LOW = {"plan": 1, "cleanliness": 1, "activities": 1, "archives": 1, "party": 1}


def device(store: Store) -> str:
    return store.replica.identity.device_id


def file_hash(store: Store) -> str:
    conn = sqlite3.connect(replica_path(store.replica.path.parent))
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def residents(store: Store, count: int) -> list[str]:
    hub_id = store.db.conn.execute("SELECT id FROM hubs").fetchone()[0]
    return [store.add_org(f"第{number}社区服务社", "culture", hub_id, entered="2024-01-01")
            for number in range(count)]


@pytest.fixture
def field(tmp_path):
    """A hub with 50 resident organizations, and a field laptop that has only ever seen
    the hub's full bundle (it never touches the network)."""
    hub, laptop = hub_and_member(tmp_path, role="field")
    orgs = residents(hub, 50)
    export_bundle(hub.replica, [device(laptop)], tmp_path / "full.bundle", full=True)
    import_bundle(laptop.replica, tmp_path / "full.bundle")
    yield hub, laptop, orgs
    hub.close()
    laptop.close()


class TestFieldDay:
    def test_a_day_of_field_work_goes_to_the_hub_and_back(self, field, tmp_path):
        hub, laptop, orgs = field
        assert tables(laptop) == tables(hub)
        laptop.set_scores([ScoreEntry(org, "2026-10", FULL) for org in orgs])
        out = export_bundle(laptop.replica, [device(hub)], tmp_path / "day.bundle")
        assert out.documents == 50 and out.changes == 50
        summary = import_bundle(hub.replica, tmp_path / "day.bundle")
        assert (summary.documents, summary.changes, len(summary.organizations)) == (50, 50, 50)
        assert summary.sender_name == "外勤笔记本"
        hub.edit_org(orgs[0], {"contact": "王老师"})
        back = export_bundle(hub.replica, [device(laptop)], tmp_path / "back.bundle")
        assert back.documents == 1
        import_bundle(laptop.replica, tmp_path / "back.bundle")
        assert tables(laptop) == tables(hub)
        assert len(queries.scores(hub.db, month="2026-10")) == 50

    def test_the_return_trip_acknowledges_so_nothing_is_sent_twice(self, field, tmp_path):
        hub, laptop, orgs = field
        laptop.set_scores([ScoreEntry(orgs[0], "2026-10", FULL)])
        export_bundle(laptop.replica, [device(hub)], tmp_path / "1.bundle")
        import_bundle(hub.replica, tmp_path / "1.bundle")
        export_bundle(hub.replica, [device(laptop)], tmp_path / "ack.bundle")
        import_bundle(laptop.replica, tmp_path / "ack.bundle")
        again = export_bundle(laptop.replica, [device(hub)], tmp_path / "2.bundle")
        assert again.documents == 0

    def test_importing_the_same_bundle_twice_changes_nothing(self, field, tmp_path):
        hub, laptop, orgs = field
        laptop.set_scores([ScoreEntry(orgs[1], "2026-10", FULL)])
        export_bundle(laptop.replica, [device(hub)], tmp_path / "b.bundle")
        import_bundle(hub.replica, tmp_path / "b.bundle")
        before = tables(hub)
        second = import_bundle(hub.replica, tmp_path / "b.bundle")
        assert (second.documents, second.changes) == (0, 0) and tables(hub) == before

    def test_bundles_imported_out_of_order_converge(self, field, tmp_path):
        hub, laptop, orgs = field
        laptop.set_scores([ScoreEntry(orgs[2], "2026-09", FULL)])
        export_bundle(laptop.replica, [device(hub)], tmp_path / "first.bundle")
        laptop.set_scores([ScoreEntry(orgs[2], "2026-10", LOW)])
        export_bundle(laptop.replica, [device(hub)], tmp_path / "second.bundle")
        import_bundle(hub.replica, tmp_path / "second.bundle")
        assert import_bundle(hub.replica, tmp_path / "first.bundle").documents == 0
        assert tables(hub) == tables(laptop)

    def test_missing_prerequisites_are_listed_and_that_document_waits(self, tmp_path):
        hub, laptop = hub_and_member(tmp_path, role="field")
        org = residents(hub, 1)[0]
        fresh = Store.join(tmp_path / "fresh", Card.of(hub.replica.identity), "新笔记本",
                           clock=lambda: NOW)
        export_bundle(hub.replica, [device(laptop)], tmp_path / "full.bundle", full=True)
        import_bundle(laptop.replica, tmp_path / "full.bundle")
        export_bundle(laptop.replica, [device(hub)], tmp_path / "ack.bundle")
        import_bundle(hub.replica, tmp_path / "ack.bundle")
        hub.set_scores([ScoreEntry(org, "2026-10", FULL)])
        export_bundle(hub.replica, [device(laptop)], tmp_path / "later.bundle")
        # The laptop restored from a copy made before its first import: same keys, no data.
        fresh.replica.identity = laptop.replica.identity
        fresh.replica.set_keys(laptop.replica.identity.private_key_pem,
                               laptop.replica.identity.bundle_key_pem)
        before = tables(fresh), fresh.replica.document_heads()
        summary = import_bundle(fresh.replica, tmp_path / "later.bundle")
        assert list(summary.refused) == [f"org:{org}"] and summary.documents == 0
        assert "尚未收到的修改" in summary.refused[f"org:{org}"]  # needs changes it lacks
        assert (tables(fresh), fresh.replica.document_heads()) == before
        logged = fresh.db.conn.execute("SELECT event, doc_id FROM sync_log").fetchall()
        # the refusal, then the contact: a genuine bundle from the hub arrived, whatever
        # of it could be merged (the sync screen shows the hub as U盘 and when)
        assert logged == [("refused", f"org:{org}"), ("bundle", None)]
        assert fresh.replica.pending_acks([device(hub)]) == []  # not acknowledged
        # Once the earlier bundle is in, the same bundle imports.
        import_bundle(fresh.replica, tmp_path / "full.bundle")
        assert import_bundle(fresh.replica, tmp_path / "later.bundle").refused == {}
        assert tables(fresh) == tables(hub)


class TestInspect:
    def test_a_recipient_sees_sender_and_recipients_others_only_date_and_size(self, field,
                                                                             tmp_path):
        hub, laptop, _orgs = field
        export_bundle(laptop.replica, [device(hub)], tmp_path / "b.bundle")
        seen = inspect_bundle(tmp_path / "b.bundle", hub.replica)
        assert seen["sender_name"] == "外勤笔记本" and seen["readable"]
        assert [r["device_id"] for r in seen["recipients"]] == [device(hub)]
        hidden = inspect_bundle(tmp_path / "b.bundle", None)
        assert set(hidden) == {"path", "bytes", "created", "recipients_count"}
        raw = (tmp_path / "b.bundle").read_bytes()
        for secret in (device(hub), device(laptop), "外勤笔记本".encode()):
            assert (secret.encode() if isinstance(secret, str) else secret) not in raw


@pytest.fixture
def sealed(field, tmp_path):
    """A bundle from the laptop to the hub, and the hub's replica fingerprint before."""
    hub, laptop, orgs = field
    laptop.set_scores([ScoreEntry(org, "2026-10", FULL) for org in orgs[:5]])
    path = tmp_path / "sealed.bundle"
    export_bundle(laptop.replica, [device(hub)], path)
    return hub, laptop, path, file_hash(hub)


def refused(store: Store, path, before: str, match: str) -> None:
    with pytest.raises(BundleError, match=match):
        import_bundle(store.replica, path)
    assert file_hash(store) == before


class TestRefusals:
    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def test_a_bundle_truncated_at_any_byte_is_refused(self, sealed, tmp_path, data):
        hub, _laptop, path, before = sealed
        raw = path.read_bytes()
        cut = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
        short = tmp_path / "short.bundle"
        short.write_bytes(raw[:cut])
        refused(hub, short, before, "damaged|not a sync bundle|not addressed")

    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def test_any_flipped_bit_is_refused(self, sealed, tmp_path, data):
        hub, _laptop, path, before = sealed
        raw = bytearray(path.read_bytes())
        position = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
        raw[position] ^= 1 << data.draw(st.integers(min_value=0, max_value=7))
        flipped = tmp_path / "flipped.bundle"
        flipped.write_bytes(bytes(raw))
        refused(hub, flipped, before, "damaged|not a sync bundle|not addressed")

    def test_a_bundle_for_another_device_is_refused(self, sealed, tmp_path):
        hub, laptop, path, _before = sealed
        refused(laptop, path, file_hash(laptop), "not addressed to this device")

    def test_a_sender_outside_the_network_is_refused(self, field, tmp_path):
        hub, _laptop, _orgs = field
        stranger = Store.init(tmp_path / "stranger", "陌生中心", clock=lambda: NOW)
        stranger.add_member(Card.of(hub.replica.identity), "hub")
        export_bundle(stranger.replica, [device(hub)], tmp_path / "s.bundle", full=True)
        refused(hub, tmp_path / "s.bundle", file_hash(hub), "not a member")

    def test_a_signature_by_someone_else_than_the_named_sender_is_refused(self, sealed,
                                                                          tmp_path):
        hub, laptop, _path, before = sealed
        laptop.set_scores([ScoreEntry(org["id"], "2026-09", FULL)
                           for org in queries.organizations(laptop.db, limit=3)])
        stranger_key = new_identity("伪造者").private_key_pem
        laptop.replica.identity = dataclasses.replace(laptop.replica.identity,
                                                      private_key_pem=stranger_key)
        export_bundle(laptop.replica, [device(hub)], tmp_path / "forged.bundle")
        refused(hub, tmp_path / "forged.bundle", before, "signature")

    def test_a_bundle_re_targeted_to_another_recipient_is_refused(self, sealed, tmp_path):
        hub, _laptop, path, _before = sealed
        other = Store.join(tmp_path / "other", Card.of(hub.replica.identity), "另一台",
                           clock=lambda: NOW)
        hub.add_member(Card.of(other.replica.identity), "hub")
        export_bundle(hub.replica, [device(other)], tmp_path / "o.bundle", full=True)
        import_bundle(other.replica, tmp_path / "o.bundle")
        raw = path.read_bytes()
        # The hub, a recipient, knows the file key and re-wraps it for another device.
        private = serialization.load_pem_private_key(
            hub.replica.identity.bundle_key_pem.encode(), None)
        with open(path, "rb") as handle:
            preamble, header = bundle_format._read_preamble(handle)
        file_key = bundle_format._unwrap(header["stanzas"], private)
        retargeted = bundle_format._preamble([other.replica.identity.bundle_public_key],
                                             file_key, header["created"])
        (tmp_path / "re.bundle").write_bytes(retargeted + raw[len(preamble):])
        refused(other, tmp_path / "re.bundle", file_hash(other), "damaged")

    def test_a_bundle_replayed_after_its_sender_was_revoked_is_refused(self, sealed):
        hub, laptop, path, _before = sealed
        hub.revoke_member(device(laptop))
        refused(hub, path, file_hash(hub), "revoked")

    @pytest.mark.parametrize("content", [b"", b"not a bundle at all\n", b"INCBNDL\x01"])
    def test_files_that_are_not_bundles_are_refused(self, field, tmp_path, content):
        hub, _laptop, _orgs = field
        (tmp_path / "x.bundle").write_bytes(content)
        refused(hub, tmp_path / "x.bundle", file_hash(hub), "not a sync bundle|damaged")

    def test_a_hundred_megabytes_of_noise_is_refused(self, field, tmp_path):
        hub, _laptop, _orgs = field
        noise = tmp_path / "noise.bundle"
        with open(noise, "wb") as handle:
            for _ in range(100):
                handle.write(os.urandom(1024 * 1024))
        refused(hub, noise, file_hash(hub), "not a sync bundle")

    def test_an_export_that_cannot_be_written_leaves_no_file(self, field, tmp_path):
        hub, laptop, _orgs = field
        target = tmp_path / "missing-folder" / "b.bundle"
        with pytest.raises(BundleError, match="Cannot write"):
            export_bundle(hub.replica, [device(laptop)], target)
        assert not target.parent.exists()

    def test_a_recipient_that_is_not_a_member_is_refused(self, field, tmp_path):
        hub, _laptop, _orgs = field
        stranger = Store.init(tmp_path / "stranger", "陌生中心", clock=lambda: NOW)
        with pytest.raises(BundleError, match="not a current member"):
            export_bundle(hub.replica, [device(stranger)], tmp_path / "b.bundle")
        assert not (tmp_path / "b.bundle").exists()
