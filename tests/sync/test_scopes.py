"""Field laptops that hold only their villages: scopes in the membership, what sync,
bundles and folder bundles send, writes outside the scope, prune, partial counts."""

from __future__ import annotations

import shutil

import pytest

from incubator.domain.errors import DomainError
from incubator.domain.scope import parse_terms, scope_of, stored_scope
from incubator.store import queries
from incubator.store.commands import ScoreEntry, Store
from incubator.store.identity import Card
from incubator.sync.bundle import BundleError, export_bundle, import_bundle
from incubator.sync.exchange import Exchange
from incubator.sync.folder import FolderSync
from incubator.sync.protocol import ProtocolError, SyncSession

from ..conftest import NOW
from .helpers import bypass_local_checks, hub_and_member, pump, session

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
PLACES = {"白沙村书画社": ("柳营街道", "白沙村"), "白沙村舞蹈队": ("柳营街道", "白沙村"),
          "东湖读书会": ("东湖街道", "东湖村"), "西山合唱团": ("西山镇", "西山村")}


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    """A hub with four organizations in three villages, and a field laptop it added."""
    root = tmp_path_factory.mktemp("scoped")
    hub, laptop = hub_and_member(root, role="field")
    hub_id = hub.db.conn.execute("SELECT id FROM hubs").fetchone()[0]
    for name, (town, village) in PLACES.items():
        hub.add_org(name, "culture", hub_id, entered="2024-01-01",
                    register_fields={"town": town, "village": village, "area": "rural"})
    hub.close()
    laptop.close()
    return root


@pytest.fixture
def pair(homes, tmp_path):
    shutil.copytree(homes, tmp_path / "homes")
    hub = Store.open(tmp_path / "homes" / "hub", clock=lambda: NOW)
    laptop = Store.open(tmp_path / "homes" / "外勤笔记本", clock=lambda: NOW)
    yield hub, laptop
    hub.close()
    laptop.close()


def org(store: Store, name: str) -> str:
    return queries.resolve_org(store.db, name)


def names(store: Store) -> list[str]:
    return sorted(row["name"] for row in queries.organizations(store.db))


def sync(a: Store, b: Store) -> tuple[SyncSession, SyncSession]:
    one, other = session(a, b), session(b, a)
    pump(one, other)
    return one, other


def scoped(hub: Store, laptop: Store, scope: str = "village:白沙村") -> str:
    return hub.set_member_scope(laptop.identity.device_id, scope)


class TestTheScopeInTheMembership:
    def test_terms_in_english_or_chinese_are_kept_canonical(self):
        found = scope_of(parse_terms("村：白沙村，town:柳营街道, org:abc"))
        assert found.text() == "town:柳营街道,village:白沙村,org:abc"
        assert stored_scope("") is None and parse_terms("all") == []
        assert not stored_scope("garbage!").covers("x", "柳营街道", "白沙村", None)
        with pytest.raises(DomainError):
            parse_terms("county:白沙村")

    def test_a_scope_is_checked_and_kept_by_organization_id(self, pair):
        hub, laptop = pair
        device = laptop.identity.device_id
        assert scoped(hub, laptop, "village:白沙村,org:西山合唱团") == (
            f"village:白沙村,org:{org(hub, '西山合唱团')}")
        for typo in ("village:白纱村", "org:不存在的组织", "county:x"):
            with pytest.raises(DomainError):
                hub.set_member_scope(device, typo)
        with pytest.raises(DomainError, match="whole network"):
            hub.set_member_scope(hub.identity.device_id, "village:白沙村")
        assert scoped(hub, laptop, "all") == ""

    def test_a_laptop_cannot_widen_its_own_scope(self, pair):
        hub, laptop = pair
        scoped(hub, laptop)
        sync(hub, laptop)
        with pytest.raises(DomainError):
            laptop.set_member_scope(laptop.identity.device_id, "all")
        bypass_local_checks(laptop)  # a modified client writes it anyway: the hub refuses
        laptop.set_member_scope(laptop.identity.device_id, "all")
        one, _other = sync(laptop, hub)
        assert one.refused and queries.replica_scope(hub.db) is None
        members = {m["device_id"]: m["scope"] for m in queries.members(hub.db)}
        assert members[laptop.identity.device_id] == "village:白沙村"


class TestWhatAScopedPeerIsSent:
    def test_sync_sends_only_the_scope_and_a_wider_scope_brings_the_rest(self, pair):
        hub, laptop = pair
        scoped(hub, laptop)
        first, _ = sync(hub, laptop)
        assert names(laptop) == ["白沙村书画社", "白沙村舞蹈队"]
        assert first.docs_sent == 4  # the network, the hub and the two organizations
        assert sync(hub, laptop)[0].docs_sent == 0  # an idle reconnect
        scoped(hub, laptop, "village:白沙村,town:东湖街道")  # nothing new in 东湖读书会 itself
        sync(hub, laptop)
        assert names(laptop) == ["东湖读书会", "白沙村书画社", "白沙村舞蹈队"]
        assert queries.replica_scope(laptop.db) == "town:东湖街道,village:白沙村"

    def test_a_forged_request_for_a_document_outside_the_scope_is_refused(self, pair):
        hub, laptop = pair
        scoped(hub, laptop)
        secret = f"org:{org(hub, '西山合唱团')}"

        class Greedy(Exchange):  # a modified laptop client asks for more than offered
            def wants(self, offer):
                return [*super().wants(offer), (secret, [])]

        greedy = SyncSession(Greedy(laptop.replica, hub.identity.device_id))
        with pytest.raises(ProtocolError, match="outside its scope"):
            pump(greedy, session(hub, laptop))
        assert laptop.replica.document(secret) is None
        refusals = queries.sync_log(hub.db, event="refused")
        assert refusals[0]["doc_id"] == secret

    def test_bundles_and_folder_bundles_hold_only_the_scope(self, pair, tmp_path):
        hub, laptop = pair
        scoped(hub, laptop)
        device = laptop.identity.device_id
        for full in (False, True):
            summary = export_bundle(hub.replica, [device], tmp_path / f"{full}.bundle", full=full)
            assert summary.documents == 4
        import_bundle(laptop.replica, tmp_path / "True.bundle")
        assert names(laptop) == ["白沙村书画社", "白沙村舞蹈队"]
        second = Store.join(tmp_path / "hub2", Card.of(hub.identity), "二号中心",
                            clock=lambda: NOW)
        hub.add_member(Card.of(second.identity), "hub")
        with pytest.raises(BundleError, match="only part of the network"):
            export_bundle(hub.replica, [device, second.identity.device_id], tmp_path / "x.bundle")
        box = tmp_path / "box"
        box.mkdir()
        FolderSync(laptop.port, box).run()
        FolderSync(second.port, box).run()
        written = FolderSync(hub.port, box).run().written
        assert sorted(entry["recipients"] for entry in written) == [["二号中心"], ["外勤笔记本"]]
        for_laptop = next(entry for entry in written if entry["recipients"] == ["外勤笔记本"])
        for_hub = next(entry for entry in written if entry["recipients"] == ["二号中心"])
        assert (for_laptop["documents"], for_hub["documents"]) == (4, 6)
        FolderSync(laptop.port, box).run()
        assert names(laptop) == ["白沙村书画社", "白沙村舞蹈队"]
        second.close()


class TestWritesOutsideTheScope:
    def test_refused_locally_and_on_receipt(self, pair):
        hub, laptop = pair
        scoped(hub, laptop, "village:白沙村,village:东湖村")
        sync(hub, laptop)
        laptop.set_scores([ScoreEntry(org(laptop, "东湖读书会"), "2026-10", FULL)])  # in scope
        scoped(hub, laptop)  # 东湖村 leaves the scope; the laptop keeps its copy
        sync(hub, laptop)
        outside = org(laptop, "东湖读书会")
        with pytest.raises(DomainError, match="outside the scope"):
            laptop.set_scores([ScoreEntry(outside, "2026-09", FULL)])
        bypass_local_checks(laptop)
        laptop.set_scores([ScoreEntry(outside, "2026-09", FULL)])
        one, _ = sync(laptop, hub)
        assert any("outside the scope" in reason for reason in one.refused) or any(
            "范围" in reason for reason in one.refused)
        months = [row["month"] for row in queries.scores(hub.db, org_id=outside)]
        assert months == ["2026-10"]  # the change made while in scope is kept


class TestPrune:
    def test_prune_removes_only_what_a_hub_holds_and_the_scope_can_grow_back(self, pair):
        hub, laptop = pair
        with pytest.raises(DomainError, match="whole network"):
            hub.prune()
        scoped(hub, laptop, "village:白沙村,village:东湖村")
        sync(hub, laptop)
        dong = org(laptop, "东湖读书会")
        laptop.set_scores([ScoreEntry(dong, "2026-10", FULL)])  # made while in the scope
        scoped(hub, laptop)
        sync(hub, laptop)  # the hub gets the score, the laptop its narrower scope
        summary = laptop.prune()
        assert summary.removed == ["东湖读书会"] and summary.kept == []
        assert names(laptop) == ["白沙村书画社", "白沙村舞蹈队"]
        assert laptop.replica.verify() == []
        assert [row["month"] for row in queries.scores(hub.db, org_id=dong)] == ["2026-10"]
        scoped(hub, laptop, "village:白沙村,village:东湖村")
        sync(hub, laptop)  # the hub learns the pruned replica holds less (a new index ID)
        assert names(laptop) == ["东湖读书会", "白沙村书画社", "白沙村舞蹈队"]
        assert [row["month"] for row in queries.scores(laptop.db, org_id=dong)] == ["2026-10"]

    def test_what_no_hub_holds_yet_is_kept(self, pair, tmp_path):
        hub, laptop = pair
        scoped(hub, laptop, "village:白沙村,village:东湖村")
        sync(hub, laptop)
        laptop.set_scores([ScoreEntry(org(laptop, "东湖读书会"), "2026-10", FULL)])
        scoped(hub, laptop)  # the laptop learns it by a bundle: the hub never got the score
        export_bundle(hub.replica, [laptop.identity.device_id], tmp_path / "narrow.bundle")
        import_bundle(laptop.replica, tmp_path / "narrow.bundle")
        summary = laptop.prune()
        assert summary.removed == [] and summary.kept == ["东湖读书会"]
        assert "东湖读书会" in names(laptop)
