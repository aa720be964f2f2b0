"""Running sync: one round now, or a server that also syncs now and then."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from ..domain.device import short_device_id
from ..domain.errors import DomainError
from ..i18n import _
from ..store.exchange import remember_address, trusted_certificates
from ..store.replica import Replica
from .transport import Events, PeerResult, SyncError, SyncServer, sync_all


def learn_addresses(replica: Replica, seconds: float) -> int:
    """Look for members on the local network; remember the addresses found."""
    from .discovery import discover

    trusted = trusted_certificates(replica)
    found = {device: address for device, address in discover(seconds).items()
             if device in trusted}
    for device, address in found.items():
        remember_address(replica, device, address)
    return len(found)


def sync_round(replica: Replica, peer: str | None = None, address: str = "",
               discover_seconds: float = 0) -> list[PeerResult]:
    """One session with every reachable member, or with `peer`."""
    if discover_seconds:
        learn_addresses(replica, discover_seconds)
    return asyncio.run(sync_all(replica, peer, address))


def serve_forever(replica: Replica, host: str, port: int, *, every_minutes: float = 0,
                  announce: bool = True, echo: Events = print) -> None:
    """Serve until Ctrl-C (or SIGTERM); stop cleanly, finishing nothing half-way."""

    async def main() -> None:
        server = SyncServer(replica, echo)
        try:
            bound_host, bound_port = await server.start(host, port)
        except OSError as error:
            raise SyncError("Cannot serve sync on {host}:{port}: {error}", host=host, port=port,
                            error=error.strerror or str(error)) from None
        echo(_("Serving sync on {host}:{port} as {device}").format(
            host=bound_host, port=bound_port, device=short_device_id(replica.identity.device_id)))
        announcer = None
        if announce:
            from .discovery import Announcer

            announcer = Announcer(replica.identity.device_id, host, bound_port)
            try:
                await announcer.start()
            except OSError as error:
                echo(_("Local-network announcement unavailable: {error}").format(error=error))
                announcer = None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
        try:
            while not stop.is_set():
                timeout = every_minutes * 60 if every_minutes else None
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout)
                if not stop.is_set():
                    try:
                        results = await sync_all(replica)
                    except DomainError as error:
                        echo(error.render(_))
                        continue
                    for result in results:
                        echo(_("Background sync with {device}: {outcome}").format(
                            device=result.name, outcome=result.error or _("ok")))
        finally:
            if announcer:
                await announcer.close()
            await server.close()
            echo(_("Sync server stopped"))

    asyncio.run(main())
