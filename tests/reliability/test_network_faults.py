"""Network faults between two real processes: `incubator sync serve` and `incubator sync now`.

A fault-injecting TCP proxy (asyncio, on 127.0.0.1, in this test's process) sits between
the client and the server and delays, cuts (after N bytes, closing or resetting), flips a
bit of, or stalls the byte stream in one direction. Whatever happens, the client either
completes or exits non-zero with a plain message (no traceback); both replicas pass
`incubator verify` (the query tables equal what the documents give, i.e. a reindex);
every document is whole (an organization arrives with all its scores or not at all); and
the next try without the fault completes and leaves both replicas' tables equal.

Then hostile members (a viewer's valid member certificate, then nonsense): a frame
header claiming 32 MiB followed by silence, a 32 MiB frame of garbage, a flood of random
bytes, and 120 connections at once each sending a 32 MiB frame. The server's memory stays
bounded (VmHWM, its peak resident size, from /proc), it drops the connections, and a
normal member's sync in the meantime succeeds. Last, another program holds the server's
SQLite write lock: idle sessions are still served, a session that brings changes is told
"busy" and its client tries again until the lock is gone, and nothing is logged but plain
lines.

The processes run with INCUBATOR_SYNC_TIMEOUT=2 so a stalled peer is given up on in 2 s.
`INCUBATOR_SEED=S` replays the random cut points.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import sqlite3
import ssl
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from incubator.store.home import replica_path
from incubator.store.identity import Card
from incubator.store.commands import ScoreEntry, Store
from incubator.store.replica import Replica, dump_query_tables
from incubator.sync.protocol import MAX_FRAME
from incubator.sync.tls import client_context

from ..conftest import NOW

TIMEOUT = 2
FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
MONTHS = [f"{year}-{month:02d}" for year in range(2019, 2026) for month in range(1, 13)]
SEED = int(os.environ.get("INCUBATOR_SEED") or random.SystemRandom().randrange(10**9))
MiB = 1024 * 1024


@dataclass(frozen=True)
class Fault:
    kind: str            # delay, cut, reset, flip, stall
    direction: str       # up (client → server) or down (server → client)
    at: float = 0.0      # where, as a fraction of a clean round's bytes that way (≥ 1: bytes)

    def __str__(self) -> str:
        return f"{self.kind}-{self.direction}-{self.at:g}"


class FaultProxy:
    """A TCP proxy in its own thread and event loop; `fault` applies to new connections."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.fault: Fault | None = None
        self.at_byte = 0
        self.finished: list[dict[str, int]] = []
        self.handlers: set[asyncio.Task] = set()  # strong references while a link is open
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = self._call(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def close(self) -> None:
        async def cancel_all() -> None:
            self.server.close()
            for handler in list(self.handlers):
                handler.cancel()
            await asyncio.gather(*self.handlers, return_exceptions=True)

        self._call(cancel_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    async def _handle(self, client_reader, client_writer) -> None:
        fault, at = self.fault, self.at_byte
        handler = asyncio.current_task()
        self.handlers.add(handler)
        released = asyncio.Event()
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target)
        counts = {"up": 0, "down": 0}
        writers = (client_writer, server_writer)

        def shut(reset: bool) -> None:
            for writer in writers:
                if reset:
                    writer.transport.abort()
                else:
                    writer.close()

        async def pump(reader, writer, direction: str) -> None:
            active = fault if fault and fault.direction in (direction, "both") else None
            while True:
                data = await reader.read(64 * 1024)
                if not data:
                    return
                start = counts[direction]
                counts[direction] += len(data)
                if active is None:
                    writer.write(data)
                elif active.kind == "delay":
                    for offset in range(0, len(data), 1000):
                        await asyncio.sleep(0.004)
                        writer.write(data[offset:offset + 1000])
                        await writer.drain()
                elif active.kind == "flip":
                    if start <= at < start + len(data):
                        flipped = bytearray(data)
                        flipped[at - start] ^= 0x10
                        data = bytes(flipped)
                    writer.write(data)
                elif start + len(data) >= at:  # cut, reset, stall: forward up to `at`
                    writer.write(data[:at - start])
                    await writer.drain()
                    if active.kind == "stall":
                        await released.wait()  # never set: until the other direction ends
                    shut(reset=active.kind == "reset")
                    return
                else:
                    writer.write(data)
                await writer.drain()

        tasks = [asyncio.ensure_future(pump(client_reader, server_writer, "up")),
                 asyncio.ensure_future(pump(server_reader, client_writer, "down"))]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            shut(reset=False)
            self.finished.append(counts)
            self.handlers.discard(handler)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Pair:
    """Server S (a hub, serving in its own process) and client C (a hub that joined it)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rng = random.Random(SEED)
        self.env = {**os.environ, "INCUBATOR_NOW": NOW.isoformat(),
                    "INCUBATOR_SYNC_TIMEOUT": str(TIMEOUT)}
        self.port = free_port()
        clock = lambda: NOW  # noqa: E731
        server = Store.init(root / "S", "东湖孵化园", "东湖前台", clock=clock)
        client = Store.join(root / "C", Card.of(server.replica.identity), "外勤一号", clock=clock)
        server.add_member(Card.of(client.replica.identity), "hub")
        viewer = Store.join(root / "V", Card.of(server.replica.identity), "观察者", clock=clock)
        server.add_member(Card.of(viewer.replica.identity), "viewer")
        self.server_id = server.replica.identity.device_id
        self.server_certificate = server.replica.identity.certificate_pem
        self.hostile_identity = viewer.replica.identity  # a member gone rogue
        for store in (server, client, viewer):
            store.close()
        self.rounds = 0
        self.log = root / "server.log"
        self.process = self.serve()
        self.proxy = FaultProxy(self.port)

    def serve(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "incubator.cli", "sync", "serve", "--listen",
             f"127.0.0.1:{self.port}", "--no-announce"],
            env={**self.env, "INCUBATOR_HOME": str(self.root / "S")},
            stdout=subprocess.DEVNULL, stderr=self.log.open("a"), text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return process
            time.sleep(0.05)
        process.kill()
        raise AssertionError("the server did not start")

    def stop(self) -> str:
        self.proxy.close()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the server did not stop: {self.log.read_text()}") from None
        log = self.log.read_text()
        assert self.process.returncode == 0, log
        return log

    def command(self, side: str, *args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "incubator.cli", *args],
                                env={**self.env, "INCUBATOR_HOME": str(self.root / side)},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def sync(self, address: str | None = None) -> tuple[int, str, str]:
        """`sync now` on C through `address` (the proxy by default)."""
        started = time.monotonic()
        process = self.command("C", "--json", "sync", "now", "--peer", self.server_id,
                               "--address", address or self.proxy.address)
        out, err = process.communicate(timeout=TIMEOUT * 4 + 30)
        self.elapsed = time.monotonic() - started
        return process.returncode, out, err

    def verify_both(self) -> None:
        runs = {side: self.command(side, "verify") for side in ("S", "C")}
        for side, process in runs.items():
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, f"seed={SEED}: {side} fails verify: {out}{err}"

    def write_round(self) -> dict[str, int]:
        """New work on both sides: organizations with a year of scores, as one change each.
        Returns organization id → the number of scores it was written with."""
        self.rounds += 1
        written = {}
        for side, count in (("S", 6), ("C", 2 if self.rounds > 1 else 0)):
            if not count:
                continue
            store = Store.open(self.root / side, clock=lambda: NOW)
            try:
                hub = store.db.conn.execute("SELECT name FROM hubs").fetchone()[0]
                for number in range(count):
                    org = store.add_org(f"{side}第{self.rounds}轮{number}号社", "文化艺术", hub,
                                        entered="2019-01-01")
                    months = self.rng.sample(MONTHS, 24)
                    store.set_scores([ScoreEntry(org, month, FULL, f"{side}{self.rounds}")
                                      for month in months])
                    written[org] = len(months)
            finally:
                store.close()
        return written

    def tables(self, side: str) -> dict:
        conn = sqlite3.connect(replica_path(self.root / side))
        try:
            return dump_query_tables(conn)
        finally:
            conn.close()

    def whole(self, side: str, written: dict[str, int]) -> None:
        """Each organization of the round is there with all its scores, or not at all."""
        conn = sqlite3.connect(replica_path(self.root / side))
        try:
            for org, count in written.items():
                known = conn.execute("SELECT count(*) FROM organizations WHERE id = ?",
                                     (org,)).fetchone()[0]
                scores = conn.execute("SELECT count(*) FROM scores WHERE org_id = ?",
                                      (org,)).fetchone()[0]
                assert (known, scores) in ((0, 0), (1, count)), (
                    f"seed={SEED}: {side} holds organization {org} partly: "
                    f"{known} profile, {scores} of {count} scores")
        finally:
            conn.close()

    def clean_round(self) -> dict[str, int]:
        """A round without faults; returns the bytes each way it took through the proxy."""
        self.proxy.fault = None
        self.write_round()
        before = len(self.proxy.finished)
        code, out, err = self.sync()
        assert code == 0, f"{out}{err}"
        deadline = time.monotonic() + 10
        while len(self.proxy.finished) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.proxy.finished[-1]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    made = Pair(tmp_path_factory.mktemp("faults"))
    made.clean_round()                  # C's first catch-up
    made.calibration = made.clean_round()  # the size of a typical round
    yield made
    log = made.stop()
    assert "Traceback" not in log, log
    made.verify_both()


def fault_cases() -> list[Fault]:
    rng = random.Random(SEED)
    return [
        Fault("delay", "both"),
        Fault("cut", "up", 0.03), Fault("cut", "up", rng.uniform(0.2, 0.9)),
        Fault("cut", "down", rng.uniform(0.1, 0.5)),
        Fault("cut", "down", rng.uniform(0.5, 0.99)),
        Fault("reset", "down", rng.uniform(0.3, 0.9)),
        Fault("flip", "up", rng.uniform(0.1, 0.9)), Fault("flip", "down", 200),
        Fault("flip", "down", rng.uniform(0.2, 0.95)),
        Fault("stall", "up", rng.uniform(0.3, 0.9)), Fault("stall", "down", rng.uniform(0.3, 0.9)),
    ]


@pytest.mark.parametrize("fault", fault_cases(), ids=str)
def test_sync_survives_a_faulty_link(pair, fault):
    written = pair.write_round()
    size = pair.calibration[fault.direction if fault.direction != "both" else "down"]
    pair.proxy.at_byte = int(fault.at if fault.at >= 1 else fault.at * size)
    pair.proxy.fault = fault
    code, out, err = pair.sync()
    pair.proxy.fault = None
    context = f"seed={SEED} {fault} at byte {pair.proxy.at_byte} of {size}"
    assert code in (0, 1), f"{context}: exit {code}: {out}{err}"
    assert "Traceback" not in err, f"{context}: {err}"
    result, = json.loads(out)
    if fault.kind == "delay":
        assert code == 0 and result["error"] is None, f"{context}: {result}"
    if code:
        message = result["error"]
        assert isinstance(message, str) and message.strip() and "\n" not in message, (
            f"{context}: {result}")
    else:
        assert result["error"] is None, f"{context}: {result}"
    if fault.kind == "stall":
        assert code == 1 and pair.elapsed < TIMEOUT + 15, (
            f"{context}: a stalled link ended with {code} after {pair.elapsed:.1f} s")
    pair.verify_both()
    for side in ("S", "C"):
        pair.whole(side, written)

    code, out, err = pair.sync()
    assert code == 0, f"{context}: the next try without the fault failed: {out}{err}"
    assert pair.tables("S") == pair.tables("C"), f"{context}: the replicas differ after a clean try"
    for side in ("S", "C"):
        pair.whole(side, written)


def vm(pid: int, field: str) -> int:
    """A /proc/<pid>/status figure, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} for {pid}")


class Hostile:
    """A member (the viewer V's certificate) that speaks TLS to S directly, then misbehaves."""

    def __init__(self, pair: Pair) -> None:
        context = client_context(pair.hostile_identity, pair.server_certificate)
        raw = socket.create_connection(("127.0.0.1", pair.port), timeout=30)
        self.sock = context.wrap_socket(raw)
        self.closed_by_server = threading.Event()

    def send(self, data: bytes) -> bool:
        """Send `data`; False when the server has hung up (what a hostile peer earns)."""
        try:
            self.sock.sendall(data)
        except (ssl.SSLError, OSError):
            return False
        return True

    def wait_closed(self, seconds: float) -> bool:
        """Read (and drop) what the server sends until it closes the connection."""
        self.sock.settimeout(seconds)
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                if not self.sock.recv(65536):
                    return True
        except (ssl.SSLError, ConnectionError):
            return True
        except TimeoutError:
            return False
        return False

    def close(self) -> None:
        self.sock.close()


def normal_sync_succeeds(pair: Pair) -> None:
    pair.write_round()
    code, out, err = pair.sync(f"127.0.0.1:{pair.port}")
    assert code == 0, f"a normal sync during the attack failed: {out}{err}"


def test_stalled_giant_frame_header_is_dropped_and_others_are_served(pair):
    pid = pair.process.pid
    before = vm(pid, "VmRSS")
    hostile = [Hostile(pair) for _ in range(3)]
    for peer in hostile:  # a frame header claiming the largest frame, then silence
        peer.send(struct.pack(">IBB", MAX_FRAME, 4, 0) + b"\0" * 1000)
    normal_sync_succeeds(pair)
    assert vm(pid, "VmRSS") - before < 32 * MiB
    started = time.monotonic()
    for peer in hostile:
        assert peer.wait_closed(TIMEOUT + 10), "the server kept a stalled connection open"
        peer.close()
    assert time.monotonic() - started < TIMEOUT + 10
    normal_sync_succeeds(pair)


def flood(peer: Hostile, data: bytes, errors: list) -> None:
    view = memoryview(data)
    for offset in range(0, len(data), MiB):
        if not peer.send(view[offset:offset + MiB]):  # the server hung up mid-flood
            errors.append(offset)
            return


def flood_while_syncing(pair: Pair, floods: list[tuple[Hostile, bytes]]) -> None:
    """Each hostile peer sends its data while a normal member syncs; the server must drop
    or drain every one of them."""
    errors: list = []
    threads = [threading.Thread(target=flood, args=(peer, data, errors)) for peer, data in floods]
    for thread in threads:
        thread.start()
    normal_sync_succeeds(pair)
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive(), "a flood was not drained nor refused"
    for peer, _data in floods:
        assert peer.wait_closed(TIMEOUT + 10), "the server kept a flooding connection open"
        peer.close()


def test_garbage_floods_keep_memory_bounded(pair):
    pid = pair.process.pid
    rng = random.Random(SEED)
    baseline = vm(pid, "VmRSS")
    giant = struct.pack(">IBB", MAX_FRAME, 4, 0) + rng.randbytes(MAX_FRAME - 2)
    garbage = rng.randbytes(64 * MiB)
    flood_while_syncing(pair, [(Hostile(pair), giant + garbage[:MiB]),
                               (Hostile(pair), garbage)])
    peak = vm(pid, "VmHWM") - baseline
    # A connection buffers at most one frame (≤ 32 MiB); decoding it makes transient copies
    # (the frame, its body, its payload: about five frames' worth). Nothing grows with the
    # flood beyond that, and it is all given back once the connection is dropped.
    assert peak < 6 * MAX_FRAME, f"the server's peak resident size grew by {peak / MiB:.0f} MiB"
    after = vm(pid, "VmRSS") - baseline
    print(f"\nflood: peak +{peak / MiB:.0f} MiB, after +{after / MiB:.0f} MiB")
    assert after < 64 * MiB
    normal_sync_succeeds(pair)


@pytest.fixture
def fresh(tmp_path):
    """A pair of its own: a server process whose peak memory no other test has raised."""
    made = Pair(tmp_path)
    made.clean_round()
    yield made
    log = made.stop()
    assert "Traceback" not in log, log
    made.verify_both()


def test_a_flood_of_connections_from_one_member_stays_bounded(fresh):
    """120 connections at once from one (rogue) viewer, each sending a 32 MiB frame: two
    are served (the per-device limit), the rest told to retry later, and what the two
    buffer comes out of the shared budget."""
    giant = struct.pack(">IBB", MAX_FRAME, 4, 0) + random.Random(SEED).randbytes(MAX_FRAME - 2)
    peers: list[Hostile] = []
    connecting = [threading.Thread(target=lambda: peers.append(Hostile(fresh)))
                  for _ in range(120)]
    for thread in connecting:
        thread.start()
    for thread in connecting:
        thread.join(60)
    assert len(peers) == 120, "the server did not complete every TLS handshake"
    flood_while_syncing(fresh, [(peer, giant) for peer in peers])
    peak = vm(fresh.process.pid, "VmHWM")
    print(f"\n120 × 32 MiB: server peak resident size {peak / MiB:.0f} MiB")
    assert peak < 300 * 1000 * 1000, f"the server's peak resident size was {peak / MiB:.0f} MiB"
    assert fresh.log.read_text().count("个会话") >= 100  # told to retry: sessions already open
    normal_sync_succeeds(fresh)


LOCKER = """
import sqlite3, sys, time
from pathlib import Path
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO sync_log (at, event, detail) VALUES ('', 'locker', 'another program')")
Path(sys.argv[2]).write_text("locked")
deadline = time.monotonic() + 300
while not Path(sys.argv[3]).exists() and time.monotonic() < deadline:
    time.sleep(0.05)
conn.execute("ROLLBACK")
"""


def test_another_program_s_long_write_stalls_no_session(fresh, tmp_path):
    locked, release = tmp_path / "locked", tmp_path / "release"
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(replica_path(fresh.root / "S")),
                               str(locked), str(release)])
    try:
        deadline = time.monotonic() + 30
        while not locked.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert locked.exists(), "the locker did not take the write lock"
        # Idle: nothing to write, served at once although the replica is locked.
        code, out, err = fresh.sync(f"127.0.0.1:{fresh.port}")
        assert code == 0 and json.loads(out)[0]["error"] is None, f"{out}{err}"
        # Changes for the server: told busy, the client tries again until the lock is gone.
        store = Store.open(fresh.root / "C", clock=lambda: NOW)
        org = store.add_org("锁期间登记的社", "文化艺术", "东湖孵化园", entered="2019-01-01")
        store.set_scores([ScoreEntry(org, month, FULL) for month in MONTHS[:12]])
        store.close()
        written = {org: 12}
        client = fresh.command("C", "--json", "sync", "now", "--peer", fresh.server_id,
                               "--address", f"127.0.0.1:{fresh.port}")
        deadline = time.monotonic() + 60
        while "副本正忙" not in fresh.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "副本正忙" in fresh.log.read_text(), fresh.log.read_text()
        assert client.poll() is None, "the client gave up instead of trying again"
        release.write_text("go")
        out, err = client.communicate(timeout=120)
        assert client.returncode == 0 and json.loads(out)[0]["error"] is None, f"{out}{err}"
    finally:
        release.write_text("go")
        locker.wait(30)
    fresh.whole("S", written)
    assert fresh.tables("S") == fresh.tables("C")
    log = fresh.log.read_text()
    assert "database is locked" not in log and "Traceback" not in log, log
