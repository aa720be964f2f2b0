"""Sync benchmark: clone a 4,000-organization replica over TLS, edit on four hubs, reconnect.

    .venv/bin/python bench/sync.py                      # 4,000 organizations × 120 months
    .venv/bin/python bench/sync.py --orgs 400           # a quick look

The source hub serves from a separate `incubator sync serve` process on 127.0.0.1;
three more hub devices join it and sync as clients. Bytes are the protocol's own
(frames inside TLS; the TLS records and handshake add a few KB per session).
Prints figures; asserts nothing. Goals (issue 4): clone bytes ÷ compressed
snapshots ≤ 1.1; edits bytes ÷ compressed change bytes ≤ 1.5 plus ~100 B per
changed document; idle reconnect ≤ 200 B and 1 round trip per peer. Issue 16: a first
clone ≤ 8 s, printed beside a reindex of the same documents measured in the same run;
a field laptop scoped to 200 organizations clones about 200 organizations' bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
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
from incubator.sync.transport import sync_with

NOW = datetime(2026, 11, 15, 9, 30, tzinfo=timezone.utc)
EDITED = {"plan": 1.5, "cleanliness": 1, "activities": 2, "archives": 1.5, "party": 1}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def checkpoint(store: Store) -> None:
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def session(store: Store, peer: str, address: str):
    result = asyncio.run(sync_with(store.replica, peer, address))
    if result.error:
        raise SystemExit(f"sync failed: {result.error}")
    return result.stats


def compressed_snapshots(store: Store) -> tuple[int, int]:
    """(sum of save() sizes, sum of zlib-compressed save() sizes) over all documents."""
    raw = packed = 0
    for doc_id in store.replica.doc_ids():
        data = store.replica.document(doc_id).save()
        raw += len(data)
        packed += len(zlib.compress(data, 6))
    return raw, packed


def rsync_bytes(old: Path, new: Path) -> str:
    """What rsync's delta transfer moves to turn `old` into `new` (bytes sent + received)."""
    if not shutil.which("rsync"):
        return "rsync not installed"
    target = old.with_suffix(".rsync-target")
    shutil.copy(old, target)
    out = subprocess.run(["rsync", "--no-whole-file", "--stats", str(new), str(target)],
                         capture_output=True, text=True, check=True).stdout
    target.unlink()
    sent = next(line for line in out.splitlines() if line.startswith("Total bytes sent"))
    received = next(line for line in out.splitlines() if line.startswith("Total bytes received"))
    as_int = lambda line: int(line.split(":")[1].strip().replace(",", ""))  # noqa: E731
    return f"{as_int(sent) + as_int(received):,} B"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=4000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--root", type=Path, help="keep the replicas here (default: a temp dir)")
    args = parser.parse_args()
    root = args.root or Path(tempfile.mkdtemp(prefix="incubator-sync-bench-"))
    source_home = root / "source"
    clock = lambda: NOW  # noqa: E731
    if replica_path(source_home).exists():
        source = Store.open(source_home, clock=clock)
        print(f"reusing {replica_path(source_home)}")
    else:
        started = time.perf_counter()
        source = build_demo(source_home, orgs=args.orgs, months=args.months, seed=1, clock=clock)
        print(f"build: {args.orgs} organizations × {args.months} months "
              f"in {time.perf_counter() - started:.1f} s")
    port = free_port()
    address = f"127.0.0.1:{port}"
    source_id = source.replica.identity.device_id
    laptop_home = root / "laptop"
    shutil.rmtree(laptop_home, ignore_errors=True)
    laptop = Store.join(laptop_home, Card.of(source.replica.identity, address), "外勤笔记本",
                        clock=clock)
    scoped = random.Random(16).sample(sorted(row["id"] for row in queries.organizations(
        source.db)), 200)
    source.add_member(Card.of(laptop.replica.identity), "field",
                      scope=",".join(f"org:{org}" for org in scoped))
    scoped_packed = sum(len(zlib.compress(source.replica.document(f"org:{org}").save(), 6))
                        for org in scoped)
    hubs = []
    for number in (1, 2, 3):
        home = root / f"hub{number}"
        shutil.rmtree(home, ignore_errors=True)
        hub = Store.join(home, Card.of(source.replica.identity, address), f"中心{number}",
                         clock=clock)
        source.add_member(Card.of(hub.replica.identity), "hub")
        hubs.append(hub)
    raw, packed = compressed_snapshots(source)
    docs = len(source.replica.doc_ids())
    checkpoint(source)
    source.close()

    server = subprocess.Popen(
        [sys.executable, "-m", "incubator.cli", "sync", "serve", "--listen", address,
         "--no-announce"], env={**os.environ, "INCUBATOR_HOME": str(source_home)},
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) and time.monotonic() < deadline:
            time.sleep(0.05)
        print(f"\nsnapshots: {docs} documents, save() {raw:,} B, zlib(save()) {packed:,} B")
        clones = []
        for hub in hubs:
            started = time.perf_counter()
            stats = session(hub, source_id, address)
            moved = stats.bytes_sent + stats.bytes_received
            clones.append((moved, time.perf_counter() - started))
            print(f"initial clone ({hub.replica.identity.device_name}): {moved:,} B in "
                  f"{clones[-1][1]:.1f} s, {stats.round_trips} round trips; "
                  f"÷ compressed snapshots = {moved / packed:.3f} (goal ≤ 1.1)")
        started = time.perf_counter()
        rebuilt = hubs[0].reindex()
        reindex = time.perf_counter() - started
        print(f"first clone {clones[0][1]:.1f} s (goal ≤ 8 s) beside a reindex of the same "
              f"{rebuilt} documents in this run: {reindex:.1f} s "
              f"(clone ÷ reindex = {clones[0][1] / reindex:.2f})")
        started = time.perf_counter()
        stats = session(laptop, source_id, address)
        moved = stats.bytes_sent + stats.bytes_received
        held = len(queries.organizations(laptop.db))
        print(f"field laptop scoped to 200 organizations: {held} organizations, {moved:,} B in "
              f"{time.perf_counter() - started:.1f} s; ÷ the full clone = "
              f"{moved / clones[0][0]:.3f}; ÷ those 200 organizations' compressed snapshots "
              f"({scoped_packed:,} B) = {moved / scoped_packed:.2f}")

        source = Store.open(source_home, clock=clock)
        devices = [source, *hubs]
        for device in devices:
            checkpoint(device)
            shutil.copy(device.replica.path, device.replica.path.parent / "before.sqlite")
        rng = random.Random(4)
        org_ids = [row["id"] for row in queries.organizations(source.db)
                   if row["stage"] in ("startup", "growth")]
        edited = rng.sample(org_ids, args.edits)
        change_bytes = 0
        for number, org in enumerate(edited):
            device = devices[number % len(devices)]
            doc = device.replica.document(f"org:{org}")
            before = doc.heads()
            device.set_scores([ScoreEntry(org, "2026-10", EDITED)])
            change_bytes += len(zlib.compress(
                device.replica.document(f"org:{org}").changes_since(before), 6))
        rsync = []
        for device in devices:
            checkpoint(device)
            folder = device.replica.path.parent
            rsync.append(f"{device.replica.identity.device_name} "
                         f"{rsync_bytes(folder / 'before.sqlite', device.replica.path)}")
        source.close()
        print(f"\n{args.edits} edits on 4 hubs ({args.edits // 4} each): "
              f"compressed change bytes {change_bytes:,} B")
        total = rounds = 0
        started = time.perf_counter()
        for _pass in (1, 2):
            for hub in hubs:
                stats = session(hub, source_id, address)
                total += stats.bytes_sent + stats.bytes_received
                rounds += stats.round_trips
        elapsed = time.perf_counter() - started
        deliveries = 3 * change_bytes
        print(f"converge (each hub syncs with the source, twice): {total:,} B in {elapsed:.2f} s, "
              f"{rounds} round trips")
        print(f"  each edit reaches 3 other replicas: {deliveries:,} B of compressed changes "
              f"delivered; bytes ÷ that = {total / deliveries:.2f}; overhead per delivered "
              f"document {(total - deliveries) / (3 * args.edits):.0f} B "
              f"(goal ≤ 1.5 plus ~100 B per changed document)")
        print("  rsync of each replica file over its own edits: " + "; ".join(rsync))

        print()
        for hub in hubs:
            stats = session(hub, source_id, address)
            print(f"idle reconnect ({hub.replica.identity.device_name}): "
                  f"{stats.bytes_sent + stats.bytes_received} B, {stats.round_trips} round trip(s), "
                  f"{stats.seconds * 1000:.0f} ms (goal ≤ 200 B, 1 round trip)")
        dumps = {hub.replica.identity.device_name: hub.replica.dump_query_tables()
                 for hub in hubs}
        source = Store.open(source_home, clock=clock)
        same = all(dump == source.replica.dump_query_tables() for dump in dumps.values())
        print(f"\nall four replicas' query tables equal: {same}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
