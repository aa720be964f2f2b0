"""Real Syncthing instances (and a private relay) on 127.0.0.1 only, for the folder tests.

Each home is made with `syncthing generate --home DIR --no-default-folder` and its
config.xml is edited before the first start, so that no start ever tries to reach the
internet: no global or local discovery, no public relays, no NAT traversal or STUN, no
usage reports, crash reports or upgrades; listen and GUI addresses on 127.0.0.1; the other
device's only address the one given (its 127.0.0.1 port, or the private relay).
Every process started is stopped by its PID, even when a test fails.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

FOLDER_ID = "incubator-mailbox"
OFF = {
    "globalAnnounceEnabled": "false", "localAnnounceEnabled": "false", "relaysEnabled": "false",
    "natEnabled": "false", "crashReportingEnabled": "false", "urAccepted": "-1",
    "autoUpgradeIntervalH": "0", "startBrowser": "false", "announceLANAddresses": "false",
    "stunKeepaliveStartS": "0", "reconnectionIntervalS": "1", "relayReconnectIntervalM": "1",
}


def require(*binaries: str) -> None:
    """The Debian packages these tests need. Missing on CI (which runs as root and
    installs them in `.ci/run`) is a failure; a developer without root and without them
    is told and skipped."""
    missing = [name for name in binaries if shutil.which(name) is None]
    if not missing:
        return
    message = (f"{', '.join(missing)} not installed: `apt-get install -y syncthing "
               "syncthing-relaysrv` (.ci/run does it)")
    if os.geteuid() == 0:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, seconds: float, what: str, processes=()) -> None:
    """Return once `condition()` holds; fail after `seconds`, or at once (with its log)
    when one of `processes` has exited."""
    pause = threading.Event()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        for process in processes:
            process.check_alive()
        pause.wait(0.1)
    logs = "\n".join(process.tail() for process in processes)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}\n{logs}")


class Process:
    """A child process whose output goes to a log file; stopped by its PID."""

    def __init__(self, name: str, argv: list[str], log: Path, env: dict | None = None) -> None:
        self.name, self.log = name, log
        self.handle = open(log, "wb")
        self.popen = subprocess.Popen(argv, stdout=self.handle, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=env)

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return f"--- {self.name} (pid {self.popen.pid}) ---\n" + "\n".join(text)

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.popen.returncode}\n{self.tail()}")

    def stop(self) -> None:
        """SIGTERM to this PID, then SIGKILL if it has not ended within 10 s."""
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)
        self.handle.close()


class Relay(Process):
    """A private `strelaysrv` on 127.0.0.1 that joins no pool."""

    def __init__(self, root: Path) -> None:
        keys = root / "relay"
        keys.mkdir()
        self.port = free_port()
        super().__init__("strelaysrv", [
            "strelaysrv", "-listen", f"127.0.0.1:{self.port}", "-pools=", "-status-srv=",
            "-keys", str(keys), "-protocol", "tcp4"], root / "relay.log")
        found: dict[str, str] = {}

        def uri() -> bool:
            match = re.search(r"URI: relay://[^/]+/\?id=([A-Z0-9-]+)", self.log.read_text())
            if match:
                found["id"] = match.group(1)
            return bool(match)

        wait_until(uri, 30, "the relay to start", [self])
        self.url = f"relay://127.0.0.1:{self.port}/?id={found['id']}"


class Syncthing:
    """One Syncthing home sharing one folder with other devices."""

    def __init__(self, root: Path, name: str, folder: Path) -> None:
        self.home = root / f"syncthing-{name}"
        self.name, self.folder = name, folder
        out = subprocess.run(["syncthing", "generate", "--home", str(self.home),
                              "--no-default-folder"], capture_output=True, text=True,
                             check=True, env=self.environment())
        self.device_id = re.search(r"Device ID: ([A-Z0-9-]+)", out.stdout + out.stderr).group(1)
        self.port, self.gui_port = free_port(), free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.process: Process | None = None

    @staticmethod
    def environment() -> dict:
        return {**os.environ, "STNOUPGRADE": "1", "STNORESTART": "1",
                "STNODEFAULTFOLDER": "1"}

    def configure(self, peers: list[Syncthing], listen: str | None = None,
                  relays: bool = False) -> None:
        """Edit config.xml before the first start: everything that reaches beyond this
        machine off, listen on `listen` (default this home's 127.0.0.1 port), each peer's
        only address its own (or the relay), and the shared folder."""
        path = self.home / "config.xml"
        tree = ET.parse(path)
        config = tree.getroot()
        options = config.find("options")
        for key, value in {**OFF, "relaysEnabled": str(relays).lower()}.items():
            element = options.find(key)
            if element is None:
                element = ET.SubElement(options, key)
            element.text = value
        for element in options.findall("listenAddress") + options.findall("globalAnnounceServer"):
            options.remove(element)
        ET.SubElement(options, "listenAddress").text = listen or self.address
        config.find("gui").find("address").text = f"127.0.0.1:{self.gui_port}"
        defaults = config.find("defaults")
        for peer in peers:
            device = copy.deepcopy(defaults.find("device"))
            device.set("id", peer.device_id)
            device.set("name", peer.name)
            device.find("address").text = listen if relays else peer.address
            config.insert(1, device)
        folder = copy.deepcopy(defaults.find("folder"))
        folder.attrib.update(id=FOLDER_ID, label=FOLDER_ID, path=str(self.folder),
                             rescanIntervalS="2", fsWatcherDelayS="1")
        for peer in peers:
            shared = copy.deepcopy(folder.find("device"))
            shared.set("id", peer.device_id)
            folder.append(shared)
        config.insert(0, folder)
        tree.write(path)
        (self.folder / ".stfolder").mkdir(parents=True, exist_ok=True)

    def start(self, log: Path) -> Process:
        self.process = Process(f"syncthing {self.name}", [
            "syncthing", "serve", "--home", str(self.home), "--no-browser", "--no-restart",
            "--no-upgrade", "--no-default-folder", "--skip-port-probing",
            f"--gui-address=http://127.0.0.1:{self.gui_port}"], log, env=self.environment())
        return self.process

    def stop(self) -> None:
        if self.process:
            self.process.stop()
