"""An in-memory `SyncPort`: documents in a dict, sync's records in dicts, no SQLite.

It keeps what a replica must for the protocol (merges checked against declared heads,
a growing sequence, the peer records) and nothing else: no query tables, no roles.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass

from incubator.domain.errors import DomainError
from incubator.store.automerge_doc import AutomergeDoc, DocumentError

NOW = "2026-11-15T09:30:00+00:00"


@dataclass(frozen=True)
class MemoryIdentity:
    device_id: str
    actor: bytes


class MemoryPort:
    def __init__(self, device_id: str) -> None:
        self.identity = MemoryIdentity(device_id, secrets.token_bytes(16))
        self.docs: dict[str, AutomergeDoc] = {}
        self.seq = 0
        self.doc_seq: dict[str, int] = {}
        self.index = secrets.token_hex(8)
        self.peer_records: dict[str, dict] = {}
        self.held: dict[str, dict[str, str]] = {}
        self.log_entries: list[tuple] = []
        self.acks: set[tuple[str, str]] = set()
        self.sent: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}

    # -- what a test does to it
    def write(self, doc_id: str, key: str, value: str) -> None:
        doc = self.docs.get(doc_id) or AutomergeDoc.new(self.identity.actor)
        with doc.edit() as editor:
            editor.set(("data", key), value)
        self._stored(doc_id, doc)

    def _stored(self, doc_id: str, doc: AutomergeDoc) -> None:
        self.docs[doc_id] = doc
        self.seq += 1
        self.doc_seq[doc_id] = self.seq

    # -- the replica
    def now_iso(self) -> str:
        return NOW

    @contextmanager
    def transaction(self, wait: float | None = None):
        yield

    def meta(self, key: str) -> str | None:
        return self.index if key == "index_id" else None

    def document(self, doc_id: str) -> AutomergeDoc | None:
        return self.docs.get(doc_id)

    def merge(self, doc_id: str, data: bytes, expected_heads: list[str]) -> bool:
        doc = self.docs.get(doc_id)
        try:
            candidate = doc.merged(data) if doc else AutomergeDoc.load(data, self.identity.actor)
        except DocumentError as error:
            raise DomainError("Changes for {doc_id} do not apply: {error}", doc_id=doc_id,
                              error=str(error)) from error
        if not candidate.has_heads(expected_heads):
            raise DomainError("Changes for {doc_id} depend on changes this replica lacks",
                              doc_id=doc_id)
        if doc is not None and candidate.heads() == doc.heads():
            return False
        self._stored(doc_id, candidate)
        return True

    def merge_all(self, items):
        outcomes = []
        for doc_id, data, heads in items:
            try:
                merged = self.merge(doc_id, data, heads)
            except (DomainError, ValueError) as error:
                outcomes.append(error)
                continue
            outcomes.append(self.docs[doc_id].heads() if merged else None)
        return outcomes

    def stored_snapshot(self, doc_id: str):
        return None  # every document is sent as its `save()`

    def document_heads(self) -> dict[str, str]:
        return {doc_id: ",".join(doc.heads()) for doc_id, doc in self.docs.items()}

    def latest_seq(self) -> int:
        return self.seq

    def changed_documents(self, peer: str, since: int) -> list[tuple[str, list[str]]]:
        held = self.held.get(peer, {})
        return [(doc_id, doc.heads()) for doc_id, doc in sorted(self.docs.items())
                if self.doc_seq[doc_id] > since and held.get(doc_id) != ",".join(doc.heads())]

    def record_name(self, doc_id: str) -> str | None:
        return None

    def member_records(self) -> dict[str, dict]:
        return {}

    # -- sync's records
    def peers(self) -> dict[str, dict]:
        return {device: dict(record) for device, record in self.peer_records.items()}

    def save_peer(self, device_id: str, **fields: object) -> None:
        self.peer_records.setdefault(device_id, {"device_id": device_id}).update(fields)

    def log(self, at, peer, event, detail="", doc_id=None) -> None:
        self.log_entries.append((at, peer, event, detail, doc_id))

    def peer_heads(self, peer: str) -> dict[str, str]:
        return dict(self.held.get(peer, {}))

    def record_peer_heads(self, peer, heads) -> None:
        self.held.setdefault(peer, {}).update(
            {doc_id: ",".join(sorted(doc_heads)) for doc_id, doc_heads in heads})

    def forget_peer_heads(self, peer: str) -> None:
        self.held.pop(peer, None)

    def pending_acks(self, senders: list[str]) -> list[str]:
        return sorted({bundle for sender, bundle in self.acks if sender in senders})

    def clear_acks(self, senders: list[str]) -> None:
        self.acks = {(sender, bundle) for sender, bundle in self.acks if sender not in senders}

    def add_ack(self, sender: str, bundle_id: str) -> None:
        self.acks.add((sender, bundle_id))

    def record_bundle_sent(self, bundle_id, recipients, heads) -> None:
        carried = list(heads)
        for peer in recipients:
            self.sent[(bundle_id, peer)] = carried

    def take_bundle_sent(self, bundle_id, recipient):
        return self.sent.pop((bundle_id, recipient), [])
