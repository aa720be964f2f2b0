"""Replicas that edit concurrently and exchange chunks by hand end up identical.

A seeded loop (seed printed on failure) drives three replicas through random edits
and random one-way chunk copies, then lets every replica receive everything.
`INCUBATOR_CONVERGENCE_SEEDS` sets how many seeds run (default 6).
"""

import os
import random
import sqlite3

import pytest

from incubator.store import queries
from incubator.store.home import replica_path
from incubator.store.commands import ScoreEntry, Store

from ..conftest import NOW
from .test_replica import clone

SEEDS = int(os.environ.get("INCUBATOR_CONVERGENCE_SEEDS", "6"))
ITEMS = ("plan", "cleanliness", "activities", "archives", "party")


def pull(target: Store, source: Store) -> Store:
    """Copy every chunk of `source` into `target` and reopen it (as a sync would)."""
    path = target.replica.path
    target.close()
    conn = sqlite3.connect(path)
    conn.execute("ATTACH DATABASE ? AS source", (str(source.replica.path),))
    conn.execute("INSERT INTO chunks (doc_id, kind, data) SELECT doc_id, kind, data "
                 "FROM source.chunks ORDER BY id")
    conn.commit()
    conn.close()
    return Store.open(path.parent, clock=lambda: NOW)


def random_edit(store: Store, rng: random.Random, number: int) -> None:
    orgs = [r["id"] for r in queries.organizations(store.db) if r["stage"] in ("startup", "growth")]
    hub = store.db.conn.execute("SELECT id FROM hubs ORDER BY id").fetchone()[0]
    action = rng.randrange(5)
    if action == 0 or not orgs:
        store.add_org(f"社{number}号", "other", hub, entered="2024-01-01")
    elif action == 1:
        store.edit_org(rng.choice(orgs), {"phone": f"1380000{rng.randrange(10000):04d}"})
    elif action == 2:
        store.edit_org(rng.choice(orgs), {"members": rng.randrange(1, 500)})
    elif action == 3:
        month = f"2026-{rng.randrange(1, 11):02d}"
        store.set_scores([ScoreEntry(rng.choice(orgs), month,
                                     {item: rng.choice((0.5, 1, 2)) for item in ITEMS})])
    else:
        conflicts = queries.conflicts(store.db)
        if conflicts:
            conflict = rng.choice(conflicts)
            store.resolve_conflict(conflict["doc_id"].split(":", 1)[-1], conflict["field"],
                                   rng.randrange(1, len(conflict["candidates"]) + 1))


@pytest.mark.parametrize("seed", range(SEEDS))
def test_three_replicas_converge(store, tmp_path, seed):
    rng = random.Random(seed)
    replicas = [store, clone(store, tmp_path / "b", "笔记本乙"), clone(store, tmp_path / "c", "笔记本丙")]
    for step in range(40):
        who = rng.randrange(3)
        if rng.random() < 0.7:
            random_edit(replicas[who], rng, step)
        else:
            source = rng.randrange(3)
            if source != who:
                replicas[who] = pull(replicas[who], replicas[source])
    for _round in range(2):
        for who in range(3):
            for source in range(3):
                if source != who:
                    replicas[who] = pull(replicas[who], replicas[source])
    dumps = [r.replica.dump_query_tables() for r in replicas]
    assert dumps[0] == dumps[1] == dumps[2], f"seed {seed}"
    for r in replicas:
        assert r.replica.verify() == [], f"seed {seed}"
    heads = {tuple(sorted(r.db.conn.execute("SELECT doc_id, heads FROM documents")))
             for r in replicas}
    assert len(heads) == 1, f"seed {seed}"
    for r in replicas[1:]:
        r.close()
    assert replica_path(tmp_path / "b").exists()
