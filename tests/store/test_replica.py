"""The replica store: one file, documents as truth, query tables kept in step."""

import sqlite3
from datetime import datetime, timezone

import pytest

from incubator.domain.errors import DomainError
from incubator.store import queries
from incubator.store.home import replica_path
from incubator.store.identity import Card, new_identity
from incubator.store.commands import ActivityEntry, ScoreEntry, Store
from incubator.store.replica import Replica, ReplicaError

from ..conftest import NOW

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
LOW = {"plan": 1, "cleanliness": 1, "activities": 1, "archives": 1, "party": 1}


def add_org(store, name="桂花社区书画社", **kw):
    hub = store.db.conn.execute("SELECT id FROM hubs").fetchone()[0]
    return store.add_org(name, kw.pop("category", "culture"), hub, entered="2024-01-01", **kw)


def clone(store: Store, home, name="外勤笔记本") -> Store:
    """A second replica of the same network with its own device identity."""
    identity = new_identity(name)
    store.add_member(Card.of(identity), "hub")
    target = replica_path(home)
    home.mkdir(parents=True)
    dest = sqlite3.connect(target)
    store.db.conn.backup(dest)
    dest.executemany("UPDATE replica_meta SET value = ? WHERE key = ?", [
        (identity.device_id, "device_id"), (identity.device_name, "device_name"),
        (identity.actor_hex, "actor"), (identity.private_key_pem, "private_key"),
        (identity.bundle_key_pem, "bundle_key"), (identity.certificate_pem, "certificate"),
        (identity.bundle_public_key.hex(), "bundle_public"), ("clone-index", "index_id")])
    dest.commit()
    dest.close()
    return Store.open(home, clock=lambda: NOW)


def copy_chunks(source: Store, target_home) -> None:
    """Replicate by hand: append the source's change rows to the target file."""
    conn = sqlite3.connect(replica_path(target_home))
    conn.execute("ATTACH DATABASE ? AS source", (str(source.replica.path),))
    conn.execute("INSERT INTO chunks (doc_id, kind, data) SELECT doc_id, kind, data "
                 "FROM source.chunks ORDER BY id")
    conn.commit()
    conn.close()


class TestWrites:
    def test_a_score_is_in_the_documents_and_the_tables(self, store):
        org = add_org(store)
        store.set_scores([ScoreEntry(org, "2026-10", FULL)])
        row = store.db.conn.execute("SELECT total, score10 FROM scores WHERE org_id = ?",
                                    (org,)).fetchone()
        assert row == (10.0, 10.0)
        doc = store.replica.document(f"org:{org}")
        recorded = store.db.conn.execute(
            "SELECT heads FROM documents WHERE doc_id = ?", (f"org:{org}",)).fetchone()[0]
        assert recorded == ",".join(doc.heads())
        assert store.replica.verify() == []

    def test_one_bad_entry_saves_none_of_the_batch(self, store):
        first, second = add_org(store), add_org(store, "阳光社区舞蹈队")
        before = store.replica.dump_query_tables()
        with pytest.raises(DomainError):
            store.set_scores([ScoreEntry(first, "2026-10", FULL),
                              ScoreEntry(second, "2026-10", {**FULL, "plan": 3})])
        assert store.replica.dump_query_tables() == before

    def test_a_failure_inside_a_change_rolls_back_file_and_document(self, store):
        org = add_org(store)
        chunks_before = store.db.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]

        def explode(editor):
            editor.set(("profile", "name"), "改名")
            raise RuntimeError("disk on fire")

        with pytest.raises(RuntimeError):
            store.replica.change(f"org:{org}", "Edited {fields}", {"fields": "name"}, explode)
        assert store.db.conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == chunks_before
        assert store.replica.tree(f"org:{org}")["profile"]["name"] == "桂花社区书画社"

    def test_many_edits_are_compacted_and_nothing_is_lost(self, store):
        org = add_org(store)
        for n in range(60):
            store.edit_org(org, {"members": n + 1})
        chunks = store.db.conn.execute(
            "SELECT count(*) FROM chunks WHERE doc_id = ?", (f"org:{org}",)).fetchone()[0]
        assert chunks < 30
        reopened = Store.open(store.replica.path.parent, clock=lambda: NOW)
        assert queries.org_row(reopened.db, org)["members"] == 60
        assert len(reopened.history(org)) == 61

    def test_a_rubric_change_never_rewrites_past_totals(self, store):
        org = add_org(store)
        store.set_scores([ScoreEntry(org, "2026-05", FULL)])
        from incubator.domain.rubric import parse_item_spec

        store.set_rubric("2026-07", [parse_item_spec("plan=5:工作计划"),
                                     parse_item_spec("activities=5:活动开展")])
        store.set_scores([ScoreEntry(org, "2026-08", {"plan": 5, "activities": 2})])
        rows = {r["month"]: r for r in queries.scores(store.db, org_id=org)}
        assert (rows["2026-05"]["total"], rows["2026-05"]["rubric_from"]) == (10.0, "2000-01")
        assert (rows["2026-08"]["total"], rows["2026-08"]["rubric_from"]) == (7.0, "2026-07")
        with pytest.raises(DomainError):
            store.set_rubric("2026-04", [parse_item_spec("plan=10:工作计划")])


class TestReindex:
    def test_reindex_equals_the_incremental_tables(self, isolated_home):
        from incubator.demo import build_demo

        demo = build_demo(isolated_home, orgs=16, months=15, seed=3, clock=lambda: NOW)
        incremental = demo.replica.dump_query_tables()
        assert sum(len(rows) for rows in incremental.values()) > 200
        assert demo.replica.reindex() == len(demo.replica.doc_ids())
        assert demo.replica.dump_query_tables() == incremental
        assert demo.replica.verify() == []

    def test_score_saves_and_deletions_give_the_rows_of_a_reindex(self, store, tmp_path):
        org, other = add_org(store), add_org(store, "阳光社区舞蹈队")
        laptop = clone(store, tmp_path / "laptop")
        store.set_scores([ScoreEntry(org, "2026-08", FULL), ScoreEntry(org, "2026-09", LOW),
                          ScoreEntry(other, "2026-09", FULL)])
        store.set_scores([ScoreEntry(org, "2026-10", LOW, note="迟交")])
        store.set_scores([ScoreEntry(org, "2026-08", LOW)])
        store.set_scores([ScoreEntry(org, "2026-09", LOW, note="补记")])  # only the note differs
        store.set_scores([ScoreEntry(other, "2026-09", FULL)])  # nothing differs
        store.delete_score(org, "2026-10")  # the latest month: the one before is latest
        assert queries.org_row(store.db, org)["last_month"] == "2026-09"
        saved = store.replica.dump_query_tables()
        store.replica.reindex()
        assert store.replica.dump_query_tables() == saved
        laptop.set_scores([ScoreEntry(other, "2026-09", LOW)])
        laptop.close()
        copy_chunks(laptop, store.replica.path.parent)
        merged = Store.open(store.replica.path.parent, clock=lambda: NOW)
        assert [c["field"] for c in queries.conflicts(merged.db)] == ["scores/2026-09"]
        merged.set_scores([ScoreEntry(other, "2026-10", FULL)])  # the conflict stays
        merged.delete_score(org, "2026-09")
        merged.delete_score(org, "2026-08")
        incremental = merged.replica.dump_query_tables()
        assert queries.org_row(merged.db, org)["last_month"] is None
        assert queries.org_row(merged.db, other)["last_month"] == "2026-10"
        assert len(incremental["conflicts"]) == 1
        merged.replica.reindex()
        assert merged.replica.dump_query_tables() == incremental
        merged.close()

    def test_a_reindex_stopped_halfway_leaves_the_tables_as_they_were(self, store):
        """It rebuilds the tables in one transaction: stopped after dropping them (here by
        its progress callback; in the crash test by SIGKILL), nothing of it stays."""
        add_org(store)
        before = store.replica.dump_query_tables()

        def stop(done: int, _total: int) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            store.replica.reindex(progress=stop)
        assert store.replica.dump_query_tables() == before
        assert store.replica.verify() == []

    def test_verify_notices_tampered_rows(self, store):
        org = add_org(store)
        store.db.conn.execute("UPDATE organizations SET name = 'x' WHERE id = ?", (org,))
        store.db.conn.commit()
        assert any("organizations" in str(p) for p in store.replica.verify())

    def test_stale_rows_are_rematerialized_on_open(self, store):
        org = add_org(store)
        store.db.conn.execute("DELETE FROM organizations")
        store.db.conn.execute("UPDATE documents SET materialized_upto = 0, heads = ''")
        store.db.conn.commit()
        reopened = Store.open(store.replica.path.parent, clock=lambda: NOW)
        assert queries.org_row(reopened.db, org)["name"] == "桂花社区书画社"


class TestReplication:
    def test_copying_change_rows_by_hand_merges_two_replicas(self, store, tmp_path):
        org = add_org(store)
        laptop = clone(store, tmp_path / "laptop")
        store.set_scores([ScoreEntry(org, "2026-09", FULL)])
        other = laptop.add_org("田家坝村邻里互助会", "mutual-aid",
                               laptop.db.conn.execute("SELECT id FROM hubs").fetchone()[0])
        laptop.set_scores([ScoreEntry(org, "2026-10", LOW)])
        laptop.close()
        copy_chunks(laptop, store.replica.path.parent)
        merged = Store.open(store.replica.path.parent, clock=lambda: NOW)
        months = {r["month"] for r in queries.scores(merged.db, org_id=org)}
        assert months == {"2026-09", "2026-10"}
        assert queries.org_row(merged.db, other)["name"] == "田家坝村邻里互助会"
        assert merged.replica.verify() == []
        assert queries.conflicts(merged.db) == []

    def test_the_same_field_edited_on_two_replicas_is_a_conflict_until_resolved(
            self, store, tmp_path):
        org = add_org(store)
        laptop = clone(store, tmp_path / "laptop")
        store.edit_org(org, {"phone": "13800000001"})
        laptop.edit_org(org, {"phone": "13900000002"})
        laptop.close()
        copy_chunks(laptop, store.replica.path.parent)
        merged = Store.open(store.replica.path.parent, clock=lambda: NOW)
        conflicts = queries.conflicts(merged.db)
        assert [(c["record"], c["field"]) for c in conflicts] == [("桂花社区书画社", "profile/phone")]
        values = {c["value"] for c in conflicts[0]["candidates"]}
        assert values == {"13800000001", "13900000002"}
        assert {c["device_name"] for c in conflicts[0]["candidates"]} == {"前台电脑", "外勤笔记本"}
        winner = conflicts[0]["winner"]
        assert queries.org_row(merged.db, org)["phone"] == winner
        keep = 1 + [c["value"] for c in conflicts[0]["candidates"]].index("13800000001")
        merged.resolve_conflict(org, "profile/phone", keep)
        assert queries.conflicts(merged.db) == []
        assert queries.org_row(merged.db, org)["phone"] == "13800000001"
        assert merged.history(org)[0].summary == "Resolved the conflict on {field}"

    def test_history_attributes_each_change_to_its_device(self, store, tmp_path):
        org = add_org(store)
        laptop = clone(store, tmp_path / "laptop")
        laptop.set_scores([ScoreEntry(org, "2026-10", FULL)])
        laptop.close()
        copy_chunks(laptop, store.replica.path.parent)
        merged = Store.open(store.replica.path.parent, clock=lambda: NOW)
        devices = [(e.device_name, e.summary) for e in merged.history(org)]
        assert ("外勤笔记本", "Scored {month}: {total}") in devices
        assert ("前台电脑", "Registered {name}") in devices


class TestOpening:
    def test_a_missing_replica_is_refused(self, tmp_path):
        with pytest.raises(ReplicaError):
            Replica(tmp_path / "nothing.sqlite")

    def test_a_file_that_is_not_a_replica_is_refused(self, tmp_path):
        junk = tmp_path / "junk.sqlite"
        junk.write_bytes(b"not a database at all" * 100)
        with pytest.raises(ReplicaError):
            Replica(junk)

    def test_a_replica_made_with_other_query_tables_rebuilds_them_on_open(self, store,
                                                                           isolated_home):
        """An older build's file: a query table without a newer column, no fingerprint."""
        org = add_org(store)
        store.set_scores([ScoreEntry(org, "2026-10", FULL)])
        expected = store.replica.dump_query_tables()
        conn = store.db.conn
        conn.execute("DELETE FROM replica_meta WHERE key = 'query_schema'")
        conn.execute("DROP TABLE organizations")
        conn.execute("CREATE TABLE organizations (doc_id TEXT, id TEXT PRIMARY KEY, name TEXT)")
        conn.commit()
        store.close()
        reopened = Store.open(isolated_home, clock=lambda: NOW)
        assert reopened.replica.dump_query_tables() == expected
        assert reopened.verify() == []
        assert queries.org_row(reopened.db, org)["last_month"] == "2026-10"
        reopened.close()

    def test_a_replica_of_the_build_before_pinyin_finds_names_by_pinyin_once_opened(
            self, store, isolated_home):
        """Its organizations table has no search_text or sort_key: rebuilt on open."""
        add_org(store, "桂花社区书画社")
        add_org(store, "阿坝社区合唱团")
        conn = store.db.conn
        conn.execute("UPDATE replica_meta SET value = 'an older build' WHERE key = 'query_schema'")
        conn.execute("DROP INDEX organizations_sort_key")
        conn.execute("ALTER TABLE organizations DROP COLUMN search_text")
        conn.execute("ALTER TABLE organizations DROP COLUMN sort_key")
        conn.commit()
        store.close()
        reopened = Store.open(isolated_home, clock=lambda: NOW)
        assert [r["name"] for r in queries.organizations(reopened.db, search="shs")] == [
            "桂花社区书画社"]
        assert [r["name"] for r in queries.organizations(reopened.db)] == [
            "阿坝社区合唱团", "桂花社区书画社"]
        reopened.close()

    def test_the_clock_is_stored_as_utc(self, isolated_home):
        local = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc).astimezone()
        opened = Store.init(isolated_home, "东湖孵化园", clock=lambda: local)
        assert opened.history("network")[0].at == "2026-03-01T08:00:00+00:00"


class TestMerge:
    """`Replica.merge`: what a sync hands over, checked against the declared heads."""

    def test_a_snapshot_then_changes_from_another_replica(self, store, tmp_path):
        other = clone(store, tmp_path / "other")
        hub = other.db.conn.execute("SELECT id FROM hubs").fetchone()[0]
        org = other.add_org("东湖村书画社", "culture", hub, entered="2024-01-01")
        doc_id = f"org:{org}"
        first = other.replica.document(doc_id)
        snapshot, snapshot_heads = first.save(), first.heads()
        other.set_scores([ScoreEntry(org, "2026-10", FULL)])
        changes = other.replica.document(doc_id).changes_since(snapshot_heads)
        latest = other.replica.document(doc_id).heads()
        assert store.replica.merge(doc_id, snapshot, snapshot_heads) is True
        assert store.replica.merge(doc_id, snapshot, snapshot_heads) is False
        assert store.replica.merge(doc_id, changes, latest) is True
        assert [r["month"] for r in queries.scores(store.db, org_id=org)] == ["2026-10"]
        assert store.replica.verify() == []

    def test_a_document_written_by_a_stranger_is_refused(self, store, tmp_path):
        stranger = Store.init(tmp_path / "stranger", "东湖孵化园", clock=lambda: NOW)
        hub = stranger.db.conn.execute("SELECT id FROM hubs").fetchone()[0]
        org = stranger.add_org("东湖村书画社", "culture", hub, entered="2024-01-01")
        doc = stranger.replica.document(f"org:{org}")
        before = store.replica.dump_query_tables()
        # Written under another network's membership, which never arrives here.
        with pytest.raises(ReplicaError, match="membership changes this replica does not have"):
            store.replica.merge(f"org:{org}", doc.save(), doc.heads())
        assert store.replica.dump_query_tables() == before
        assert store.replica.document(f"org:{org}") is None

    def test_changes_whose_dependencies_are_missing_are_refused(self, store, tmp_path):
        other = clone(store, tmp_path / "other")
        hub = other.db.conn.execute("SELECT id FROM hubs").fetchone()[0]
        org = other.add_org("东湖村书画社", "culture", hub, entered="2024-01-01")
        doc = other.replica.document(f"org:{org}")
        base = doc.heads()
        other.set_scores([ScoreEntry(org, "2026-10", FULL)])
        changes = other.replica.document(f"org:{org}").changes_since(base)
        before = store.replica.dump_query_tables()
        chunks = store.db.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        with pytest.raises(ReplicaError):
            store.replica.merge(f"org:{org}", changes,
                                other.replica.document(f"org:{org}").heads())
        assert store.replica.dump_query_tables() == before
        assert store.db.conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == chunks


class TestOwnChangeRows:
    """A device's own change to an organization rewrites only the tables made from the
    containers it wrote (`ORG_TABLE_CONTAINERS`): each must be the whole truth."""

    def test_each_table_is_made_from_its_containers_alone(self, isolated_home):
        from incubator.demo import build_district
        from incubator.store.materialize import ORG_TABLE_CONTAINERS, org_rows, rows_for

        district = build_district(isolated_home, orgs=60, months=14, seed=5,
                                  clock=lambda: NOW)
        checked = 0
        for doc_id in district.replica.doc_ids():
            if not doc_id.startswith("org:"):
                continue
            tree = district.replica.tree(doc_id)
            whole = rows_for(doc_id, tree)
            if whole["conflicts"]:
                continue
            for table, containers in ORG_TABLE_CONTAINERS.items():
                part = {container: tree[container] for container in containers
                        if container in tree}
                assert org_rows(doc_id, part, [table]) == {table: whole[table]}, table
                checked += bool(whole[table])
        assert checked > 200
        district.close()

    def test_edits_of_every_kind_give_the_rows_of_a_reindex(self, store):
        org = add_org(store, members=8, community="桂花社区")
        store.set_scores([ScoreEntry(org, "2026-08", FULL), ScoreEntry(org, "2026-09", LOW)])
        store.add_waiver(org, "service-for-rent", "2026-08-01", "2027-07-31", 800.0,
                         hours_per_month=10.0, approved_by="中心主任")
        store.log_service_months(org, {"2026-08": 6.0, "2026-09": 12.0})
        store.log_service(org, "2026-08", 10.0)
        store.add_activities([ActivityEntry(org, "2026-09-05", "清洁家园", participants=5)])
        store.edit_org(org, {"name": "桂花社区书画院", "members": 9, "community": "春晖社区"})
        store.set_review(org, 2025, 90, 85, 80, True)
        store.delete_score(org, "2026-09")
        row = queries.org_row(store.db, org)
        assert (row["name"], row["members"], row["last_month"]) == ("桂花社区书画院", 9, "2026-08")
        served = store.db.conn.execute("SELECT served FROM activities").fetchall()
        assert served == [("春晖社区",)]  # no place: where the organization is
        incremental = store.replica.dump_query_tables()
        store.replica.reindex()
        assert store.replica.dump_query_tables() == incremental

    def test_months_of_service_are_one_change_or_none(self, store):
        org = add_org(store)
        store.add_waiver(org, "service-for-rent", "2026-08-01", "2027-07-31", 800.0,
                         hours_per_month=10.0, approved_by="中心主任")
        before = len(store.history(org))
        with pytest.raises(DomainError):
            store.log_service_months(org, {"2026-08": 6.0, "2026-07": 6.0})  # not covered
        assert len(store.history(org)) == before
        assert queries.service_hours_logged(store.db, org, "2026-08") is None
        store.log_service_months(org, {"2026-08": 6.0, "2026-09": 8.0, "2026-10": 10.0})
        assert len(store.history(org)) == before + 1
        assert queries.service_hours_logged(store.db, org, "2026-10") == 10.0
