"""LAN discovery with mDNS (zeroconf): hubs on one network find each other.

A serving device announces `_incubator._tcp.local.` with its device ID in the
TXT record. Discovery only ever yields addresses: whoever answers must still
pass the pinned TLS handshake, so a forged announcement gets nowhere.
"""

from __future__ import annotations

import socket
import time

from zeroconf import ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncZeroconf

from ..domain.device import parse_device_id, short_device_id

SERVICE = "_incubator._tcp.local."


def service_info(device_id: str, host: str, port: int) -> ServiceInfo:
    """What a serving device announces."""
    addresses = [socket.inet_aton(address) for address in _addresses(host)]
    return ServiceInfo(SERVICE, f"incubator-{short_device_id(device_id)}.{SERVICE}",
                       addresses=addresses, port=port, properties={"id": device_id},
                       server=f"incubator-{short_device_id(device_id).lower()}.local.")


def _addresses(host: str) -> list[str]:
    if host not in ("0.0.0.0", ""):
        return [host]
    try:
        found = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None,
                                                           socket.AF_INET)}
    except OSError:
        found = set()
    return sorted(found - {"127.0.0.1"}) or ["127.0.0.1"]


class Announcer:
    """Keeps a serving device announced while the server runs."""

    def __init__(self, device_id: str, host: str, port: int, interfaces=None) -> None:
        self.info = service_info(device_id, host, port)
        self.zeroconf = AsyncZeroconf(interfaces=interfaces) if interfaces else AsyncZeroconf()

    async def start(self) -> None:
        await self.zeroconf.async_register_service(self.info)

    async def close(self) -> None:
        await self.zeroconf.async_unregister_service(self.info)
        await self.zeroconf.async_close()


def discover(seconds: float, interfaces=None) -> dict[str, str]:
    """Device ID → "host:port" of every device announced within `seconds`."""
    zeroconf = Zeroconf(interfaces=interfaces) if interfaces else Zeroconf()
    names: set[str] = set()

    def changed(zeroconf, service_type, name, state_change) -> None:
        if state_change is not ServiceStateChange.Removed:
            names.add(name)

    browser = ServiceBrowser(zeroconf, SERVICE, handlers=[changed])
    found: dict[str, str] = {}
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.1)
        for name in sorted(names):
            info = zeroconf.get_service_info(SERVICE, name, timeout=1000)
            if info is None or not info.parsed_addresses():
                continue
            try:
                device = parse_device_id((info.properties.get(b"id") or b"").decode())
            except (ValueError, UnicodeDecodeError):
                continue
            found[device] = f"{info.parsed_addresses()[0]}:{info.port}"
    finally:
        browser.cancel()
        zeroconf.close()
    return found
