"""The asyncio transport around the sans-IO protocol: a server and a client over TLS."""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.device import parse_device_id, short_device_id
from ..domain.errors import DomainError
from ..i18n import _
from ..store.ports import StorageError, SyncPort
from .exchange import Exchange
from .peers import (
    SessionStats, device_names, log_event, peer_address, record_session, trusted_certificates,
)
from .protocol import ProtocolError, SyncSession, error_frame
from .tls import PinError, ServerContexts, client_context, peer_device_id

DEFAULT_PORT = 22300
CONNECT_TIMEOUT = 10.0
# Seconds a silent peer is waited for; INCUBATOR_SYNC_TIMEOUT shortens it (tests of
# stalled peers).
READ_TIMEOUT = float(os.environ.get("INCUBATOR_SYNC_TIMEOUT") or 60.0)
READ_SIZE = 256 * 1024

Events = Callable[[str], None]


class SyncError(DomainError):
    """A session that could not start or did not finish; nothing half-applied."""


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
                 session: SyncSession, stats: SessionStats) -> None:
    """Run `session` over the stream until both sides are done."""
    hello = session.start()
    writer.write(hello)
    stats.bytes_sent += len(hello)
    await writer.drain()
    wrote = True
    try:
        while not session.done:
            data = await asyncio.wait_for(reader.read(READ_SIZE), READ_TIMEOUT)
            if not data:
                if not session.got_hello:
                    raise SyncError("The peer closed the connection before greeting: it does not "
                                    "accept this device (not a member there, or revoked)")
                raise SyncError("The peer closed the connection mid-session")
            stats.round_trips += wrote
            wrote = False
            stats.bytes_received += len(data)
            for chunk in session.receive(data):
                writer.write(chunk)
                stats.bytes_sent += len(chunk)
                wrote = True
                await asyncio.wait_for(writer.drain(), READ_TIMEOUT)
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


async def sync_with(replica: SyncPort, device_id: str, address: str = "") -> PeerResult:
    """One session with one member, as the client; the outcome is recorded."""
    peer = parse_device_id(device_id)
    stats = SessionStats()
    names = device_names(replica)
    result = PeerResult(peer, names.get(peer, short_device_id(peer)), stats)
    started = time.perf_counter()
    try:
        certificate = trusted_certificates(replica).get(peer)
        if certificate is None:
            raise PinError("{device} is not a current member of this network",
                           device=short_device_id(peer))
        address = address or peer_address(replica, peer)
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
            await _drive(reader, writer, SyncSession(Exchange(replica, peer, _)), stats)
        finally:
            await _close(writer)
    except (DomainError, OSError) as error:
        result.error = _message(error)
    stats.seconds = time.perf_counter() - started
    record_session(replica, peer, stats, result.error)
    return result


def reachable_members(replica: SyncPort) -> list[str]:
    """Members (and pinned peers) this device may sync with and knows an address for."""
    return [device for device in trusted_certificates(replica) if peer_address(replica, device)]


Progress = Callable[[int, int, "str | None"], None]


async def sync_all(replica: SyncPort, peer: str | None = None, address: str = "",
                   progress: Progress | None = None) -> list[PeerResult]:
    """A round with the named peer, or with every member that has an address, one after
    the other; `progress(done, total, device being synced or None at the end)`."""
    peers = [parse_device_id(peer)] if peer else reachable_members(replica)
    if not peers:
        raise SyncError("No peer to sync with: add members with addresses, or name one "
                        "with --peer and --address")
    results = []
    for done, device in enumerate(peers):
        if progress:
            progress(done, len(peers), device)
        results.append(await sync_with(replica, device, address if peer else ""))
    if progress:
        progress(len(peers), len(peers), None)
    return results


class SyncServer:
    """Accepts sessions from current members; revocations apply to the next handshake."""

    def __init__(self, replica: SyncPort, on_event: Events = lambda _line: None) -> None:
        self.replica = replica
        self.on_event = on_event
        self.contexts = ServerContexts(replica.identity, lambda: trusted_certificates(replica))
        self.server: asyncio.base_events.Server | None = None

    async def start(self, host: str, port: int) -> tuple[str, int]:
        self.server = await asyncio.start_server(
            self._handle, host, port, ssl=self.contexts.current(),
            ssl_handshake_timeout=CONNECT_TIMEOUT)
        bound = self.server.sockets[0].getsockname()
        return bound[0], bound[1]

    async def close(self) -> None:
        if self.server:
            self.server.close()
            await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stats = SessionStats()
        started = time.perf_counter()
        peer = "?"
        try:
            peer = peer_device_id(writer.get_extra_info("ssl_object"))
            if peer not in trusted_certificates(self.replica):
                raise PinError("{device} is not a current member", device=short_device_id(peer))
            await _drive(reader, writer, SyncSession(Exchange(self.replica, peer, _)), stats)
            stats.seconds = time.perf_counter() - started
            record_session(self.replica, peer, stats, None)
            self.on_event(_("Synced with {device}: {received} documents in, {sent} out").format(
                device=short_device_id(peer), received=stats.docs_received,
                sent=stats.docs_sent))
        except (DomainError, OSError) as error:
            message = _message(error)
            self.on_event(_("Session with {device} failed: {error}").format(
                device=short_device_id(peer), error=message))
            try:
                if peer == "?":
                    log_event(self.replica, None, "refused", message)
                else:
                    stats.seconds = time.perf_counter() - started
                    record_session(self.replica, peer, stats, message)
            except StorageError as unrecorded:  # the disk is full: the server keeps serving
                self.on_event(_message(unrecorded))
        finally:
            await _close(writer)
