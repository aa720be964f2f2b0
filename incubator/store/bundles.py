"""The replica's side of a sync bundle (a USB stick): what to put in, what came out.

A bundle for some recipients holds every document they are not known to have
(from what this replica last heard from them, by sync or by an earlier bundle's
acknowledgements), as changes after their known heads, or as a snapshot when
nothing is known. Importing one merges it in the caller's transaction, records
what the sender has (so the return trip omits it) and queues an acknowledgement of
the bundle's id; an acknowledgement received marks what that bundle carried as known.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..domain.device import parse_device_id, short_device_id
from ..domain.errors import DomainError
from .authorship import NETWORK
from .exchange import Exchange, record_peer_heads
from .replica import Replica


class BundleError(DomainError):
    """A bundle that cannot be written or is refused; nothing was changed."""


@dataclass(frozen=True)
class BundleDoc:
    doc_id: str
    snapshot: bool
    data: bytes
    prereqs: list[str]
    heads: list[str]
    changes: int


@dataclass
class ImportSummary:
    sender: str = ""
    sender_name: str = ""
    documents: int = 0
    changes: int = 0
    organizations: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sender": self.sender, "sender_name": self.sender_name,
                "documents": self.documents, "changes": self.changes,
                "organizations": self.organizations}


def recipient_keys(replica: Replica, device_ids: Iterable[str]) -> dict[str, bytes]:
    """The bundle (X25519) public key of each recipient, who must be a current member."""
    members = {row[0]: row[1:] for row in replica.db.conn.execute(
        "SELECT device_id, bundle_key, revoked_at FROM members")}
    keys = {}
    for text in device_ids:
        device = parse_device_id(text)
        bundle_key, revoked_at = members.get(device, (None, None))
        if device not in members or revoked_at or not bundle_key:
            raise BundleError("{device} is not a current member: a bundle cannot be made for it",
                              device=short_device_id(device))
        keys[device] = base64.b64decode(bundle_key)
    if not keys:
        raise BundleError("Name at least one recipient with --for DEVICE_ID")
    return keys


def sender_record(replica: Replica, device_id: str) -> tuple[str, str]:
    """(name, certificate) of a bundle's sender: a current member, or the pinned peer of
    a device that has joined but holds no membership yet (its first bundle)."""
    row = replica.db.conn.execute(
        "SELECT name, certificate, revoked_at FROM members WHERE device_id = ?",
        (device_id,)).fetchone()
    if row is None and replica.document("network") is None:
        row = replica.db.conn.execute(
            "SELECT name, certificate, NULL FROM sync_peers WHERE device_id = ?",
            (device_id,)).fetchone()
    if row is None or not row[1]:
        raise BundleError("The bundle's sender {device} is not a member of this network",
                          device=short_device_id(device_id))
    if row[2]:
        raise BundleError("The bundle's sender {name} has been revoked", name=row[0])
    return row[0], row[1]


def contents(replica: Replica, recipients: list[str], full: bool) -> list[BundleDoc]:
    """Every document some recipient is not known to have (all of them with `full`):
    the same choice as a sync offer, made for each recipient."""
    conn = replica.db.conn
    lacking: dict[str, list[str]] = {}
    for peer in recipients:
        chosen = (conn.execute("SELECT doc_id, NULL FROM documents").fetchall() if full
                  else Exchange(replica, peer).offer())
        for doc_id, _heads in chosen:
            lacking.setdefault(doc_id, []).append(peer)
    known = {peer: dict(conn.execute(
        "SELECT doc_id, heads FROM peer_heads WHERE device_id = ?", (peer,)))
        for peer in recipients}
    out = []
    for doc_id in sorted(lacking, key=lambda doc_id: (doc_id != NETWORK, doc_id)):
        doc = replica.document(doc_id)
        holders = [doc.known_heads([head for head in (known[peer].get(doc_id) or "").split(",")
                                    if head]) for peer in lacking[doc_id]]
        if full or not all(holders):
            out.append(BundleDoc(doc_id, True, doc.save(), [], doc.heads(),
                                 len(doc.new_changes([]))))
        else:
            data, prereqs, count = doc.changes_for(holders)
            out.append(BundleDoc(doc_id, False, data, prereqs, doc.heads(), count))
    return out


def acks_for(replica: Replica, recipients: list[str]) -> list[str]:
    """Ids of the bundles this replica imported from any recipient since it last wrote
    them one: the acknowledgements that travel back."""
    marks = ",".join("?" * len(recipients))
    return [row[0] for row in replica.db.conn.execute(
        f"SELECT DISTINCT bundle_id FROM bundle_acks WHERE device_id IN ({marks}) "
        "ORDER BY bundle_id", recipients)]


def written(replica: Replica, bundle_id: str, recipients: list[str],
            items: list[BundleDoc]) -> None:
    """Remember what a bundle carried, and that its acknowledgements have left."""
    marks = ",".join("?" * len(recipients))
    with replica.transaction():
        replica.db.conn.executemany(
            "INSERT OR REPLACE INTO bundle_sent VALUES (?, ?, ?, ?)",
            [(bundle_id, peer, item.doc_id, ",".join(sorted(item.heads)))
             for peer in recipients for item in items])
        replica.db.conn.execute(f"DELETE FROM bundle_acks WHERE device_id IN ({marks})",
                                recipients)


def apply(replica: Replica, sender: str, bundle_id: str, items: Iterable[BundleDoc],
          acks: list[str]) -> ImportSummary:
    """Merge a bundle's documents (inside the caller's transaction). Refuses the
    whole bundle, listing them, when documents depend on changes this replica lacks."""
    summary = ImportSummary(sender=sender)
    missing: list[str] = []
    arrived: dict[str, list[str]] = {}
    for item in items:
        doc = replica.document(item.doc_id)
        if item.prereqs and (doc is None or not doc.has_heads(item.prereqs)):
            missing.append(item.doc_id)
            continue
        before = doc.heads() if doc else []
        if replica.merge(item.doc_id, item.data, item.heads):
            summary.documents += 1
            summary.changes += len(replica.document(item.doc_id).new_changes(before))
            if item.doc_id.startswith("org:"):
                row = replica.db.conn.execute("SELECT name FROM organizations WHERE doc_id = ?",
                                              (item.doc_id,)).fetchone()
                if row:
                    summary.organizations.append(row[0])
        arrived[item.doc_id] = item.heads
    if missing:
        raise BundleError("This bundle needs changes this replica does not have yet (import the "
                          "earlier bundle or sync first): {documents}",
                          documents=", ".join(missing[:20]) + (" …" if len(missing) > 20 else ""))
    conn = replica.db.conn
    for acked in acks:
        carried = conn.execute(
            "SELECT doc_id, heads FROM bundle_sent WHERE bundle_id = ? AND recipient = ?",
            (acked, sender)).fetchall()
        record_peer_heads(replica, sender,
                          [(doc_id, heads.split(",")) for doc_id, heads in carried])
        conn.execute("DELETE FROM bundle_sent WHERE bundle_id = ? AND recipient = ?",
                     (acked, sender))
    record_peer_heads(replica, sender, arrived.items())
    conn.execute("INSERT OR IGNORE INTO bundle_acks VALUES (?, ?)", (sender, bundle_id))
    return summary
