"""What this replica knows of its peers: who it trusts, where they are, how each session went."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..store.identity import Card
from ..store.ports import SESSION_ENDED, SESSION_FAILED, SESSION_OPENED, ReplicaBusy, SyncPort

# Seconds sync's own records wait for another program's write before they are skipped.
RECORD_WAIT = 0.2


def keep_record(port: SyncPort, write: Callable[[], object]) -> bool:
    """Write some of sync's own records (what a peer holds, how far it got, how a session
    went) unless another program is writing to the replica: they only save work, so a
    record skipped means the next session offers a little more. True when written."""
    try:
        with port.transaction(wait=RECORD_WAIT):
            write()
    except ReplicaBusy:
        return False
    return True


def pin_peer(port: SyncPort, card: Card) -> None:
    """Remember the device on `card` (certificate, address) as a peer to sync with."""
    fields = {"name": card.name, "certificate": card.certificate_pem}
    if card.address:
        fields["address"] = card.address
    with port.transaction():
        port.save_peer(card.device_id, **fields)


def trusted_certificates(port: SyncPort) -> dict[str, str]:
    """Certificates of every device this replica may talk to: current members, plus
    pinned peers that are not revoked members (a joining device knows only its hub)."""
    members = port.member_records()
    trusted = {device: member["certificate"] for device, member in members.items()
               if not member["revoked_at"] and member["certificate"]}
    revoked = {device for device, member in members.items() if member["revoked_at"]}
    for device, peer in port.peers().items():
        if peer["certificate"] and device not in revoked:
            trusted.setdefault(device, peer["certificate"])
    trusted.pop(port.identity.device_id, None)
    return trusted


def device_names(port: SyncPort) -> dict[str, str]:
    """Names of every device this replica knows: members, else pinned peers."""
    names = {device: peer["name"] for device, peer in port.peers().items() if peer["name"]}
    names.update({device: member["name"] for device, member in port.member_records().items()})
    return names


def peer_address(port: SyncPort, device_id: str) -> str:
    """The last address known for a peer: learned or pinned, else from the member list."""
    peer = port.peers().get(device_id) or {}
    member = port.member_records().get(device_id) or {}
    return peer.get("address") or member.get("address") or ""


def remember_address(port: SyncPort, device_id: str, address: str) -> None:
    keep_record(port, lambda: port.save_peer(device_id, address=address))


def log_event(port: SyncPort, peer: str | None, event: str, detail: str = "",
              doc_id: str | None = None) -> None:
    keep_record(port, lambda: port.log(port.now_iso(), peer, event, detail, doc_id))


@dataclass
class SessionStats:
    docs_sent: int = 0
    docs_received: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    round_trips: int = 0
    seconds: float = 0.0
    refused: list[str] = field(default_factory=list)


def record_session_opened(port: SyncPort, peer: str) -> None:
    """A session with `peer` is connected (its end is recorded by `record_session`):
    until then the peer is shown online."""
    log_event(port, peer, SESSION_OPENED)


def record_session(port: SyncPort, peer: str, stats: SessionStats, error: str | None) -> None:
    """Store the figures of a finished (or failed) session with `peer`."""
    figures = {"last_error": error, "docs_sent": stats.docs_sent,
               "docs_received": stats.docs_received, "bytes_sent": stats.bytes_sent,
               "bytes_received": stats.bytes_received, "round_trips": stats.round_trips,
               "seconds": round(stats.seconds, 3)}
    if error is None:
        figures["last_sync"] = port.now_iso()

    def write() -> None:
        port.save_peer(peer, **figures)
        port.log(port.now_iso(), peer, SESSION_FAILED if error else SESSION_ENDED, error or "")

    keep_record(port, write)
