"""District benchmark on `demo --district` (3,630 organizations, 2,610 rural).

    .venv/bin/python bench/district.py                       # builds /tmp/incubator-district once
    .venv/bin/python bench/district.py --home /some/replica  # or reuses another replica

Prints: the ranking recomputed from the query tables (one SQL statement), the zombie list,
a durable activity save (on a copy of the replica, fsync'd), and the app's cold start to
the dashboard beside a plain Textual app showing the same organizations in a DataTable,
measured in the same run. Asserts nothing.
Goals (issue 13): ranking ≤ 200 ms, zombies ≤ 100 ms, activity save p95 ≤ 20 ms,
start to the dashboard ≤ 1.5 × the plain app.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tui import NOW, time_plain  # the yardstick of bench/tui.py: a plain DataTable app


def figures(samples: list[float], cpu: list[float] | None = None) -> str:
    """p50 and p95 of the wall-clock samples, and of this process's CPU time when given
    (on a shared machine the wall clock counts the other programs' turns too)."""
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    shown = f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"
    return shown + (f" (CPU {figures(cpu)})" if cpu else "")


async def time_dashboard(home: Path) -> float:
    from incubator.screens.app import IncubatorApp
    from incubator.screens.dashboard.screen import DashboardScreen, Figure

    started = time.perf_counter()
    app = IncubatorApp(home, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.query("#district Figure"), "the district figures are not shown"
        assert all(isinstance(f, Figure) for f in app.screen.query("#district Figure"))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path("/tmp/incubator-district"),
                        help="the replica folder, built there when it holds none")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--saves", type=int, default=100)
    args = parser.parse_args()

    from incubator.demo import build_district
    from incubator.store import queries
    from incubator.store.commands import ActivityEntry, Store
    from incubator.store.home import replica_path

    if not replica_path(args.home).exists():
        started = time.perf_counter()
        store = build_district(args.home, seed=1, clock=lambda: NOW)
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        print(f"built {args.home} in {time.perf_counter() - started:.0f} s", flush=True)
        os.execv(sys.executable, [sys.executable, *sys.argv])  # measure in a fresh process

    store = Store.open(args.home, clock=lambda: NOW)
    db, today, settings = store.db, store.today(), store.settings()
    counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("organizations", "activities", "visits", "archive_checks", "scores")}
    print("replica: " + ", ".join(f"{n:,} {table}" for table, n in counts.items()))
    ranking, ranking_cpu, zombies = [], [], []
    for _ in range(args.runs):
        began, cpu = time.perf_counter(), time.process_time()
        ranked = queries.ranking(db, today, settings)
        ranking.append(time.perf_counter() - began)
        ranking_cpu.append(time.process_time() - cpu)
        began = time.perf_counter()
        found = queries.zombies(db, today, settings.zombie_months)
        zombies.append(time.perf_counter() - began)
    print(f"ranking of {len(ranked):,} organizations, four dimensions (one SQL statement): "
          f"{figures(ranking, ranking_cpu)}")
    print(f"zombie list ({len(found):,} of {len(ranked):,}, "
          f"{100 * len(found) / len(ranked):.0f}%): {figures(zombies)}")
    rows = [(r["id"], r["name"], r["category"], r["hub"] or "", r["stage"] or "",
             r["legal_status"], str(r["last_score10"]), str(r["stars"]), "")
            for r in queries.organizations(db)]
    store.close()

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch)
        shutil.copy(replica_path(args.home), replica_path(copy))
        writer = Store.open(copy, clock=lambda: NOW)
        rng = random.Random(5)
        saves, saves_cpu = [], []
        for number in range(args.saves):
            org_id = rng.choice(rows)[0]
            began, cpu = time.perf_counter(), time.process_time()
            writer.add_activity(ActivityEntry(org_id, "2026-11-14", f"入户走访{number}",
                                              "走访慰问", "", 10, 20, 30, 5.0, "签到表"))
            saves.append(time.perf_counter() - began)
            saves_cpu.append(time.process_time() - cpu)
        writer.close()
    print(f"activity save, one organization (fsync'd): {figures(saves, saves_cpu)}")

    plain = asyncio.run(time_plain(rows))
    cold = asyncio.run(time_dashboard(args.home))
    print(f"plain Textual app, {len(rows):,}-row DataTable: {plain:.2f} s to interactive")
    print(f"incubator, start to the dashboard: {cold:.2f} s (ratio {cold / plain:.2f})")


if __name__ == "__main__":
    main()
