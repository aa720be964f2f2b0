"""Bundle benchmark: a full export of the 4,000-organization replica, then a day of field work.

    .venv/bin/python bench/bundle.py                  # builds the replica (about 100 s)
    .venv/bin/python bench/bundle.py --root DIR       # reuse DIR/source (e.g. bench/sync.py's)
    .venv/bin/python bench/bundle.py --orgs 400       # a quick look

Prints export and import times and bundle size ÷ compressed change bytes for a day of
work (50 score entries across 50 organizations) and for a full export, and the full
import beside a reindex of the same documents measured in the same run (goal, issue 16:
a full import ≤ 10 s). Asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path

from incubator.demo import build_demo
from incubator.store import queries
from incubator.store.home import replica_path
from incubator.store.identity import Card
from incubator.store.commands import ScoreEntry, Store
from incubator.sync.bundle import export_bundle, import_bundle

NOW = datetime(2026, 11, 15, 9, 30, tzinfo=timezone.utc)
DAY = {"plan": 2, "cleanliness": 1.5, "activities": 2, "archives": 1, "party": 2}


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=4000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--root", type=Path)
    args = parser.parse_args()
    root = args.root or Path(tempfile.mkdtemp(prefix="incubator-bundle-bench-"))
    clock = lambda: NOW  # noqa: E731
    if replica_path(root / "source").exists():
        source = Store.open(root / "source", clock=clock)
        print(f"reusing {replica_path(root / 'source')}")
    else:
        source, seconds = timed(lambda: build_demo(root / "source", orgs=args.orgs,
                                                   months=args.months, seed=1, clock=clock))
        print(f"build: {args.orgs} organizations × {args.months} months in {seconds:.1f} s")
    shutil.rmtree(root / "laptop", ignore_errors=True)
    laptop = Store.join(root / "laptop", Card.of(source.replica.identity), "外勤笔记本",
                        clock=clock)
    source.add_member(Card.of(laptop.replica.identity), "field")
    laptop_id = laptop.replica.identity.device_id
    source_id = source.replica.identity.device_id

    packed = sum(len(zlib.compress(source.replica.document(doc_id).save(), 6))
                 for doc_id in source.replica.doc_ids())
    full, seconds = timed(lambda: export_bundle(source.replica, [laptop_id],
                                                root / "full.bundle", full=True))
    print(f"\nfull export: {full.documents} documents, {full.bytes:,} B in {seconds:.1f} s; "
          f"÷ compressed snapshots ({packed:,} B) = {full.bytes / packed:.3f}")
    summary, seconds = timed(lambda: import_bundle(laptop.replica, root / "full.bundle"))
    print(f"full import on the laptop: {summary.documents} documents, {summary.changes:,} "
          f"changes in {seconds:.1f} s (goal ≤ 10 s)")
    rebuilt, reindex = timed(laptop.reindex)
    print(f"  beside a reindex of the same {rebuilt} documents in this run: {reindex:.1f} s "
          f"(import ÷ reindex = {seconds / reindex:.2f})")

    residents = [row["id"] for row in queries.organizations(laptop.db)
                 if row["stage"] in ("startup", "growth")]
    day = random.Random(3).sample(residents, 50)
    change_bytes = 0
    for org in day:
        before = laptop.replica.document(f"org:{org}").heads()
        laptop.set_scores([ScoreEntry(org, "2026-10", DAY)])
        change_bytes += len(zlib.compress(
            laptop.replica.document(f"org:{org}").changes_since(before), 6))
    out, seconds = timed(lambda: export_bundle(laptop.replica, [source_id], root / "day.bundle"))
    print(f"\na day of field work (50 score entries, 50 organizations): export {out.bytes:,} B "
          f"in {seconds * 1000:.0f} ms; compressed change bytes {change_bytes:,} B; "
          f"bundle ÷ changes = {out.bytes / change_bytes:.2f}")
    summary, seconds = timed(lambda: import_bundle(source.replica, root / "day.bundle"))
    print(f"import at the hub: {summary.documents} documents, {summary.changes} changes "
          f"in {seconds * 1000:.0f} ms")
    back, seconds = timed(lambda: export_bundle(source.replica, [laptop_id],
                                                root / "back.bundle"))
    print(f"return trip (acknowledgements, no documents): {back.documents} documents, "
          f"{back.bytes:,} B in {seconds * 1000:.0f} ms")
    import_bundle(laptop.replica, root / "back.bundle")
    same = laptop.replica.dump_query_tables() == source.replica.dump_query_tables()
    print(f"\nhub and laptop query tables equal: {same}")


if __name__ == "__main__":
    main()
