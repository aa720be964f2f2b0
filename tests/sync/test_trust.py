"""Who may write what, decided alike on every replica whatever the order things arrive in.

The reproductions of issue 10 (a revocation poisoned every document the revoked device
ever wrote; a field device could rename and graduate), each as a user or an attacker
would do it: real replicas, real TLS sessions on 127.0.0.1 or the in-memory pump, real
bundles, and modified clients that skip their own checks (`bypass_local_checks`).
"""

from __future__ import annotations

import json

import pytest
from automerge.core import ROOT, ObjType

from incubator.domain.docids import NETWORK, org_doc
from incubator.store import queries
from incubator.store.automerge_doc import AutomergeDoc
from incubator.store.commands import ActivityEntry, ScoreEntry, Store, VisitEntry
from incubator.store.identity import Card
from incubator.store.replica import ReplicaError
from incubator.sync.bundle import export_bundle, import_bundle
from incubator.sync.transport import SyncServer, sync_with

from ..conftest import NOW
from .helpers import bypass_local_checks, pump, session, tables

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}


def join(hub: Store, root, name: str, role: str) -> Store:
    """A device that joins `hub`'s network with `role` (it holds nothing until it syncs)."""
    device = Store.join(root / name, Card.of(hub.replica.identity), name, clock=lambda: NOW)
    hub.add_member(Card.of(device.replica.identity), role)
    return device


def sync(a: Store, b: Store) -> tuple[list[str], list[str]]:
    """A whole session between `a` and `b` in memory; the refusals each side heard of."""
    left, right = session(a, b), session(b, a)
    pump(left, right)
    return left.refused, right.refused


def device(store: Store) -> str:
    return store.replica.identity.device_id


def hub_id(store: Store) -> str:
    return store.db.conn.execute("SELECT id FROM hubs").fetchone()[0]


def months(store: Store, org: str) -> list[str]:
    """Read on a connection of its own, as the app does: a server still recording the
    session on its thread writes through the store's own connection meanwhile."""
    reader = queries.open_reader(store.replica.path)
    try:
        return sorted(row["month"] for row in queries.scores(reader, org_id=org))
    finally:
        reader.conn.close()


def refusals(store: Store) -> list[str]:
    return [detail for (detail,) in store.db.conn.execute(
        "SELECT detail FROM sync_log WHERE event = 'refused'")]


@pytest.fixture
def network(tmp_path):
    """A hub with 舞蹈队, and a field laptop `rev2` that has synced with it."""
    hub = Store.init(tmp_path / "hub", "东湖孵化园", "东湖前台", clock=lambda: NOW)
    org = hub.add_org("舞蹈队", "culture", hub_id(hub), entered="2024-01-01")
    rev2 = join(hub, tmp_path, "rev2", "field")
    sync(rev2, hub)
    opened = [hub, rev2]
    yield hub, rev2, org, opened
    for store in opened:
        store.close()


class TestARevocationDoesNotPoisonWhatCameBefore:
    async def test_a_laptop_that_joins_after_a_revocation_gets_the_revoked_device_s_work(
            self, network, tmp_path):
        hub, rev2, org, opened = network
        late = join(hub, tmp_path, "late", "field")
        opened.append(late)
        server = SyncServer(hub.replica)
        _host, port = await server.start("127.0.0.1", 0)
        address = f"127.0.0.1:{port}"
        try:
            rev2.set_scores([ScoreEntry(org, "2026-11", FULL)])
            assert (await sync_with(rev2.replica, device(hub), address)).error is None
            assert months(hub, org) == ["2026-11"]
            hub.revoke_member(device(rev2))
            result = await sync_with(late.replica, device(hub), address)
        finally:
            await server.close()
        assert result.error is None and result.stats.refused == []
        assert months(late, org) == ["2026-11"]
        assert refusals(late) == [] and tables(late) == tables(hub)

    def test_a_full_bundle_sets_up_a_new_laptop_after_a_revocation(self, network, tmp_path):
        hub, rev2, org, opened = network
        rev2.set_scores([ScoreEntry(org, "2026-11", FULL)])
        sync(rev2, hub)
        hub.revoke_member(device(rev2))
        late = join(hub, tmp_path, "late", "field")
        opened.append(late)
        export_bundle(hub.replica, [device(late)], tmp_path / "full.bundle", full=True)
        summary = import_bundle(late.replica, tmp_path / "full.bundle")
        assert summary.refused == {}
        assert months(late, org) == ["2026-11"] and tables(late) == tables(hub)

    def test_work_relayed_by_a_hub_that_had_not_heard_of_the_revocation_converges(
            self, network, tmp_path):
        hub, rev2, org, opened = network
        hub2 = join(hub, tmp_path, "hub2", "hub")
        opened.append(hub2)
        sync(hub2, hub)
        sync(rev2, hub2)
        hub.revoke_member(device(rev2))
        rev2.set_scores([ScoreEntry(org, "2026-10", FULL)])
        assert sync(rev2, hub2) == ([], [])  # hub2 has not heard of the revocation yet
        hub2.set_scores([ScoreEntry(org, "2026-09", FULL)])
        assert sync(hub2, hub) == ([], [])
        assert months(hub, org) == ["2026-09", "2026-10"]
        assert tables(hub) == tables(hub2)
        hub2.set_scores([ScoreEntry(org, "2026-08", FULL)])  # and later work still flows
        assert sync(hub2, hub) == ([], [])
        assert months(hub, org) == ["2026-08", "2026-09", "2026-10"]
        assert refusals(hub) == []

    def test_a_revoked_device_s_work_after_it_learned_of_it_is_refused_everywhere(
            self, network, tmp_path):
        hub, rev2, org, opened = network
        hub2 = join(hub, tmp_path, "hub2", "hub")
        opened.append(hub2)
        sync(hub2, hub)
        hub.revoke_member(device(rev2))
        sync(rev2, hub)  # the laptop hears of its revocation (before TLS shuts it out)
        with pytest.raises(ReplicaError, match="revoked"):
            rev2.set_scores([ScoreEntry(org, "2026-11", FULL)])
        bypass_local_checks(rev2)
        rev2.set_scores([ScoreEntry(org, "2026-11", FULL)])
        for peer in (hub2, hub):  # its change records the revocation: refused by a hub
            sent, _received = sync(rev2, peer)  # that had not heard of it, as by any other
            assert len(sent) == 1 and "revoked" in sent[0]
            assert months(peer, org) == []

    def test_a_device_added_again_after_its_revocation_writes_again(self, network, tmp_path):
        hub, rev2, org, _opened = network
        hub.revoke_member(device(rev2))
        sync(rev2, hub)
        hub.add_member(Card.of(rev2.replica.identity), "field")
        sync(rev2, hub)
        rev2.set_scores([ScoreEntry(org, "2026-11", FULL)])
        assert sync(rev2, hub) == ([], [])
        assert months(hub, org) == ["2026-11"]


class TestADocumentWaitsForTheMembershipItWasWrittenUnder:
    def test_a_new_member_s_change_waits_for_its_addition_then_is_kept(self, tmp_path):
        hub = Store.init(tmp_path / "hub", "东湖孵化园", "东湖前台", clock=lambda: NOW)
        org = hub.add_org("舞蹈队", "culture", hub_id(hub), entered="2024-01-01")
        hub2 = join(hub, tmp_path, "hub2", "hub")
        sync(hub2, hub)
        field = join(hub, tmp_path, "field", "field")
        sync(field, hub)
        field.set_scores([ScoreEntry(org, "2026-11", FULL)])
        sync(field, hub)
        # hub2 gets the organization's document alone, before the network change that
        # added the laptop: it waits, exactly like a change whose dependency is missing.
        doc = hub.replica.document(org_doc(org))
        known = hub2.replica.document(org_doc(org)).heads()
        with pytest.raises(ReplicaError, match="does not have yet"):
            hub2.replica.merge(org_doc(org), doc.changes_since(known), doc.heads())
        assert months(hub2, org) == []
        network = hub.replica.document(NETWORK)
        assert hub2.replica.merge(NETWORK, network.save(), network.heads())
        assert hub2.replica.merge(org_doc(org), doc.changes_since(known), doc.heads())
        assert months(hub2, org) == ["2026-11"]
        for store in (hub, hub2, field):
            store.close()


def old_build_change(store: Store, doc_id: str, writes: dict, *, source: Store | None = None,
                     journal_entry: bool = True) -> tuple[bytes, list[str]]:
    """A change by `store`'s device to `doc_id` (as `source` holds it) the way a build
    before this one wrote it: its journal entry records no network heads (or, with
    `journal_entry=False`, there is none). Returns the change bytes and the heads after."""
    doc = AutomergeDoc.load((source or store).replica.document(doc_id).save(),
                            store.replica.identity.actor)
    actor, heads = store.replica.identity.actor_hex, doc.heads()
    seq = int(doc.tree(("clock",)).get(actor, 0)) + 1
    entry = {"at": NOW.isoformat(), "device": device(store), "device_name": "旧版",
             "summary": "Edited {fields}", "params": {"fields": "…"},
             "fields": {"/".join(path): value for path, value in writes.items()},
             "clock": {actor: seq}}
    with doc.edit() as editor:
        for path, value in writes.items():
            editor.set(path, value)
        if journal_entry:
            editor.set(("log", f"{actor}:{seq}"), json.dumps(entry))
            editor.set(("clock", actor), seq)
    return doc.changes_since(heads), doc.heads()


def score_record(month: str) -> dict:
    return {("scores", month): json.dumps({"items": FULL, "total": 10.0, "max_total": 10.0,
                                           "rubric_from": "2020-01", "note": ""})}


class TestChangesFromEarlierBuilds:
    def test_a_since_revoked_member_s_old_change_is_kept_by_every_replica(self, network,
                                                                          tmp_path):
        hub, rev2, org, opened = network
        rev2.replica.merge(org_doc(org), *old_build_change(rev2, org_doc(org),
                                                           score_record("2026-11")))
        hub.revoke_member(device(rev2))
        assert sync(rev2, hub) == ([], [])
        late = join(hub, tmp_path, "late", "field")
        opened.append(late)
        assert sync(late, hub) == ([], [])
        assert months(late, org) == months(hub, org) == ["2026-11"]

    def test_an_old_change_by_a_device_that_never_was_a_member_is_refused(self, network,
                                                                         tmp_path):
        hub, _rev2, org, opened = network
        outsider = Store.init(tmp_path / "outsider", "别的中心", "别处", clock=lambda: NOW)
        opened.append(outsider)
        forged = old_build_change(outsider, org_doc(org), score_record("2026-11"), source=hub)
        with pytest.raises(ReplicaError, match="not a member"):
            hub.replica.merge(org_doc(org), *forged)
        assert months(hub, org) == []

    @pytest.mark.parametrize("journal_entry", [True, False], ids=["entry", "no entry"])
    def test_an_old_change_is_held_to_the_same_paths(self, network, journal_entry):
        hub, rev2, org, _opened = network
        forged = old_build_change(rev2, org_doc(org), {("profile", "name"): "改名社"},
                                  journal_entry=journal_entry)
        with pytest.raises(ReplicaError, match="profile/name"):
            hub.replica.merge(org_doc(org), *forged)
        assert queries.org_row(hub.db, org)["name"] == "舞蹈队"


def test_a_change_is_judged_by_its_own_entry_after_another_wrote_over_it(network, tmp_path):
    """A change's network heads are read from the entry it wrote, not from whatever now
    stands under that entry's key: here a later change wrote heads nobody holds there."""
    hub, _rev2, org, opened = network
    hub.set_scores([ScoreEntry(org, "2026-11", FULL)])
    doc, actor = hub.replica.document(org_doc(org)), hub.replica.identity.actor_hex
    key = max((key for key in doc.keys(("log",)) if key.startswith(actor)),
              key=lambda key: int(key.split(":")[1]))
    entry = json.loads(doc.tree(("log",))[key])
    over = AutomergeDoc.load(doc.save(), hub.replica.identity.actor)
    with over.edit() as editor:
        editor.set(("log", key), json.dumps(dict(entry, net=["ab" * 32])))
    assert hub.replica.merge(org_doc(org), over.changes_since(doc.heads()), over.heads())
    late = join(hub, tmp_path, "late", "hub")
    opened.append(late)
    assert sync(late, hub) == ([], [])
    assert months(late, org) == ["2026-11"]


@pytest.fixture
def field(tmp_path):
    """A hub with a resident organization (with a service-for-rent waiver, and a warning
    case: three low months) and a field laptop that has synced with it."""
    hub = Store.init(tmp_path / "hub", "东湖孵化园", "东湖前台", clock=lambda: NOW)
    org = hub.add_org("舞蹈队", "culture", hub_id(hub), entered="2024-01-01")
    hub.add_waiver(org, "service-for-rent", "2026-01-01", "2026-12-31", 500, hours_per_month=8,
                   approved_by="王主任")
    low = {"plan": 1, "cleanliness": 1, "activities": 1, "archives": 1, "party": 1}
    hub.set_scores([ScoreEntry(org, month, low) for month in ("2026-07", "2026-08", "2026-09")])
    laptop = join(hub, tmp_path, "laptop", "field")
    sync(laptop, hub)
    yield hub, laptop, org
    hub.close()
    laptop.close()


FIELD_MAY = [
    ("a monthly score", lambda s, org: s.set_scores([ScoreEntry(org, "2026-10", FULL)])),
    ("service hours", lambda s, org: s.log_service(org, "2026-10", 6)),
    ("the profile's notes", lambda s, org: s.edit_org(org, {"notes": "走访：活动室已启用"})),
    ("an activity", lambda s, org: s.add_activity(ActivityEntry(
        org, "2026-10-12", "重阳节慰问演出", participants=12))),
    ("a visit with its archive checks", lambda s, org: s.add_visit(VisitEntry(
        org, "2026-10-20", "routine", "活动室整洁", checks=("charter=present",)))),
    ("a training", lambda s, org: s.add_training("2026-10-25", "财务规范培训", [org], 3)),
    ("an archive check", lambda s, org: s.set_archive(org, "minutes", "partial", "缺九月")),
]
HUB_ONLY = [
    ("a new name", "profile/name", lambda s, org: s.edit_org(org, {"name": "改名舞蹈队"})),
    ("a village", "profile/village", lambda s, org: s.edit_org(org, {"village": "白沙村"})),
    ("a contact", "profile/contact", lambda s, org: s.edit_org(org, {"contact": "李老师"})),
    ("a stage change", "profile/stage", lambda s, org: s.edit_org(org, {"stage": "growth"})),
    ("a forced graduation", "profile/stage", lambda s, org: s.graduate(
        org, force=True, reason="提前出壳")),
    ("an exit", "profile/stage", lambda s, org: s.exit_org(org, "搬迁")),
    ("a waiver", "waivers", lambda s, org: s.add_waiver(org, "rent-free", "2026-01-01",
                                                        "2026-06-30", 300,
                                                        approved_by="王主任")),
    ("an interview", "interviews", lambda s, org: s.record_interview(org, note="约谈")),
    ("a review", "reviews", lambda s, org: s.set_review(org, 2025, 90, 90, 90, True)),
    ("a new organization", "profile", lambda s, _org: s.add_org(
        "新舞蹈队", "culture", hub_id(s), entered="2024-01-01")),
]


class TestRolesFinerThanTheDocumentKind:
    @pytest.mark.parametrize(("what", "write"), FIELD_MAY, ids=[c[0] for c in FIELD_MAY])
    def test_field_staff_record_what_a_visit_finds(self, field, what, write):
        hub, laptop, org = field
        write(laptop, org)
        assert sync(laptop, hub) == ([], [])
        assert tables(hub) == tables(laptop)

    @pytest.mark.parametrize(("what", "path", "write"), HUB_ONLY,
                             ids=[c[0] for c in HUB_ONLY])
    def test_the_rest_is_a_hub_s_locally_and_on_receipt(self, field, what, path, write):
        hub, laptop, org = field
        before = tables(laptop), laptop.replica.document_heads()
        with pytest.raises(ReplicaError, match="field"):
            write(laptop, org)
        assert (tables(laptop), laptop.replica.document_heads()) == before
        hub_before = tables(hub)
        bypass_local_checks(laptop)  # a modified client
        write(laptop, org)
        sent, _received = sync(laptop, hub)
        assert len(sent) == 1 and path in sent[0] and "field" in sent[0]
        assert tables(hub) == hub_before

    def test_replacing_a_map_the_field_may_write_inside_is_refused(self, field):
        hub, laptop, org = field
        hub.set_scores([ScoreEntry(org, "2026-09", FULL)])
        sync(laptop, hub)
        doc = AutomergeDoc.load(laptop.replica.document(org_doc(org)).save(),
                                laptop.replica.identity.actor)
        heads = doc.heads()
        with doc._raw.transaction() as tx:  # a new map would hide every score written so far
            tx.put_object(ROOT, "scores", ObjType.Map)
        with pytest.raises(ReplicaError, match="scores"):
            hub.replica.merge(org_doc(org), doc.changes_since(heads), doc.heads())
        assert months(hub, org) == ["2026-07", "2026-08", "2026-09"]

    def test_a_refused_document_does_not_take_the_bundle_with_it(self, field, tmp_path):
        hub, laptop, org = field
        other = hub.add_org("合唱团", "culture", hub_id(hub), entered="2024-01-01")
        sync(laptop, hub)
        laptop.set_scores([ScoreEntry(other, "2026-10", FULL)])
        bypass_local_checks(laptop)
        laptop.edit_org(org, {"name": "改名舞蹈队"})
        export_bundle(laptop.replica, [device(hub)], tmp_path / "day.bundle")
        summary = import_bundle(hub.replica, tmp_path / "day.bundle")
        assert list(summary.refused) == [org_doc(org)]
        assert "profile/name" in summary.refused[org_doc(org)]
        assert months(hub, other) == ["2026-10"]
        assert queries.org_row(hub.db, org)["name"] == "舞蹈队"
        assert hub.replica.pending_acks([device(laptop)]) == []
