"""The sans-IO protocol between two real replicas, bytes shuttled in memory."""

import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incubator.store import queries
from incubator.store.identity import Card
from incubator.store.commands import ScoreEntry, Store
from incubator.store.replica import ReplicaError
from incubator.sync.protocol import (
    MAX_FRAME, PROTOCOL_VERSION, Frame, FrameDecoder, ProtocolError, encode_frame,
)

from ..conftest import NOW
from .helpers import bypass_local_checks, hub_and_member, org_names, pump, session, tables

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}


def hub_id(store):
    return store.db.conn.execute("SELECT id FROM hubs").fetchone()[0]


@pytest.fixture
def pair(tmp_path):
    hub, member = hub_and_member(tmp_path)
    yield hub, member
    hub.close()
    member.close()


class TestFirstSync:
    def test_a_joined_device_pulls_the_whole_network(self, pair):
        hub, member = pair
        hub.add_org("东湖村书画社", "culture", hub_id(hub), entered="2024-01-01")
        figures = pump(session(member, hub), session(hub, member))
        assert tables(member) == tables(hub)
        assert org_names(member) == ["东湖村书画社"]
        assert member.replica.verify() == []
        assert figures["round_trips"] == 2

    def test_documents_the_peer_lacks_travel_as_snapshots(self, pair):
        hub, member = pair
        a, b = session(member, hub), session(hub, member)
        pump(a, b)
        kinds = {kind for (kind,) in member.db.conn.execute("SELECT kind FROM chunks")}
        assert kinds == {"snapshot"}
        assert b.docs_sent == len(hub.replica.doc_ids())


class TestIncremental:
    def test_an_idle_reconnect_is_one_round_trip_of_a_few_bytes(self, pair):
        hub, member = pair
        pump(session(member, hub), session(hub, member))
        figures = pump(session(member, hub), session(hub, member))
        assert figures["round_trips"] == 1
        assert figures["a"] + figures["b"] <= 200

    def test_an_edit_sends_only_its_change(self, pair):
        hub, member = pair
        org = hub.add_org("东湖村书画社", "culture", hub_id(hub), entered="2024-01-01")
        pump(session(member, hub), session(hub, member))
        hub.set_scores([ScoreEntry(org, "2026-10", FULL)])
        a, b = session(member, hub), session(hub, member)
        figures = pump(a, b)
        assert b.docs_sent == 1
        assert figures["b"] < 1500
        assert queries.scores(member.db, org_id=org)[0]["month"] == "2026-10"
        assert tables(member) == tables(hub)

    def test_what_a_device_received_is_not_echoed_back(self, pair):
        hub, member = pair
        pump(session(member, hub), session(hub, member))
        member.add_org("新村合唱团", "culture", hub_id(member), entered="2024-01-01")
        pump(session(member, hub), session(hub, member))
        assert org_names(hub) == ["新村合唱团"]
        hello = session(hub, member).start()
        assert len(hello) < 100
        figures = pump(session(hub, member), session(member, hub))
        assert figures["round_trips"] == 1 and figures["a"] == len(hello)

    def test_concurrent_edits_to_one_document_merge_both_ways(self, pair):
        hub, member = pair
        org = hub.add_org("东湖村书画社", "culture", hub_id(hub), entered="2024-01-01")
        pump(session(member, hub), session(hub, member))
        hub.edit_org(org, {"contact": "王老师"})
        member.edit_org(org, {"contact": "李老师"})
        pump(session(member, hub), session(hub, member))
        assert tables(member) == tables(hub)
        assert [c["field"] for c in queries.conflicts(hub.db)] == ["profile/contact"]


class TestResumable:
    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(cut=st.integers(min_value=1, max_value=12000))
    def test_a_cut_at_any_byte_leaves_both_valid_and_the_next_sync_finishes(self, tmp_path_factory,
                                                                            cut):
        hub, member = hub_and_member(tmp_path_factory.mktemp("cut"))
        for name in ("东湖村书画社", "新村合唱团", "桥头志愿队"):
            hub.add_org(name, "culture", hub_id(hub), entered="2024-01-01")
        try:
            pump(session(member, hub), session(hub, member), cut_after=cut)
        except ProtocolError:
            pass
        assert member.replica.verify() == [] and hub.replica.verify() == []
        received = len(member.replica.doc_ids())
        b = session(hub, member)
        pump(session(member, hub), b)
        assert tables(member) == tables(hub)
        assert b.docs_sent == len(hub.replica.doc_ids()) - received
        hub.close()
        member.close()


class TestFrames:
    def test_a_frame_round_trips(self):
        frame = encode_frame(Frame.DATA, {"docs": []}, b"payload" * 100)
        decoded = list(FrameDecoder().feed(frame))
        assert decoded == [(Frame.DATA, {"docs": []}, b"payload" * 100)]

    def test_frames_split_at_every_byte_decode_the_same(self):
        frames = encode_frame(Frame.HELLO, {"v": 1}) + encode_frame(Frame.ACK, {"ok": {}})
        decoder = FrameDecoder()
        out = [frame for i in range(len(frames)) for frame in decoder.feed(frames[i:i + 1])]
        assert [kind for kind, _h, _p in out] == [Frame.HELLO, Frame.ACK]

    @pytest.mark.parametrize(("data", "message"), [
        (struct.pack(">I", MAX_FRAME + 1), "out of bounds"),
        (struct.pack(">IBB", 6, 99, 0) + b"\0\0\0\0", "Unknown frame type"),
        (struct.pack(">IBB", 6, 1, 7) + b"\0\0\0\0", "Unknown frame encoding"),
        (struct.pack(">IBB", 6, 1, 1) + b"abcd", "damaged"),
        (struct.pack(">IBB", 7, 1, 0) + b"\0\0\0\1{", "not valid JSON"),
        (struct.pack(">IBB", 8, 1, 0) + b"\0\0\0\2[]", "malformed"),
    ])
    def test_malformed_frames_are_refused(self, data, message):
        with pytest.raises(ProtocolError, match=message):
            list(FrameDecoder().feed(data))

    def test_a_compression_bomb_is_refused(self):
        bomb = zlib.compress(b"\0" * (MAX_FRAME + 10))
        data = struct.pack(">IBB", len(bomb) + 2, Frame.HELLO, 1) + bomb
        with pytest.raises(ProtocolError, match="too large"):
            list(FrameDecoder().feed(data))


class TestRefusals:
    def test_a_frame_before_the_greeting_ends_the_session(self, pair):
        hub, member = pair
        server = session(hub, member)
        with pytest.raises(ProtocolError, match="greeting"):
            list(server.receive(encode_frame(Frame.ACK, {"ok": {}, "refused": {}})))

    def test_data_out_of_turn_changes_nothing(self, pair):
        hub, member = pair
        before = tables(member)
        client = session(member, hub)
        client.start()
        with pytest.raises(ProtocolError, match="out of turn"):
            list(client.receive(encode_frame(Frame.HELLO, {"v": PROTOCOL_VERSION, "index": "x", "known": "",
                                                           "offer": []})
                                + encode_frame(Frame.DATA, {"docs": [], "last": True})))
        assert tables(member) == before

    def test_a_viewer_s_write_is_refused_and_logged(self, tmp_path):
        hub, viewer = hub_and_member(tmp_path, role="viewer")
        pump(session(viewer, hub), session(hub, viewer))
        before = tables(hub)
        org = next(iter(queries.organizations(viewer.db)), None)
        assert org is None
        with pytest.raises(ReplicaError, match="may not"):
            viewer.add_org("假组织", "culture", hub_id(viewer), entered="2024-01-01")
        # A modified client skips its own check: the hub must still refuse.
        bypass_local_checks(viewer)
        viewer.add_org("假组织", "culture", hub_id(viewer), entered="2024-01-01")
        a, b = session(viewer, hub), session(hub, viewer)
        pump(a, b)
        assert tables(hub) == before
        assert len(a.refused) == 1 and "viewer" in a.refused[0]
        logged = hub.db.conn.execute("SELECT event, detail FROM sync_log").fetchall()
        assert [event for event, _d in logged] == ["refused"]
        assert "viewer" in logged[0][1]

    def test_a_field_device_may_not_change_membership(self, tmp_path):
        hub, field = hub_and_member(tmp_path, role="field")
        pump(session(field, hub), session(hub, field))
        bypass_local_checks(field)
        field.revoke_member(hub.replica.identity.device_id)
        before = tables(hub)
        a, b = session(field, hub), session(hub, field)
        pump(a, b)
        assert tables(hub) == before
        assert "field" in a.refused[0]

    def test_a_document_with_malformed_values_is_refused_not_crashed_on(self, pair):
        hub, member = pair
        org = hub.add_org("东湖村书画社", "culture", hub_id(hub), entered="2024-01-01")
        pump(session(member, hub), session(hub, member))
        before = tables(member)
        # A hub running buggy software stores a score as a number, not a JSON string.
        doc = hub.replica.document(f"org:{org}")
        heads = doc.heads()
        with doc.edit() as editor:
            editor.set(("scores", "2026-10"), 5)
        with pytest.raises(ReplicaError, match="malformed"):
            member.replica.merge(f"org:{org}", doc.changes_since(heads), doc.heads())
        assert tables(member) == before and member.replica.verify() == []

    def test_a_field_device_s_scores_are_accepted(self, tmp_path):
        hub, field = hub_and_member(tmp_path, role="field")
        org = hub.add_org("东湖村书画社", "culture", hub_id(hub), entered="2024-01-01")
        pump(session(field, hub), session(hub, field))
        field.set_scores([ScoreEntry(org, "2026-10", FULL)])
        a, _b = session(field, hub), session(hub, field)
        pump(a, _b)
        assert a.refused == []
        assert tables(hub) == tables(field)


class TestMembership:
    def test_a_new_member_s_first_change_arrives_together_with_its_addition(self, tmp_path):
        hub, first = hub_and_member(tmp_path, role="hub", name="第二前台")
        pump(session(first, hub), session(hub, first))
        late = Store.join(tmp_path / "late", Card.of(hub.replica.identity), "第三前台",
                          clock=lambda: NOW)
        hub.add_member(Card.of(late.replica.identity), "hub")
        pump(session(late, hub), session(hub, late))
        late.set_settings({"warning_threshold": "5.5"})
        pump(session(hub, late), session(late, hub))
        a, b = session(first, hub), session(hub, first)
        pump(a, b)
        assert a.refused == [] and b.refused == []
        assert first.settings("2026-12").warning_threshold == 5.5  # from next month on
        assert tables(first) == tables(hub) == tables(late)

    def test_a_member_added_by_a_field_device_is_not_accepted(self, tmp_path):
        hub, field = hub_and_member(tmp_path, role="field")
        pump(session(field, hub), session(hub, field))
        stranger = Store.init(tmp_path / "stranger", "陌生中心", clock=lambda: NOW)
        bypass_local_checks(field)
        field.add_member(Card.of(stranger.replica.identity), "hub")
        a, b = session(field, hub), session(hub, field)
        pump(a, b)
        ids = [m["device_id"] for m in queries.members(hub.db)]
        assert stranger.replica.identity.device_id not in ids
        assert len(a.refused) == 1
