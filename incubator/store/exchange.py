"""What this replica knows of its peers, and its side of a sync session (no I/O).

Like Syncthing's index ID + sequence: every stored chunk has a growing sequence
number (`documents.materialized_upto`), and for each peer we remember the
sequence up to which everything we have reached it (`sent_seq`, valid while the
peer's index ID is unchanged) plus the heads it is known to hold for each
document (`peer_heads`). An idle reconnect therefore offers nothing; after edits
it offers only the documents that changed, and sends only what the peer lacks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..domain.errors import DomainError
from .authorship import NETWORK
from .identity import Card
from .replica import Replica, ReplicaError

Offer = list[tuple[str, list[str]]]
DATA_BATCH_BYTES = 4 * 1024 * 1024


def pin_peer(replica: Replica, card: Card) -> None:
    """Remember the device on `card` (certificate, address) as a peer to sync with."""
    with replica.transaction():
        replica.db.conn.execute(
            """INSERT INTO sync_peers (device_id, name, certificate, address) VALUES (?, ?, ?, ?)
               ON CONFLICT (device_id) DO UPDATE SET name = excluded.name,
               certificate = excluded.certificate,
               address = coalesce(nullif(excluded.address, ''), sync_peers.address)""",
            (card.device_id, card.name, card.certificate_pem, card.address),
        )


def trusted_certificates(replica: Replica) -> dict[str, str]:
    """Certificates of every device this replica may talk to: current members, plus
    pinned peers that are not revoked members (a joining device knows only its hub)."""
    conn = replica.db.conn
    trusted = {}
    revoked = set()
    for device_id, certificate, revoked_at in conn.execute(
            "SELECT device_id, certificate, revoked_at FROM members"):
        if revoked_at:
            revoked.add(device_id)
        elif certificate:
            trusted[device_id] = certificate
    for device_id, certificate in conn.execute(
            "SELECT device_id, certificate FROM sync_peers WHERE certificate IS NOT NULL"):
        if device_id not in revoked:
            trusted.setdefault(device_id, certificate)
    trusted.pop(replica.identity.device_id, None)
    return trusted


def device_names(replica: Replica) -> dict[str, str]:
    """Names of every device this replica knows: members, else pinned peers."""
    return dict(replica.db.conn.execute(
        "SELECT device_id, name FROM sync_peers WHERE name != '' UNION ALL "
        "SELECT device_id, name FROM members"))


def peer_address(replica: Replica, device_id: str) -> str:
    """The last address known for a peer: learned or pinned, else from the member list."""
    row = replica.db.conn.execute(
        """SELECT coalesce(nullif(p.address, ''), m.address) FROM
           (SELECT ? AS device_id) d LEFT JOIN sync_peers p ON p.device_id = d.device_id
           LEFT JOIN members m ON m.device_id = d.device_id""", (device_id,)).fetchone()
    return row[0] or ""


def remember_address(replica: Replica, device_id: str, address: str) -> None:
    with replica.transaction():
        replica.db.conn.execute(
            """INSERT INTO sync_peers (device_id, address) VALUES (?, ?)
               ON CONFLICT (device_id) DO UPDATE SET address = excluded.address""",
            (device_id, address))


def log_event(replica: Replica, peer: str | None, event: str, detail: str = "",
              doc_id: str | None = None) -> None:
    with replica.transaction():
        replica.db.conn.execute(
            "INSERT INTO sync_log (at, peer, doc_id, event, detail) VALUES (?, ?, ?, ?, ?)",
            (replica.now_iso(), peer, doc_id, event, detail))


def record_peer_heads(replica: Replica, peer: str,
                      heads: Iterable[tuple[str, list[str]]]) -> None:
    """`peer` is known to hold these heads of these documents."""
    replica.db.conn.executemany(
        "INSERT OR REPLACE INTO peer_heads (device_id, doc_id, heads) VALUES (?, ?, ?)",
        [(peer, doc_id, ",".join(sorted(doc_heads))) for doc_id, doc_heads in heads])


@dataclass
class SessionStats:
    docs_sent: int = 0
    docs_received: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    round_trips: int = 0
    seconds: float = 0.0
    refused: list[str] = field(default_factory=list)


def record_session(replica: Replica, peer: str, stats: SessionStats, error: str | None) -> None:
    """Store the figures of a finished (or failed) session with `peer`."""
    with replica.transaction():
        replica.db.conn.execute(
            """INSERT INTO sync_peers (device_id) VALUES (?) ON CONFLICT DO NOTHING""", (peer,))
        replica.db.conn.execute(
            """UPDATE sync_peers SET last_sync = CASE WHEN ? IS NULL THEN ? ELSE last_sync END,
               last_error = ?, docs_sent = ?, docs_received = ?, bytes_sent = ?,
               bytes_received = ?, round_trips = ?, seconds = ? WHERE device_id = ?""",
            (error, replica.now_iso(), error, stats.docs_sent, stats.docs_received,
             stats.bytes_sent, stats.bytes_received, stats.round_trips, round(stats.seconds, 3),
             peer))
        log_event(replica, peer, "failed" if error else "synced", error or "")


@dataclass(frozen=True)
class DocData:
    doc_id: str
    snapshot: bool
    data: bytes
    heads: list[str]


class Exchange:
    """The replica's half of one sync session with `peer` (a device ID)."""

    def __init__(self, replica: Replica, peer: str,
                 translate: Callable[[str], str] = lambda message: message) -> None:
        self.replica = replica
        self.peer = peer
        self.translate = translate
        self.conn = replica.db.conn
        self.offer_seq = 0

    @property
    def index_id(self) -> str:
        return self.replica.meta("index_id") or ""

    def known_peer_index(self) -> str:
        row = self.conn.execute("SELECT index_id FROM sync_peers WHERE device_id = ?",
                                (self.peer,)).fetchone()
        return (row[0] if row else None) or ""

    def observe_peer_index(self, index_id: str) -> bool:
        """Record the peer's index ID; True when it changed from a known one (a restored
        peer), in which case everything recorded about it is forgotten."""
        known = self.known_peer_index()
        if index_id == known:
            return False
        with self.replica.transaction():
            self.conn.execute("DELETE FROM peer_heads WHERE device_id = ?", (self.peer,))
            self.conn.execute(
                """INSERT INTO sync_peers (device_id, index_id, sent_seq) VALUES (?, ?, 0)
                   ON CONFLICT (device_id) DO UPDATE SET index_id = excluded.index_id,
                   sent_seq = 0""", (self.peer, index_id))
        return bool(known)

    def offer(self) -> Offer:
        """Documents changed since the peer last had everything, minus those whose
        heads it is known to hold; the network document first."""
        row = self.conn.execute("SELECT sent_seq FROM sync_peers WHERE device_id = ?",
                                (self.peer,)).fetchone()
        sent_seq = row[0] if row else 0
        self.offer_seq = self.conn.execute(
            "SELECT coalesce(max(materialized_upto), 0) FROM documents").fetchone()[0]
        rows = self.conn.execute(
            """SELECT d.doc_id, d.heads FROM documents d LEFT JOIN peer_heads p
               ON p.device_id = ? AND p.doc_id = d.doc_id
               WHERE d.materialized_upto > ? AND (p.heads IS NULL OR p.heads != d.heads)
               ORDER BY d.doc_id != ?, d.doc_id""", (self.peer, sent_seq, NETWORK))
        return [(doc_id, heads.split(",")) for doc_id, heads in rows]

    def _recorded_heads(self) -> dict[str, str]:
        return dict(self.conn.execute(
            "SELECT doc_id, heads FROM documents"))

    def wants(self, offer: Offer) -> Offer:
        """Of the peer's offer, the documents this replica lacks something of, each with
        the heads it holds (none when it lacks the document)."""
        mine = self._recorded_heads()
        wanted, held = [], []
        for doc_id, heads in offer:
            have = mine.get(doc_id)
            if have is not None and set(heads) <= set(have.split(",")):
                held.append((doc_id, heads))
                continue
            doc = self.replica.document(doc_id) if have is not None else None
            if doc is not None and doc.has_heads(heads):
                held.append((doc_id, heads))
            else:
                wanted.append((doc_id, doc.heads() if doc else []))
        with self.replica.transaction():
            record_peer_heads(self.replica, self.peer, held)
        return wanted

    def data_for(self, wanted: Offer) -> Iterator[list[DocData]]:
        """What the peer asked for, in batches of a few MiB: a compressed snapshot of a
        document it lacks, else the changes after the heads of its we know."""
        batch, size = [], 0
        for doc_id, their_heads in wanted:
            doc = self.replica.document(doc_id)
            if doc is None:
                continue
            known = doc.known_heads(their_heads)
            item = (DocData(doc_id, True, doc.save(), doc.heads()) if not known
                    else DocData(doc_id, False, doc.changes_since(known), doc.heads()))
            batch.append(item)
            size += len(item.data)
            if size >= DATA_BATCH_BYTES:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def apply(self, items: list[DocData]) -> tuple[dict[str, list[str]], dict[str, str]]:
        """Merge what arrived in one transaction; refused documents are skipped and
        logged. Returns (heads now held per accepted document, reason per refusal)."""
        accepted: dict[str, list[str]] = {}
        refused: dict[str, str] = {}
        with self.replica.transaction():
            for item in sorted(items, key=lambda it: (it.doc_id != NETWORK, it.doc_id)):
                try:
                    self.replica.merge(item.doc_id, item.data, item.heads)
                except (ReplicaError, ValueError) as exc:
                    reason = (exc.render(self.translate) if isinstance(exc, DomainError)
                              else str(exc))
                    refused[item.doc_id] = reason
                    log_event(self.replica, self.peer, "refused", reason, item.doc_id)
                    continue
                accepted[item.doc_id] = self.replica.document(item.doc_id).heads()
            record_peer_heads(
                self.replica, self.peer,
                ((item.doc_id, item.heads) for item in items
                 if item.doc_id in accepted and set(item.heads) == set(accepted[item.doc_id])))
        return accepted, refused

    def acknowledged(self, heads: dict[str, list[str]]) -> None:
        """The peer now holds these heads."""
        with self.replica.transaction():
            record_peer_heads(self.replica, self.peer, heads.items())

    def finish(self) -> None:
        """Everything offered at the start has reached the peer."""
        with self.replica.transaction():
            self.conn.execute("UPDATE sync_peers SET sent_seq = ? WHERE device_id = ?",
                              (self.offer_seq, self.peer))

