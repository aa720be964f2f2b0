"""Running sync: one round now, or a service that serves members and syncs now and then.

`SyncService` is the one serving loop: `incubator sync serve` runs it until Ctrl-C, the
app's Sync screen runs it in a thread worker and stops it from the UI thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable

from ..domain.device import short_device_id
from ..domain.errors import DomainError
from ..i18n import _
from ..store.ports import SyncPort
from .peers import remember_address, trusted_certificates
from .transport import (
    BUFFER_BYTES, MAX_PER_DEVICE, Events, PeerResult, Progress, ReplicaWorker, SyncError,
    SyncServer, sync_all,
)

Rounds = Callable[["list[PeerResult] | DomainError"], None]


def learn_addresses(replica: SyncPort, seconds: float) -> int:
    """Look for members on the local network; remember the addresses found."""
    from .discovery import discover

    trusted = trusted_certificates(replica)
    found = {device: address for device, address in discover(seconds).items()
             if device in trusted}
    for device, address in found.items():
        remember_address(replica, device, address)
    return len(found)


def sync_round(replica: SyncPort, peer: str | None = None, address: str = "",
               discover_seconds: float = 0) -> list[PeerResult]:
    """One session with every reachable member, or with `peer`."""
    if discover_seconds:
        learn_addresses(replica, discover_seconds)
    return asyncio.run(sync_all(replica, peer, address))


class SyncService:
    """Serves sync to current members and, every `every_minutes`, syncs with each of them.

    `run()` serves until `stop()` is called (from any thread, even before it started).
    Events are reported as translated lines; background rounds to `on_round` (the results,
    or the error that stopped the round) with `progress` while they run. The server and
    the rounds share one worker thread on the replica.
    """

    def __init__(self, replica: SyncPort, *, every_minutes: float = 0, announce: bool = True,
                 on_event: Events = lambda _line: None, on_round: Rounds | None = None,
                 progress: Progress | None = None, max_per_device: int = MAX_PER_DEVICE,
                 buffer_bytes: int = BUFFER_BYTES) -> None:
        self.replica = replica
        self.every_minutes = every_minutes
        self.announce = announce
        self.max_per_device = max_per_device
        self.buffer_bytes = buffer_bytes
        self.on_event = on_event
        self.on_round = on_round or self._echo_round
        self.progress = progress
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stopped = False

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._loop is not None and self._stop is not None:
                with contextlib.suppress(RuntimeError):  # the loop has already finished
                    self._loop.call_soon_threadsafe(self._stop.set)

    def _attach(self) -> asyncio.Event:
        with self._lock:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            if self._stopped:
                self._stop.set()
            return self._stop

    async def run(self, host: str, port: int,
                  on_started: Callable[[int], None] = lambda _port: None) -> None:
        """Serve on host:port until stopped; `on_started(bound port)` once listening."""
        stop = self._attach()
        worker = ReplicaWorker()
        server = SyncServer(self.replica, self.on_event, worker=worker,
                            max_per_device=self.max_per_device, buffer_bytes=self.buffer_bytes)
        try:
            bound_host, bound_port = await server.start(host, port)
        except OSError as error:
            worker.close()
            raise SyncError("Cannot serve sync on {host}:{port}: {error}", host=host, port=port,
                            error=error.strerror or str(error)) from None
        self.on_event(_("Serving sync on {host}:{port} as {device}").format(
            host=bound_host, port=bound_port,
            device=short_device_id(self.replica.identity.device_id)))
        on_started(bound_port)
        announcer = await self._announce(host, bound_port)
        try:
            while not stop.is_set():
                timeout = self.every_minutes * 60 if self.every_minutes else None
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout)
                if not stop.is_set():
                    await self._background_round(worker)
        finally:
            if announcer:
                await announcer.close()
            await server.close()
            worker.close()
            self.on_event(_("Sync server stopped"))

    async def _announce(self, host: str, port: int):
        if not self.announce:
            return None
        from .discovery import Announcer

        announcer = Announcer(self.replica.identity.device_id, host, port)
        try:
            await announcer.start()
        except OSError as error:
            self.on_event(_("Local-network announcement unavailable: {error}").format(
                error=error))
            return None
        return announcer

    async def _background_round(self, worker: ReplicaWorker) -> None:
        try:
            results = await sync_all(self.replica, progress=self.progress, worker=worker)
        except DomainError as error:
            self.on_round(error)
        else:
            self.on_round(results)

    def _echo_round(self, outcome: list[PeerResult] | DomainError) -> None:
        if isinstance(outcome, DomainError):
            self.on_event(outcome.render(_))
            return
        for result in outcome:
            self.on_event(_("Background sync with {device}: {outcome}").format(
                device=result.name, outcome=result.error or _("ok")))

    def run_until_signalled(self, host: str, port: int) -> None:
        """Serve until Ctrl-C (or SIGTERM); stop cleanly, finishing nothing half-way."""

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(signum, self.stop)
            await self.run(host, port)

        asyncio.run(main())

