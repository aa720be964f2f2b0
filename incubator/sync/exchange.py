"""This replica's side of a sync session (no I/O), over `store.ports.SyncPort`.

Like Syncthing's index ID + sequence: every stored chunk has a growing sequence
number, and for each peer we remember the sequence up to which everything we have
reached it (`sent_seq`, valid while the peer's index ID is unchanged) plus the heads it
is known to hold for each document (`peer_heads`). An idle reconnect therefore offers
nothing; after edits it offers only the documents that changed, and sends only what the
peer lacks.

What a session writes: merges and forgetting a restored peer, which must happen (they
wait `merge_wait` seconds for another program's write, then raise `ReplicaBusy`: the
session ends with "busy, retry later"); and records of what the peer holds and how far it got,
which only save work (`peers.keep_record`: skipped when the replica is busy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..domain.docids import network_first
from ..domain.errors import DomainError
from ..store.ports import StorageError, SyncPort
from .peers import keep_record, log_event
from .scopes import allowed_for

Offer = list[tuple[str, list[str]]]
# A district's first clone (4,000 organizations, 10 MB) goes in one batch: each batch is
# judged by worker processes started for it, whose caches of the membership start cold
# (three 4 MB batches cost 35 % more CPU). A batch holds at most this much, or one larger
# document alone: any document up to `protocol.MAX_FRAME` goes through.
DATA_BATCH_BYTES = 12 * 1024 * 1024


@dataclass(frozen=True)
class DocData:
    doc_id: str
    snapshot: bool
    data: bytes
    heads: list[str]


class Exchange:
    """The replica's half of one sync session with `peer` (a device ID)."""

    def __init__(self, port: SyncPort, peer: str,
                 translate: Callable[[str], str] = lambda message: message,
                 merge_wait: float | None = None) -> None:
        self.port = port
        self.peer = peer
        self.translate = translate
        self.merge_wait = merge_wait
        self.offer_seq = 0
        self._allowed: set[str] | None = None
        self._scoped: bool | None = None

    def allowed(self) -> set[str] | None:
        """The documents the peer may be sent (its scope, read once per session from the
        membership), or None when it may be sent everything."""
        if self._scoped is None:
            self._allowed = allowed_for(self.port, self.peer)
            self._scoped = self._allowed is not None
        return self._allowed

    def outside_scope(self, doc_ids: list[str]) -> list[str]:
        """Of the documents the peer asked for, those outside its scope (logged: an
        honest peer asks only for what it was offered)."""
        allowed = self.allowed()
        outside = [] if allowed is None else [doc for doc in doc_ids if doc not in allowed]
        if outside:
            log_event(self.port, self.peer, "refused",
                      f"asked for {len(outside)} documents outside its scope", outside[0])
        return outside

    @property
    def index_id(self) -> str:
        return self.port.meta("index_id") or ""

    def _peer(self) -> dict:
        return self.port.peers().get(self.peer) or {}

    def known_peer_index(self) -> str:
        return self._peer().get("index_id") or ""

    def observe_peer_index(self, index_id: str) -> bool:
        """Record the peer's index ID; True when it changed from a known one (a restored
        peer), in which case everything recorded about it is forgotten."""
        known = self.known_peer_index()
        if index_id == known:
            return False
        with self.port.transaction(wait=self.merge_wait):
            self.port.forget_peer_heads(self.peer)
            self.port.save_peer(self.peer, index_id=index_id, sent_seq=0)
        return bool(known)

    def offer(self) -> Offer:
        """Documents changed since the peer last had everything, minus those whose
        heads it is known to hold; the network document first. A peer with a scope is
        offered every document of its scope it is not known to hold (its scope may have
        grown since: the sequence says nothing about documents it was not sent)."""
        allowed = self.allowed()
        sent_seq = self._peer().get("sent_seq") or 0 if allowed is None else 0
        self.offer_seq = self.port.latest_seq()
        offer = self.port.changed_documents(self.peer, sent_seq)
        return offer if allowed is None else [item for item in offer if item[0] in allowed]

    def wants(self, offer: Offer) -> Offer:
        """Of the peer's offer, the documents this replica lacks something of, each with
        the heads it holds (none when it lacks the document)."""
        mine = self.port.document_heads()
        wanted, held = [], []
        for doc_id, heads in offer:
            have = mine.get(doc_id)
            if have is not None and set(heads) <= set(have.split(",")):
                held.append((doc_id, heads))
                continue
            doc = self.port.document(doc_id) if have is not None else None
            if doc is not None and doc.has_heads(heads):
                held.append((doc_id, heads))
            else:
                wanted.append((doc_id, doc.heads() if doc else []))
        if held:
            keep_record(self.port, lambda: self.port.record_peer_heads(self.peer, held))
        return wanted

    def data_for(self, wanted: Offer) -> Iterator[tuple[list[DocData], bool]]:
        """What the peer asked for, in batches of a few MiB, each with whether it is the
        last (at least one batch, maybe empty): a compressed snapshot of a document it
        lacks (the stored one as it is, when the document is one snapshot), else the
        changes after the heads of its we know. Each batch is given as soon as it is made,
        so that the peer merges it while the next is read."""
        batch, size = [], 0
        for number, (doc_id, their_heads) in enumerate(wanted, 1):
            stored = None if their_heads else self.port.stored_snapshot(doc_id)
            if stored is not None:
                item = DocData(doc_id, True, *stored)
            else:
                doc = self.port.document(doc_id)
                if doc is None:
                    continue
                known = doc.known_heads(their_heads) if their_heads else []
                item = (DocData(doc_id, True, doc.save(), doc.heads()) if not known
                        else DocData(doc_id, False, doc.changes_since(known), doc.heads()))
            if batch and size + len(item.data) > DATA_BATCH_BYTES:
                yield batch, False  # (it would grow past the limit)
                batch, size = [], 0
            batch.append(item)
            size += len(item.data)
            if size >= DATA_BATCH_BYTES and number < len(wanted):
                yield batch, False
                batch, size = [], 0
        yield batch, True

    def apply(self, items: list[DocData]) -> tuple[dict[str, list[str]], dict[str, str]]:
        """Merge what arrived in one transaction; refused documents are skipped and
        logged. Returns (heads now held per accepted document, reason per refusal)."""
        accepted: dict[str, list[str]] = {}
        refused: dict[str, str] = {}
        with self.port.transaction(wait=self.merge_wait):
            ordered = sorted(items, key=lambda it: network_first(it.doc_id))
            # a StorageError (the disk, not a document) abandons the whole batch
            outcomes = self.port.merge_all([(item.doc_id, item.data, item.heads)
                                            for item in ordered])
            for item, outcome in zip(ordered, outcomes):
                if isinstance(outcome, Exception):
                    reason = (outcome.render(self.translate)
                              if isinstance(outcome, DomainError) else str(outcome))
                    refused[item.doc_id] = reason
                    log_event(self.port, self.peer, "refused", reason, item.doc_id)
                    continue
                accepted[item.doc_id] = (outcome if outcome is not None
                                         else self.port.document(item.doc_id).heads())
            self.port.record_peer_heads(
                self.peer,
                ((item.doc_id, item.heads) for item in items
                 if item.doc_id in accepted and set(item.heads) == set(accepted[item.doc_id])))
        return accepted, refused

    def acknowledged(self, heads: dict[str, list[str]]) -> None:
        """The peer now holds these heads."""
        if heads:
            keep_record(self.port, lambda: self.port.record_peer_heads(self.peer, heads.items()))

    def finish(self) -> None:
        """Everything offered at the start has reached the peer (for a peer with a scope,
        only what its scope holds: no sequence is recorded)."""
        if self.allowed() is None:
            keep_record(self.port,
                        lambda: self.port.save_peer(self.peer, sent_seq=self.offer_seq))
