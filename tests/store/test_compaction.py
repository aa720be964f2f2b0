"""Compaction at rest: a save only appends its change; an idle moment (or closing) rewrites
what grew as one snapshot, changing nothing anyone can read."""

import sqlite3

from incubator.store import queries
from incubator.store.commands import ScoreEntry, Store

from ..conftest import NOW
from .test_replica import FULL, LOW, add_org


def kinds(path, doc_id: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [kind for kind, in conn.execute(
            "SELECT kind FROM chunks WHERE doc_id = ? ORDER BY id", (doc_id,))]
    finally:
        conn.close()


def three_saves(store: Store, org: str) -> None:
    for month, items in (("2026-08", FULL), ("2026-09", LOW), ("2026-10", FULL)):
        store.set_scores([ScoreEntry(org, month, items)])


def test_a_save_appends_and_compaction_changes_nothing_but_the_chunks(store):
    org = add_org(store)
    three_saves(store, org)
    doc_id = f"org:{org}"
    path = store.replica.path
    assert kinds(path, doc_id) == ["snapshot", "changes", "changes", "changes"]
    tables, history = store.replica.dump_query_tables(), store.history(org)
    heads = store.replica.document(doc_id).heads()

    assert store.compact() >= 1
    assert kinds(path, doc_id) == ["snapshot"]
    assert store.replica.grown() == []
    assert store.replica.dump_query_tables() == tables
    assert store.history(org) == history
    assert store.replica.stored_snapshot(doc_id) == (
        store.db.conn.execute("SELECT data FROM chunks WHERE doc_id = ?",
                              (doc_id,)).fetchone()[0], heads)
    # what a save does next, and a fresh process's view of it, as without compaction
    store.set_scores([ScoreEntry(org, "2026-11", LOW)])
    store.replica.reindex()
    reopened = Store.open(path.parent, clock=lambda: NOW)
    assert sorted(row["month"] for row in queries.scores(reopened.db, org_id=org)) == [
        "2026-08", "2026-09", "2026-10", "2026-11"]
    assert reopened.replica.verify() == []
    reopened.close()


def test_closing_compacts_what_this_program_wrote_and_only_that(store, isolated_home):
    mine, theirs = add_org(store), add_org(store, "白沙村腰鼓队")
    path = store.replica.path
    other = Store.open(isolated_home, clock=lambda: NOW)  # another program on the file
    three_saves(store, mine)
    three_saves(other, theirs)
    store.close()
    assert kinds(path, f"org:{mine}") == ["snapshot"]
    assert kinds(path, f"org:{theirs}") == ["snapshot", "changes", "changes", "changes"]
    other.close()
    assert kinds(path, f"org:{theirs}") == ["snapshot"]


def test_a_busy_or_unwritable_file_at_closing_loses_nothing(store, isolated_home):
    org = add_org(store)
    three_saves(store, org)
    path = store.replica.path
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another program is writing: compaction cannot
    store.close()  # and closing does not wait for it, nor fail
    writer.execute("ROLLBACK")
    writer.close()
    assert kinds(path, f"org:{org}") == ["snapshot", "changes", "changes", "changes"]

    again = Store.open(isolated_home, clock=lambda: NOW)
    again.set_scores([ScoreEntry(org, "2026-11", LOW)])
    # the disk refuses the compaction's writes (SQLite refuses them as it would a full disk)
    again.db.conn.set_authorizer(
        lambda action, table, *_: sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_DELETE and table == "chunks" else sqlite3.SQLITE_OK)
    again.close()
    reopened = Store.open(isolated_home, clock=lambda: NOW)
    assert sorted(row["month"] for row in queries.scores(reopened.db, org_id=org)) == [
        "2026-08", "2026-09", "2026-10", "2026-11"]
    assert reopened.replica.verify() == []
    assert reopened.compact() == 1
    reopened.close()


def test_a_document_written_elsewhere_and_not_yet_refreshed_is_left_alone(
        store, isolated_home):
    org = add_org(store)
    doc_id = f"org:{org}"
    store.set_scores([ScoreEntry(org, "2026-08", FULL)])
    change = store.db.conn.execute(
        "SELECT data FROM chunks WHERE doc_id = ? AND kind = 'changes'", (doc_id,)).fetchone()
    assert store.compact() == 1
    # a chunk copied in behind this replica's back (its rows not yet made)
    store.db.conn.execute("INSERT INTO chunks (doc_id, kind, data) VALUES (?, 'changes', ?)",
                          (doc_id, change[0]))
    store.db.conn.execute("UPDATE documents SET change_bytes = 1 WHERE doc_id = ?", (doc_id,))
    store.db.conn.commit()
    assert store.compact() == 0
    assert kinds(store.replica.path, doc_id) == ["snapshot", "changes"]


def test_the_demo_is_left_at_rest(isolated_home):
    from incubator.demo import build_demo

    demo = build_demo(isolated_home, orgs=8, months=6, seed=3, clock=lambda: NOW)
    assert demo.replica.grown() == []
    assert demo.db.conn.execute(
        "SELECT count(*) FROM chunks WHERE kind = 'changes'").fetchone()[0] == 0
    demo.close()

