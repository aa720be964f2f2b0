"""A first clone stores each document new here as it came, and inserts its rows once: the
query tables it leaves must be exactly what a reindex of the same documents gives."""

from __future__ import annotations

from incubator.demo import build_demo
from incubator.store.commands import Store
from incubator.store.identity import Card

from ..conftest import NOW
from .helpers import pump, session, tables


def differences(ours: dict, theirs: dict) -> list[str]:
    """Table by table, row by row: what one dump holds that the other does not."""
    found = []
    for table in sorted(set(ours) | set(theirs)):
        mine, other = ours.get(table, []), theirs.get(table, [])
        found += [f"{table}: only in the first {row!r}" for row in mine if row not in other]
        found += [f"{table}: only in the second {row!r}" for row in other if row not in mine]
        if len(mine) != len(other):
            found.append(f"{table}: {len(mine)} rows against {len(other)}")
    return found


def cloned(tmp_path) -> tuple[Store, Store]:
    source = build_demo(tmp_path / "source", orgs=12, months=15, seed=5, clock=lambda: NOW)
    clone = Store.join(tmp_path / "clone", Card.of(source.replica.identity), "中心二",
                       clock=lambda: NOW)
    source.add_member(Card.of(clone.replica.identity), "hub")
    pump(session(clone, source), session(source, clone))
    return source, clone


def test_a_first_clone_gives_the_rows_a_reindex_gives(tmp_path):
    source, clone = cloned(tmp_path)
    assert sorted(clone.replica.doc_ids()) == sorted(source.replica.doc_ids())
    for doc_id in source.replica.doc_ids():  # the heads the sender holds, nothing lost
        assert clone.replica.document(doc_id).heads() == source.replica.document(doc_id).heads()
    as_cloned = tables(clone)
    assert sum(len(rows) for rows in as_cloned.values()) > 150
    assert clone.replica.reindex() == len(source.replica.doc_ids())
    assert differences(as_cloned, tables(clone)) == []
    assert differences(as_cloned, tables(source)) == []
    assert clone.replica.verify() == []


def test_the_comparison_notices_a_row_that_differs(tmp_path):
    _source, clone = cloned(tmp_path)
    as_cloned = tables(clone)
    with clone.replica.transaction():
        clone.db.conn.execute("UPDATE scores SET note = 'x' WHERE rowid = "
                              "(SELECT min(rowid) FROM scores)")
    assert len(differences(as_cloned, tables(clone))) == 2  # the row as it was, the row as it is
    clone.replica.reindex()
    assert differences(as_cloned, tables(clone)) == []
