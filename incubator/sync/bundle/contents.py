"""What goes into a sync bundle (a USB stick) and what an imported one changes.

A bundle for some recipients holds every document they are not known to have
(from what this replica last heard from them, by sync or by an earlier bundle's
acknowledgements), as changes after their known heads, or as a snapshot when
nothing is known. Importing one merges it in the caller's transaction, document by
document: a document that is refused (its prerequisites are missing, or a change in it
is not allowed) is skipped, logged and reported, and the rest is stored. The import
records what the sender has (so the return trip omits it) and, when nothing was
refused, queues an acknowledgement of the bundle's id; an acknowledgement received marks
what that bundle carried as known. A bundle with refusals is not acknowledged, so the
sender's next bundle carries those documents again.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ...domain.device import parse_device_id, short_device_id
from ...domain.docids import NETWORK, DocKind, kind_of, network_first
from ...domain.errors import DomainError
from ...store.ports import BUNDLE_IMPORTED, SyncPort
from ..exchange import Exchange
from ..peers import log_event
from ..scopes import allowed_for


class BundleError(DomainError):
    """A bundle that cannot be written or is refused; nothing was changed."""


class SenderRefused(BundleError):
    """A bundle whose sender is not (or no longer, or not yet) a member here."""


class BundleDamaged(BundleError):
    """A bundle addressed to this device (it opens with this device's key) whose contents
    fail a check: it was damaged or altered on the way."""


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
    refused: dict[str, str] = field(default_factory=dict)  # document id → why
    bundle_id: str = ""
    carried: int = 0  # documents the bundle held (those already here included)
    acks: list[str] = field(default_factory=list)  # the sender's acknowledgements

    def as_dict(self) -> dict:
        return {"sender": self.sender, "sender_name": self.sender_name,
                "documents": self.documents, "changes": self.changes,
                "organizations": self.organizations, "refused": self.refused}


def recipient_keys(port: SyncPort, device_ids: Iterable[str]) -> dict[str, bytes]:
    """The bundle (X25519) public key of each recipient, who must be a current member."""
    members = port.member_records()
    keys = {}
    for text in device_ids:
        device = parse_device_id(text)
        member = members.get(device)
        if member is None or member["revoked_at"] or not member["bundle_key"]:
            raise BundleError("{device} is not a current member: a bundle cannot be made for it",
                              device=short_device_id(device))
        keys[device] = base64.b64decode(member["bundle_key"])
    if not keys:
        raise BundleError("Name at least one recipient with --for DEVICE_ID")
    return keys


def sender_record(port: SyncPort, device_id: str) -> tuple[str, str]:
    """(name, certificate) of a bundle's sender: a current member, or the pinned peer of
    a device that has joined but holds no membership yet (its first bundle)."""
    record = port.member_records().get(device_id)
    if record is None and port.document(NETWORK) is None:
        pinned = port.peers().get(device_id)
        record = dict(pinned, revoked_at=None) if pinned else None
    if record is None or not record["certificate"]:
        raise SenderRefused("The bundle's sender {device} is not a member of this network",
                            device=short_device_id(device_id))
    if record["revoked_at"]:
        raise SenderRefused("The bundle's sender {name} has been revoked", name=record["name"])
    return record["name"], record["certificate"]


def contents(port: SyncPort, recipients: list[str], full: bool,
             assumed: Mapping[str, Mapping[str, list[str]]] | None = None) -> list[BundleDoc]:
    """Every document some recipient is not known to have (all of them with `full`):
    the same choice as a sync offer, made for each recipient. `assumed` adds, per
    recipient, heads it will hold once bundles already on their way arrive (a mailbox
    folder's): only what comes after them is written, with them as prerequisites."""
    assumed = assumed or {}
    current = port.document_heads()
    lacking: dict[str, list[str]] = {}
    known: dict[str, dict[str, set[str]]] = {}
    one_scope(port, recipients)
    for peer in recipients:
        held = {doc_id: set(heads.split(",")) for doc_id, heads in port.peer_heads(peer).items()}
        for doc_id, heads in (assumed.get(peer) or {}).items():
            held.setdefault(doc_id, set()).update(heads)
        known[peer] = held
        allowed = allowed_for(port, peer)
        chosen = (dict(Exchange(port, peer).offer()) if not full
                  else current if allowed is None
                  else {doc_id: heads for doc_id, heads in current.items() if doc_id in allowed})
        for doc_id in chosen:
            if not full and set(current[doc_id].split(",")) <= held.get(doc_id, set()):
                continue  # on its way already
            lacking.setdefault(doc_id, []).append(peer)
    out = []
    for doc_id in sorted(lacking, key=network_first):
        doc = port.document(doc_id)
        holders = [doc.known_heads(sorted(head for head in known[peer].get(doc_id, ()) if head))
                   for peer in lacking[doc_id]]
        if full or not all(holders):
            out.append(BundleDoc(doc_id, True, doc.save(), [], doc.heads(),
                                 len(doc.new_changes([]))))
        else:
            data, prereqs, count = doc.changes_for(holders)
            out.append(BundleDoc(doc_id, False, data, prereqs, doc.heads(), count))
    return out


def one_scope(port: SyncPort, recipients: list[str]) -> None:
    """Refuse a bundle for recipients that hold different parts of the network: each of
    them could read all of it."""
    members = port.member_records()
    scopes = {(members.get(peer) or {}).get("scope") or "" for peer in recipients}
    if len(scopes) > 1:
        scoped = next(peer for peer in recipients if (members.get(peer) or {}).get("scope"))
        raise BundleError("{name} holds only part of the network: write its bundle on its own",
                          name=members[scoped]["name"])


def acks_for(port: SyncPort, recipients: list[str]) -> list[str]:
    """Ids of the bundles this replica imported from any recipient since it last wrote
    them one: the acknowledgements that travel back."""
    return port.pending_acks(recipients)


def written(port: SyncPort, bundle_id: str, recipients: list[str],
            items: list[BundleDoc]) -> None:
    """Remember what a bundle carried, and that its acknowledgements have left."""
    with port.transaction():
        port.record_bundle_sent(bundle_id, recipients,
                                [(item.doc_id, item.heads) for item in items])
        port.clear_acks(recipients)


def apply(port: SyncPort, sender: str, bundle_id: str, items: Iterable[BundleDoc],
          acks: list[str], translate: Callable[[str], str] = lambda message: message
          ) -> ImportSummary:
    """Merge a bundle's documents (inside the caller's transaction); a refused document
    is skipped and listed in the summary with why, the others are stored."""
    summary = ImportSummary(sender=sender, bundle_id=bundle_id, acks=list(acks))
    arrived: dict[str, list[str]] = {}

    def refuse(item: BundleDoc, error: DomainError) -> None:
        summary.refused[item.doc_id] = error.render(translate)
        log_event(port, sender, "refused", summary.refused[item.doc_id], item.doc_id)

    ready: list[tuple[BundleDoc, list[str]]] = []  # with the heads held before
    for item in items:
        summary.carried += 1
        doc = port.document(item.doc_id)
        if item.prereqs and (doc is None or not doc.has_heads(item.prereqs)):
            refuse(item, BundleError("This bundle needs changes to it that this replica does "
                                     "not have yet (import the earlier bundle or sync first)"))
            continue
        ready.append((item, doc.heads() if doc else []))
    outcomes = port.merge_all([(item.doc_id, item.data, item.heads) for item, _ in ready])
    for (item, before), outcome in zip(ready, outcomes):
        if isinstance(outcome, DomainError):
            refuse(item, outcome)
            continue
        if isinstance(outcome, Exception):
            raise outcome
        if outcome is not None:
            summary.documents += 1
            summary.changes += (len(port.document(item.doc_id).new_changes(before)) if before
                                else item.changes)  # a new document: all it holds
            name = port.record_name(item.doc_id) if kind_of(item.doc_id) is DocKind.ORG else None
            if name:
                summary.organizations.append(name)
        arrived[item.doc_id] = item.heads
    for acked in acks:
        port.record_peer_heads(sender, port.take_bundle_sent(acked, sender))
    port.record_peer_heads(sender, arrived.items())
    # the sender was in touch, by USB stick: its last contact, as a session would be
    port.save_peer(sender, last_sync=port.now_iso())
    port.log(port.now_iso(), sender, BUNDLE_IMPORTED, bundle_id)
    if not summary.refused:
        port.add_ack(sender, bundle_id)
    return summary
