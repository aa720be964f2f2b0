"""The asyncio transport around the sans-IO protocol: a server and a client over TLS.

Everything that touches the replica (the session's steps, merges, sync's records) runs
on one worker thread per replica (`ReplicaWorker`), never on the event loop: a merge that
waits for another program's write, or takes a while, does not stall the other sessions,
and idle sessions are served meanwhile. A session that cannot write ends with BUSY and
the client tries again with backoff (`BUSY_RETRIES`).

A server bounds what hostile members can make it hold: at most `max_per_device` sessions
per device at once (more are answered BUSY), and frames larger than `READ_SIZE` are only
read once their whole size is reserved from a budget shared by all connections
(`buffer_bytes`); a frame that cannot get it within `READ_TIMEOUT` ends its session BUSY.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..domain.device import parse_device_id, short_device_id
from ..domain.errors import DomainError
from ..i18n import _
from ..store.ports import ReplicaBusy, StorageError, SyncPort
from .exchange import Exchange
from .peers import (
    SessionStats, device_names, log_event, peer_address, record_session, record_session_opened,
    trusted_certificates,
)
from .protocol import PeerBusy, ProtocolError, SyncSession, busy_frame, error_frame
from .tls import PinError, ServerContexts, client_context, peer_device_id

DEFAULT_PORT = 22300
CONNECT_TIMEOUT = 10.0
# Seconds a silent peer is waited for; INCUBATOR_SYNC_TIMEOUT shortens it (tests of
# stalled peers).
READ_TIMEOUT = float(os.environ.get("INCUBATOR_SYNC_TIMEOUT") or 60.0)
READ_SIZE = 256 * 1024
# Seconds a merge waits for another program's write before the session ends busy: well
# within the peer's patience.
MERGE_WAIT = min(2.0, READ_TIMEOUT / 4)
MAX_PER_DEVICE = 2
BUFFER_BYTES = 64 * 1024 * 1024
# Seconds before each new try when the peer (or this replica) is busy; then give up.
BUSY_RETRIES = (1, 2, 4, 8, 15, 15, 15, 15, 15, 15, 15)

Events = Callable[[str], None]


class SyncError(DomainError):
    """A session that could not start or did not finish; nothing half-applied."""


class SyncBusy(SyncError):
    """A session ended because one side could not go on now; worth trying again later."""


class ReplicaWorker:
    """The one thread on which sync touches a replica, shared by every session with it."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="incubator-replica")

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    async def each(self, frames: Iterator[bytes]):
        """The frames a session step yields, each built on the worker."""
        while (frame := await self.run(next, frames, None)) is not None:
            yield frame

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class FrameBudget:
    """Bytes of incoming frames all of a server's connections may buffer at once."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.free = total
        self._changed = asyncio.Condition()

    async def hold(self, needed: int, held: int) -> int:
        """Hold what a connection's next frame needs (`needed` bytes; nothing for a frame
        that fits in one read), giving back what it held for the previous one. Waits up
        to `READ_TIMEOUT`, else `SyncBusy`."""
        needed = min(needed, self.total) if needed > READ_SIZE else 0
        if needed == held:
            return held
        async with self._changed:
            self.free += held
            self._changed.notify_all()
            if needed:
                try:
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: self.free >= needed), READ_TIMEOUT)
                except asyncio.TimeoutError:
                    raise SyncBusy("The server is receiving as much as it may buffer; "
                                   "try again later") from None
                self.free -= needed
        return needed


def parse_address(text: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """HOST:PORT (or :PORT, or HOST) → (host, port)."""
    text = str(text).strip()
    host, sep, port = text.rpartition(":") if ":" in text else (text, "", "")
    host = host.strip("[]") or default_host
    try:
        number = int(port) if sep else DEFAULT_PORT
    except ValueError:
        number = -1
    if not 0 < number < 65536 or not host:
        raise SyncError("{address} is not a valid HOST:PORT address", address=text[:80])
    return host, number


@dataclass
class PeerResult:
    """The outcome of one session with one peer, for printing."""

    device_id: str
    name: str
    stats: SessionStats
    error: str | None = None

    def as_dict(self) -> dict:
        return {"device_id": self.device_id, "name": self.name, "error": self.error,
                "docs_sent": self.stats.docs_sent, "docs_received": self.stats.docs_received,
                "bytes_sent": self.stats.bytes_sent, "bytes_received": self.stats.bytes_received,
                "round_trips": self.stats.round_trips, "seconds": round(self.stats.seconds, 3),
                "refused": self.stats.refused}


async def _drive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 session: SyncSession, stats: SessionStats, worker: ReplicaWorker,
                 budget: FrameBudget | None = None) -> None:
    """Run `session` over the stream until both sides are done."""
    held = 0
    try:
        hello = await worker.run(session.start)
        writer.write(hello)
        stats.bytes_sent += len(hello)
        await writer.drain()
        wrote = True
        while not session.done:
            if budget:
                held = await budget.hold(session.decoder.pending(), held)
            data = await asyncio.wait_for(reader.read(READ_SIZE), READ_TIMEOUT)
            if not data:
                if not session.got_hello:
                    raise SyncError("The peer closed the connection before greeting: it does not "
                                    "accept this device (not a member there, or revoked)")
                raise SyncError("The peer closed the connection mid-session")
            stats.round_trips += wrote
            wrote = False
            stats.bytes_received += len(data)
            async for chunk in worker.each(session.receive(data)):
                writer.write(chunk)
                stats.bytes_sent += len(chunk)
                wrote = True
                await asyncio.wait_for(writer.drain(), READ_TIMEOUT)
    except PeerBusy as error:
        raise SyncBusy(error.text.message, **error.text.params) from None
    except (ReplicaBusy, SyncBusy) as error:
        writer.write(busy_frame(error.render()))
        raise SyncBusy(error.text.message, **error.text.params) from None
    except (ProtocolError, StorageError) as error:
        writer.write(error_frame(error.render()))
        raise
    except asyncio.TimeoutError:
        raise SyncError("The peer stopped answering") from None
    except (ssl.SSLError, ConnectionError) as error:
        if not session.got_hello:
            raise SyncError("The peer refused this device's certificate ({error})",
                            error=str(error)[:200]) from None
        raise SyncError("The connection broke: {error}", error=str(error)[:200]) from None
    finally:
        if budget and held:
            await budget.hold(0, held)
        stats.docs_sent, stats.docs_received = session.docs_sent, session.docs_received
        stats.refused = list(session.refused)


def _message(error: BaseException) -> str:
    return error.render(_) if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        await asyncio.wait_for(writer.wait_closed(), 2)
    except (OSError, ssl.SSLError, asyncio.TimeoutError):
        pass


async def _session_with(replica: SyncPort, peer: str, address: str, stats: SessionStats,
                        worker: ReplicaWorker) -> None:
    """One attempt: connect to `peer` pinned, run a session."""
    certificate = (await worker.run(trusted_certificates, replica)).get(peer)
    if certificate is None:
        raise PinError("{device} is not a current member of this network",
                       device=short_device_id(peer))
    address = address or await worker.run(peer_address, replica, peer)
    if not address:
        raise SyncError("No address is known for {device}: give one with --address",
                        device=short_device_id(peer))
    host, port = parse_address(address)
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(
            host, port, ssl=client_context(replica.identity, certificate),
            server_hostname=""), CONNECT_TIMEOUT)
    except ssl.SSLCertVerificationError:
        raise PinError("The device at {address} is not {device}: its certificate does not "
                       "match the pinned device ID", address=address,
                       device=short_device_id(peer)) from None
    except (OSError, asyncio.TimeoutError, ssl.SSLError) as error:
        raise SyncError("Cannot reach {device} at {address}: {error}",
                        device=short_device_id(peer), address=address,
                        error=str(error)[:200] or type(error).__name__) from None
    try:
        reached = peer_device_id(writer.get_extra_info("ssl_object"))
        if reached != peer:
            raise PinError("{address} answered as {other}, not {device}", address=address,
                           other=short_device_id(reached), device=short_device_id(peer))
        await worker.run(record_session_opened, replica, peer)
        session = SyncSession(Exchange(replica, peer, _, MERGE_WAIT))
        await _drive(reader, writer, session, stats, worker)
    finally:
        await _close(writer)


async def sync_with(replica: SyncPort, device_id: str, address: str = "",
                    worker: ReplicaWorker | None = None) -> PeerResult:
    """One session with one member, as the client, tried again with backoff while either
    side is busy; the outcome is recorded."""
    peer = parse_device_id(device_id)
    own = worker is None
    worker = worker or ReplicaWorker()
    stats = SessionStats()
    try:
        names = await worker.run(device_names, replica)
        result = PeerResult(peer, names.get(peer, short_device_id(peer)), stats)
        started = time.perf_counter()
        for pause in (*BUSY_RETRIES, None):
            try:
                await _session_with(replica, peer, address, stats, worker)
            except SyncBusy as error:
                result.error = _message(error)
                if pause is None:
                    break
                await asyncio.sleep(pause)
                continue
            except (DomainError, OSError) as error:
                result.error = _message(error)
            else:
                result.error = None
            break
        stats.seconds = time.perf_counter() - started
        await worker.run(record_session, replica, peer, stats, result.error)
        return result
    finally:
        if own:
            worker.close()


def reachable_members(replica: SyncPort) -> list[str]:
    """Members (and pinned peers) this device may sync with and knows an address for."""
    return [device for device in trusted_certificates(replica) if peer_address(replica, device)]


Progress = Callable[[int, int, "str | None"], None]


async def sync_all(replica: SyncPort, peer: str | None = None, address: str = "",
                   progress: Progress | None = None,
                   worker: ReplicaWorker | None = None) -> list[PeerResult]:
    """A round with the named peer, or with every member that has an address, one after
    the other; `progress(done, total, device being synced or None at the end)`."""
    own = worker is None
    worker = worker or ReplicaWorker()
    try:
        peers = ([parse_device_id(peer)] if peer
                 else await worker.run(reachable_members, replica))
        if not peers:
            raise SyncError("No peer to sync with: add members with addresses, or name one "
                            "with --peer and --address")
        results = []
        for done, device in enumerate(peers):
            if progress:
                progress(done, len(peers), device)
            results.append(await sync_with(replica, device, address if peer else "", worker))
        if progress:
            progress(len(peers), len(peers), None)
        return results
    finally:
        if own:
            worker.close()


class SyncServer:
    """Accepts sessions from current members; revocations apply to the next handshake."""

    def __init__(self, replica: SyncPort, on_event: Events = lambda _line: None, *,
                 worker: ReplicaWorker | None = None, max_per_device: int = MAX_PER_DEVICE,
                 buffer_bytes: int = BUFFER_BYTES) -> None:
        self.replica = replica
        self.on_event = on_event
        self.contexts = ServerContexts(replica.identity, lambda: trusted_certificates(replica))
        self.server: asyncio.base_events.Server | None = None
        self.own_worker = worker is None
        self.worker = worker or ReplicaWorker()
        self.max_per_device = max_per_device
        self.budget = FrameBudget(buffer_bytes)
        self.sessions: Counter[str] = Counter()
        self.handlers: set[asyncio.Task] = set()

    async def start(self, host: str, port: int) -> tuple[str, int]:
        context = await self.worker.run(self.contexts.current)
        self.server = await asyncio.start_server(
            self._handle, host, port, ssl=context, ssl_handshake_timeout=CONNECT_TIMEOUT)
        bound = self.server.sockets[0].getsockname()
        return bound[0], bound[1]

    async def close(self) -> None:
        """Stop listening and end the sessions still open (each leaves both replicas valid)."""
        if self.server:
            self.server.close()
            await self.server.wait_closed()
        for handler in list(self.handlers):
            handler.cancel()
        await asyncio.gather(*self.handlers, return_exceptions=True)
        if self.own_worker:
            self.worker.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        self.handlers.add(handler)
        try:
            await self._serve(reader, writer)
        finally:
            self.handlers.discard(handler)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stats = SessionStats()
        started = time.perf_counter()
        peer = "?"
        counted = False
        try:
            peer = peer_device_id(writer.get_extra_info("ssl_object"))
            if self.sessions[peer] >= self.max_per_device:
                writer.write(busy_frame(_("this device already has {count} sessions open "
                                          "with it").format(count=self.sessions[peer])))
                raise SyncBusy("{count} sessions are already open with this device",
                               count=self.sessions[peer])
            self.sessions[peer] += 1
            counted = True
            if peer not in await self.worker.run(trusted_certificates, self.replica):
                raise PinError("{device} is not a current member", device=short_device_id(peer))
            await self.worker.run(record_session_opened, self.replica, peer)
            session = SyncSession(Exchange(self.replica, peer, _, MERGE_WAIT))
            await _drive(reader, writer, session, stats, self.worker, self.budget)
            stats.seconds = time.perf_counter() - started
            await self.worker.run(record_session, self.replica, peer, stats, None)
            self.on_event(_("Synced with {device}: {received} documents in, {sent} out").format(
                device=short_device_id(peer), received=stats.docs_received,
                sent=stats.docs_sent))
        except Exception as error:  # one session's failure never takes the server down
            message = _message(error)
            self.on_event(_("Session with {device} failed: {error}").format(
                device=short_device_id(peer), error=message))
            try:
                if peer == "?":
                    await self.worker.run(log_event, self.replica, None, "refused", message)
                elif counted:
                    stats.seconds = time.perf_counter() - started
                    await self.worker.run(record_session, self.replica, peer, stats, message)
            except StorageError as unrecorded:  # the disk is full: the server keeps serving
                self.on_event(_message(unrecorded))
        finally:
            if counted:
                self.sessions[peer] -= 1
            await _close(writer)
