"""Crash consistency: a writer process is killed with SIGKILL at random moments.

Three replicas of one network: A (the one under test), B (serving sync in its own
`incubator sync serve` process) and C (a hub that only exchanges bundles). A child
process (the script below, using the library directly) loops over writes to A and
prints an `ack` line after each one has returned:

- a score save on A (`Store.set_scores`),
- many small score saves on one "hot" organization, which makes the replica compact
  its document (change chunks outgrowing the snapshot, see `COMPACT_MIN_BYTES`),
- a sync receive: the child writes a score into B, then `sync_with` pulls it from B's
  server process into A,
- a bundle import: the child writes a score into C, exports a bundle for A and imports it,
- a reindex of A,
- a full disk: A's connection may not grow the file any more (`PRAGMA max_page_count`,
  as a full disk stops SQLite), and the child saves scores (and sometimes imports a
  bundle) until one is refused with `StorageError`; then the disk is freed and the same
  long-lived stores carry on. Every fourth child starts with a full disk.

The first six children each begin with one kind of write (hot saves until one compacts) and
are killed only after it was acknowledged, so that every kind is, on any machine.

The parent kills the child at a random moment (seeded), then checks A: `incubator
verify` exits 0, and every acknowledged score is there (a score's note carries a
counter that only grows, so the stored note of an (organization, month) is at least
the last acknowledged one), and no score refused on the full disk was stored. At the end B's server stops cleanly, B and C verify, and a
plain `incubator sync now` from A to B still works.

SIGKILL tests what the process can lose (SQLite's transactions against a process dying
at any instruction), not a power cut: the page cache survives the kill.

`INCUBATOR_LONG=1` runs 200 kills (or `INCUBATOR_KILLS=N`); `INCUBATOR_SEED=S` replays a run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from incubator.store.home import replica_path
from incubator.store.identity import Card
from incubator.store.commands import Store
from incubator.sync.bundle import export_bundle, import_bundle

from ..conftest import NOW

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}

CHILD = textwrap.dedent('''
    import asyncio, json, random, sys
    from pathlib import Path

    from incubator.store.commands import ScoreEntry, StorageError, Store
    from incubator.sync.bundle import export_bundle, import_bundle
    from incubator.sync.transport import sync_with

    config = json.loads(Path(sys.argv[1]).read_text())
    counter = int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]))
    first = sys.argv[4] if len(sys.argv) > 4 else None
    FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
    MONTHS = [f"{year}-{month:02d}" for year in range(2001, 2026) for month in range(1, 13)]

    a = Store.open(Path(config["a"]))
    b = Store.open(Path(config["b"]))
    c = Store.open(Path(config["c"]))
    hot = "org:" + config["hot"]

    def say(*words):
        # one write a line: with PYTHONUNBUFFERED print writes each word on its own, and a
        # kill between two of them cut an ack line short
        sys.stdout.write(" ".join(map(str, words)) + "\\n")
        sys.stdout.flush()

    def score(store, org, month, mark):
        global counter
        counter += 1
        note = f"{mark}{counter}"
        store.set_scores([ScoreEntry(org, month, FULL, note)])
        return counter

    def chunks(doc_id):
        return a.db.conn.execute("SELECT count(*) FROM chunks WHERE doc_id = ?",
                                 (doc_id,)).fetchone()[0]

    def bundle_from_c(month):
        number = score(c, config["c_org"], month, "c")
        path = Path(config["bundles"]) / f"{number}.bundle"
        export_bundle(c.replica, [config["a_id"]], path, full=True)
        return number, path

    def full_disk():
        """Fill A's disk, write until a write is refused, free it."""
        pages = a.db.conn.execute("PRAGMA page_count").fetchone()[0]
        a.db.conn.execute(f"PRAGMA max_page_count = {pages}")
        for _attempt in range(500):
            if rng.random() < 0.2:
                month = rng.choice(MONTHS)
                number, path = bundle_from_c(month)
                try:
                    import_bundle(a.replica, path)
                except StorageError:
                    say("full bundle")
                    break
                say("ack bundle", config["c_org"], month, number)
                continue
            org, month = rng.choice(config["orgs"]), rng.choice(MONTHS)
            try:
                number = score(a, org, month, "a")
            except StorageError:
                say("full score", org, month, counter)
                break
            say("ack score", org, month, number)
        a.db.conn.execute("PRAGMA max_page_count = 1073741823")
        say("ack free")

    say("ready")
    while True:
        op = first or rng.choices(["score", "hot", "sync", "bundle", "reindex", "full"],
                                  [4, 4, 2, 2, 1, 1])[0]
        first = "hot" if first == "hot" else None  # hot saves until one compacts
        say("begin", op)
        if op == "score":
            org, month = rng.choice(config["orgs"]), rng.choice(MONTHS)
            say("ack score", org, month, score(a, org, month, "a"))
        elif op == "hot":
            before = chunks(hot)
            month = rng.choice(MONTHS)
            number = score(a, config["hot"], month, "a")
            say("ack score", config["hot"], month, number)
            if chunks(hot) == 1 < before:
                say("ack compact", config["hot"], number)
                first = None
        elif op == "sync":
            month = rng.choice(MONTHS)
            number = score(b, config["b_org"], month, "b")
            result = asyncio.run(sync_with(a.replica, config["b_id"], config["b_address"]))
            if result.error:
                say("fail sync", json.dumps(result.error, ensure_ascii=False))
            else:
                say("ack sync", config["b_org"], month, number)
        elif op == "bundle":
            month = rng.choice(MONTHS)
            number, path = bundle_from_c(month)
            import_bundle(a.replica, path)
            say("ack bundle", config["c_org"], month, number)
            path.unlink()
        elif op == "full":
            full_disk()
        else:
            count = a.replica.reindex()
            say("ack reindex", count)
''')


KINDS = ("score", "hot", "sync", "bundle", "reindex", "full")  # the child's kinds of write
ACKED_BY = {"score": "ack score", "hot": "ack compact", "sync": "ack sync",
            "bundle": "ack bundle", "reindex": "ack reindex", "full": "ack free"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "incubator.cli", *args],
                          env={**os.environ, "INCUBATOR_HOME": str(home)},
                          capture_output=True, text=True, timeout=120)
    if check:
        assert done.returncode == 0, f"{home.name} {args}: {done.stdout}{done.stderr}"
    return done


def kills_wanted() -> int:
    if os.environ.get("INCUBATOR_KILLS"):
        return int(os.environ["INCUBATOR_KILLS"])
    return 200 if os.environ.get("INCUBATOR_LONG") else 10


def three_replicas(root: Path, port: int) -> dict:
    """A with five organizations (one of them hot), B and C hubs that joined and caught up."""
    clock = lambda: NOW  # noqa: E731
    a = Store.init(root / "A", "东湖孵化园", "东湖前台", clock=clock)
    orgs = [a.add_org(f"书画社{number}", "文化艺术", "东湖孵化园", entered="2001-01-01")
            for number in range(5)]
    config = {"a": str(root / "A"), "b": str(root / "B"), "c": str(root / "C"),
              "a_id": a.replica.identity.device_id, "orgs": orgs[1:], "hot": orgs[0],
              "b_address": f"127.0.0.1:{port}", "bundles": str(root / "usb")}
    (root / "usb").mkdir()
    for name in ("B", "C"):
        member = Store.join(root / name, Card.of(a.replica.identity), f"{name}前台", clock=clock)
        a.add_member(Card.of(member.replica.identity, config["b_address"] if name == "B" else ""),
                     "hub")
        path = root / "usb" / f"to-{name}.bundle"
        export_bundle(a.replica, [member.replica.identity.device_id], path, full=True)
        import_bundle(member.replica, path)
        config[f"{name.lower()}_id"] = member.replica.identity.device_id
        config[f"{name.lower()}_org"] = member.add_org(f"{name}合唱团", "文化艺术", "东湖孵化园",
                                                       entered="2001-01-01")
        path = root / "usb" / f"from-{name}.bundle"
        export_bundle(member.replica, [config["a_id"]], path, full=True)
        import_bundle(a.replica, path)
        member.close()
    a.close()
    (root / "config.json").write_text(json.dumps(config))
    return config


def stored_notes(home: Path) -> dict[tuple[str, str], int]:
    """(organization, month) → the counter in the stored score's note, from A's tables."""
    conn = sqlite3.connect(replica_path(home))
    try:
        return {(org, month): int(note[1:]) for org, month, note in conn.execute(
            "SELECT org_id, month, note FROM scores")}
    finally:
        conn.close()


def serve(home: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "incubator.cli", "sync", "serve", "--listen", f"127.0.0.1:{port}",
         "--no-announce"], env={**os.environ, "INCUBATOR_HOME": str(home)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.05)
    server.kill()
    raise AssertionError("B did not start serving")


def test_acknowledged_writes_survive_sigkill(tmp_path):
    seed = int(os.environ.get("INCUBATOR_SEED") or random.SystemRandom().randrange(10**9))
    rng = random.Random(seed)
    kills = kills_wanted()
    started = time.monotonic()
    port = free_port()
    config = three_replicas(tmp_path, port)
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    home_a = Path(config["a"])
    server = serve(Path(config["b"]), port)
    acked: dict[tuple[str, str], int] = {}
    refused: dict[tuple[str, str], int] = {}
    figures = {"acks": 0, "scores": 0, "compactions": 0, "syncs": 0, "bundles": 0, "reindexes": 0,
               "disk_full_refusals": 0, "disk_freed": 0}
    interrupted: dict[str, int] = {}
    failures: list[str] = []
    try:
        for kill in range(kills):
            # the first children begin with each kind of write in turn and are killed only
            # once it was acknowledged: every kind is, however slow the machine is
            first = KINDS[kill] if kill < len(KINDS) else "full" if kill % 4 == 1 else None
            child = subprocess.Popen(
                [sys.executable, str(script), str(tmp_path / "config.json"),
                 str((kill + 1) * 10**6), str(rng.randrange(10**9)), *([first] if first else [])],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                cwd=Path(__file__).resolve().parents[2])
            ready = child.stdout.readline()
            assert ready == "ready\n", (
                f"seed={seed} kill {kill}: the child did not start: {ready}{child.stderr.read()}")
            lines = []
            while kill < len(KINDS) and not any(
                    line.startswith(ACKED_BY[first]) for line in lines):
                line = child.stdout.readline()
                assert line, f"seed={seed} kill {kill}: the child ended: {child.stderr.read()}"
                lines.append(line.rstrip("\n"))
            time.sleep(rng.uniform(0, 1.2))
            child.send_signal(signal.SIGKILL)
            child.wait()
            lines += child.stdout.read().split("\n")[:-1]  # (a line the kill cut was not said)
            assert child.returncode == -signal.SIGKILL, (
                f"seed={seed} kill {kill}: the child ended by itself: {child.stderr.read()}")
            last = None
            for line in lines:
                words = line.split()
                if words[0] == "begin":
                    last = words[1]
                elif words[0] == "fail":
                    failures.append(line)
                elif words[0] == "full":
                    figures["disk_full_refusals"] += 1
                    if words[1] == "score":
                        refused[(words[2], words[3])] = int(words[4])
                elif words[0] == "ack":
                    kind = words[1]
                    if kind == "free":
                        figures["disk_freed"] += 1
                        last = None
                        continue
                    if last != "full":  # writes inside the full-disk trial do not end it
                        last = None
                    figures["acks"] += 1
                    if kind in ("score", "sync", "bundle"):
                        acked[(words[2], words[3])] = int(words[4])
                    figures[{"score": "scores", "compact": "compactions", "sync": "syncs",
                             "bundle": "bundles", "reindex": "reindexes"}[kind]] += 1
            if last:
                interrupted[last] = interrupted.get(last, 0) + 1

            verified = cli(home_a, "verify", check=False)
            assert verified.returncode == 0, (
                f"seed={seed} kill {kill}: verify failed after the kill: "
                f"{verified.stdout}{verified.stderr}")
            notes = stored_notes(home_a)
            lost = {key: number for key, number in acked.items()
                    if notes.get(key, -1) < number}
            assert not lost, f"seed={seed} kill {kill}: acknowledged writes lost: {lost}"
            kept = {key: number for key, number in refused.items() if notes.get(key) == number}
            assert not kept, f"seed={seed} kill {kill}: writes refused on a full disk kept: {kept}"
        assert not failures, f"seed={seed}: writes failed without a crash: {failures}"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            _out, server_log = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _out, server_log = server.communicate()
    assert server.returncode == 0, f"seed={seed}: B's server: {server_log}"
    for name in ("b", "c"):
        cli(Path(config[name]), "verify")
    server = serve(Path(config["b"]), port)
    try:
        cli(home_a, "sync", "now", "--peer", config["b_id"], "--address", config["b_address"])
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    cli(home_a, "verify")
    cli(Path(config["b"]), "verify")

    # Every kind of write was acknowledged at least once over the run.
    assert all(figures.values()), f"seed={seed}: {figures}"
    checked = len(acked)
    print(f"\ncrash test seed={seed}: {kills} kills, {figures['acks']} acknowledged writes "
          f"({figures}), {checked} (organization, month) scores checked after every kill, "
          f"0 lost, {len(refused)} refused on a full disk and absent; interrupted mid-write: "
          f"{interrupted}; {time.monotonic() - started:.0f} s")
