"""Acceptance: four replicas as separate processes on 127.0.0.1, synced in a ring."""

import functools
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from incubator.store.home import replica_path
from incubator.store.replica import dump_query_tables

FULL = ["--item", "plan=2", "--item", "cleanliness=2", "--item", "activities=2",
        "--item", "archives=2", "--item", "party=2"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Device:
    """One replica: its own home, its own `incubator` processes."""

    def __init__(self, root, name: str) -> None:
        self.name = name
        self.home = root / name
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.server: subprocess.Popen | None = None

    def env(self) -> dict:
        return {**os.environ, "INCUBATOR_HOME": str(self.home)}

    def run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "incubator.cli", *args], env=self.env(),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{self.name} {args}: {done.stdout}{done.stderr}"
        return done.stdout

    def json(self, *args: str):
        return json.loads(self.run("--json", *args))

    @functools.cache
    def card(self) -> str:
        """The device's card, asked once (a card and an ID never change)."""
        return self.run("device", "card", "--address", self.address).strip()

    @functools.cache
    def device_id(self) -> str:
        return self.run("device", "id").strip()

    def serve(self) -> None:
        self.server = subprocess.Popen(
            [sys.executable, "-m", "incubator.cli", "sync", "serve", "--listen", self.address,
             "--no-announce"], env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError(f"{self.name} did not start serving")

    def stop(self) -> str:
        assert self.server is not None
        self.server.send_signal(signal.SIGINT)
        _out, err = self.server.communicate(timeout=30)
        assert self.server.returncode == 0, err
        return err

    def tables(self) -> dict:
        conn = sqlite3.connect(replica_path(self.home))
        try:
            return dump_query_tables(conn)
        finally:
            conn.close()


@pytest.fixture
def devices(tmp_path):
    made = {name: Device(tmp_path, name) for name in ("东湖前台", "西山前台", "南岭前台", "外勤一号")}
    yield made
    for device in made.values():
        if device.server and device.server.poll() is None:
            device.server.kill()
            device.server.wait()


def test_four_replicas_converge_in_a_ring(devices):
    a, b, c, d = devices.values()
    a.run("init", "--hub-name", "东湖孵化园", "--device-name", a.name)
    org = a.run("org", "add", "--name", "东湖村书画社", "--category", "文化艺术",
                "--hub", "东湖孵化园", "--entered", "2024-03-15").strip()
    for device in (b, c, d):
        device.run("init", "--join", a.card(), "--device-name", device.name)
    for device, role in ((b, "hub"), (c, "hub"), (d, "field")):
        a.run("member", "add", device.card(), "--role", role)
    for device in devices.values():
        device.serve()
    for device in devices.values():  # the four start side by side
        device.wait_until_serving()
    for device in (b, c, d):
        device.run("sync", "now", "--peer", a.device_id())

    a.run("score", "set", org, "--month", "2026-10", *FULL)
    b.run("org", "add", "--name", "新村合唱团", "--category", "文化艺术", "--hub", "东湖孵化园",
          "--entered", "2025-01-01")
    c.run("org", "edit", org, "--notes", "王老师来电：负责人换人")
    d.run("org", "edit", org, "--notes", "走访：活动室已启用")

    ring = [(a, b), (b, c), (c, d), (d, a)]
    for _round in range(2):
        for device, peer in ring:
            results = device.json("sync", "now", "--peer", peer.device_id())
            assert results[0]["error"] is None, results

    for device in devices.values():
        log = device.stop()
        assert "已与" in log and "同步服务已停止" in log, log
    dumps = [device.tables() for device in devices.values()]
    assert all(dump == dumps[0] for dump in dumps[1:])
    assert sorted(row[3] for row in dumps[0]["organizations"]) == ["东湖村书画社", "新村合唱团"]
    for device in devices.values():
        conflicts = device.json("conflicts")
        assert [(conflict["field"], sorted(entry["device_name"]
                                           for entry in conflict["candidates"]))
                for conflict in conflicts] == [("profile/notes", sorted([c.name, d.name]))]
        history = device.json("history", org)
        authors = {entry["summary"]: entry["device_name"] for entry in history}
        assert authors["入驻登记：东湖村书画社"] == a.name
        by_device = {entry["device_name"] for entry in history}
        assert {a.name, c.name, d.name} <= by_device
