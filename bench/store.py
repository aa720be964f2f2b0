"""Store benchmark: build a large replica, then time reindex, score saves and searches.

    .venv/bin/python bench/store.py                 # 4,000 organizations × 120 months
    .venv/bin/python bench/store.py --orgs 400      # a quick look

Prints figures; asserts nothing. Goals (issue 2): score save p95 ≤ 20 ms,
search p95 ≤ 50 ms, reindex ≤ 30 s; (issue 11) every warning case over the whole history,
printed beside the yardstick of reading every score row once (the cases read each row once).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from incubator.demo import build_demo
from incubator.store import queries
from incubator.store.home import replica_path
from incubator.store.commands import ScoreEntry, Store

NOW = datetime(2026, 11, 15, 9, 30, tzinfo=timezone.utc)
FULL = {"plan": 2, "cleanliness": 1.5, "activities": 2, "archives": 2, "party": 1}


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"


def build(home: Path, orgs: int, months: int) -> Store:
    if replica_path(home).exists():
        print(f"reusing {replica_path(home)}")
        return Store.open(home, clock=lambda: NOW)
    started = time.perf_counter()
    store = build_demo(home, orgs=orgs, months=months, seed=1, clock=lambda: NOW)
    print(f"build: {orgs} organizations × {months} months in {time.perf_counter() - started:.1f} s")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=4000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--home", type=Path, help="reuse or keep the replica here")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="incubator-bench-"))
    store = build(home, args.orgs, args.months)
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = queries.summary(store.db, store.today())
    size = replica_path(home).stat().st_size
    print(f"replica: {counts['organizations']} organizations, {counts['scores']} scores, "
          f"{size / 1e6:.1f} MB on disk")

    started = time.perf_counter()
    documents = store.replica.reindex()
    print(f"reindex: {documents} documents in {time.perf_counter() - started:.1f} s")

    rng = random.Random(5)
    residents = [r["id"] for r in queries.organizations(store.db) if r["stage"] in
                 ("startup", "growth")]
    saves = []
    for org_id in rng.sample(residents, min(args.samples, len(residents))):
        started = time.perf_counter()
        store.set_scores([ScoreEntry(org_id, "2026-11", FULL)])
        saves.append(time.perf_counter() - started)
    print(f"durable score save (one organization, one month): {percentiles(saves)}")

    names = [r["name"] for r in queries.organizations(store.db)]
    searches = []
    for _ in range(args.samples):
        name = rng.choice(names)
        start = rng.randrange(0, max(1, len(name) - 2))
        needle = name[start:start + 2]
        started = time.perf_counter()
        queries.organizations(store.db, search=needle)
        searches.append(time.perf_counter() - started)
    print(f"organization search (Chinese substring, all columns): {percentiles(searches)}")

    # Every warning case of every organization: the app computes this at every change.
    cases, read_all = [], []
    for _ in range(max(5, args.samples // 10)):
        started = time.perf_counter()
        found = queries.warning_states(store.db, store.today())
        cases.append(time.perf_counter() - started)
        started = time.perf_counter()
        store.db.execute("SELECT org_id, month, score10 FROM scores").fetchall()
        read_all.append(time.perf_counter() - started)
    print(f"warning cases ({len(found)} cases over the whole history): {percentiles(cases)}; "
          f"yardstick, reading every score row once: {percentiles(read_all)}")
    store.close()


if __name__ == "__main__":
    main()
