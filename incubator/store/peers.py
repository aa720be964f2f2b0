"""Storage for sync's bookkeeping: peers, the heads each holds, bundles, the sync log.

Rows in, rows out, no decisions: what the records mean (when a peer is trusted, what an
offer holds, when an acknowledgement counts) is decided in `incubator.sync`, which reaches
these methods through `ports.SyncPort`. `Replica` inherits them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..domain.docids import NETWORK
from .queries.base import rows, value

PEER_FIELDS = frozenset({
    "name", "certificate", "address", "index_id", "sent_seq", "last_sync", "last_error",
    "docs_sent", "docs_received", "bytes_sent", "bytes_received", "round_trips", "seconds",
})
FOLDER_FIELDS = frozenset({
    "folder", "direction", "state", "bundle_id", "sender", "size", "mtime_ns", "seq", "documents",
    "recipients", "acked", "acks", "detail", "at",
})
Heads = Iterable[tuple[str, list[str]]]


class PeerRecords:
    """The sync tables of one replica file (`self.db` is its connection)."""

    db: object

    def peers(self) -> dict[str, dict]:
        """Every device recorded as a peer (pinned from a card, or met in a session)."""
        return {row["device_id"]: row for row in rows(self.db, "SELECT * FROM sync_peers")}

    def save_peer(self, device_id: str, **fields: object) -> None:
        """Create the peer's record or update the given fields of it."""
        unknown = set(fields) - PEER_FIELDS
        if unknown:
            raise ValueError(f"unknown peer fields {sorted(unknown)}")
        names = sorted(fields)
        updates = ", ".join(f"{name} = excluded.{name}" for name in names)
        self.db.conn.execute(
            f"INSERT INTO sync_peers (device_id{''.join(', ' + n for n in names)}) "
            f"VALUES (?{', ?' * len(names)}) ON CONFLICT (device_id) DO "
            + (f"UPDATE SET {updates}" if names else "NOTHING"),
            [device_id, *(fields[name] for name in names)])

    def log(self, at: str, peer: str | None, event: str, detail: str = "",
            doc_id: str | None = None) -> None:
        self.db.conn.execute(
            "INSERT INTO sync_log (at, peer, doc_id, event, detail) VALUES (?, ?, ?, ?, ?)",
            (at, peer, doc_id, event, detail))

    def peer_heads(self, peer: str) -> dict[str, str]:
        """Document id → the heads (comma-separated) `peer` is known to hold."""
        return dict(self.db.conn.execute("SELECT doc_id, heads FROM peer_heads WHERE device_id = ?",
                                    (peer,)))

    def record_peer_heads(self, peer: str, heads: Heads) -> None:
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO peer_heads (device_id, doc_id, heads) VALUES (?, ?, ?)",
            [(peer, doc_id, ",".join(sorted(doc_heads))) for doc_id, doc_heads in heads])

    def forget_peer_heads(self, peer: str) -> None:
        self.db.conn.execute("DELETE FROM peer_heads WHERE device_id = ?", (peer,))

    def latest_seq(self) -> int:
        """The sequence number of the newest chunk reflected in the query tables."""
        return value(
            self.db, "SELECT coalesce(max(materialized_upto), 0) FROM documents")

    def changed_documents(self, peer: str, since: int) -> list[tuple[str, list[str]]]:
        """Documents stored after sequence `since` whose heads `peer` is not known to hold,
        the network document first."""
        found = self.db.conn.execute(
            """SELECT d.doc_id, d.heads FROM documents d LEFT JOIN peer_heads p
               ON p.device_id = ? AND p.doc_id = d.doc_id
               WHERE d.materialized_upto > ? AND (p.heads IS NULL OR p.heads != d.heads)
               ORDER BY d.doc_id != ?, d.doc_id""", (peer, since, NETWORK))
        return [(doc_id, heads.split(",")) for doc_id, heads in found]

    def stored_snapshot(self, doc_id: str) -> tuple[bytes, list[str]] | None:
        """(bytes, heads) of a document stored as one snapshot and nothing after it (as
        it is after compaction or a first clone): what to send a peer that lacks it,
        without loading it. None otherwise."""
        found = self.db.conn.execute(
            "SELECT c.id, c.kind, c.data, d.heads, d.materialized_upto FROM chunks c "
            "JOIN documents d ON d.doc_id = c.doc_id WHERE c.doc_id = ? LIMIT 2",
            (doc_id,)).fetchall()
        if len(found) != 1 or found[0][1] != "snapshot" or found[0][0] != found[0][4]:
            return None
        return found[0][2], found[0][3].split(",")

    def document_heads(self) -> dict[str, str]:
        """Document id → its heads (comma-separated), for every document held."""
        return dict(self.db.conn.execute("SELECT doc_id, heads FROM documents"))

    def org_places(self) -> list[tuple[str, str, str | None, str | None, str | None]]:
        """(document id, organization id, town, village, community) of every organization
        held: what a scope is matched against."""
        return self.db.conn.execute(
            "SELECT doc_id, id, town, village, community FROM organizations").fetchall()

    def record_name(self, doc_id: str) -> str | None:
        """The name of the organization or hub a document holds."""
        return value(
            self.db, "SELECT name FROM organizations WHERE doc_id = ? UNION ALL "
                     "SELECT name FROM hubs WHERE doc_id = ?", (doc_id, doc_id))

    def pending_acks(self, senders: list[str]) -> list[str]:
        """Ids of the bundles imported from any of `senders`, not yet acknowledged."""
        marks = ",".join("?" * len(senders))
        return [row[0] for row in self.db.conn.execute(
            f"SELECT DISTINCT bundle_id FROM bundle_acks WHERE device_id IN ({marks}) "
            "ORDER BY bundle_id", senders)]

    def clear_acks(self, senders: list[str]) -> None:
        marks = ",".join("?" * len(senders))
        self.db.conn.execute(f"DELETE FROM bundle_acks WHERE device_id IN ({marks})", senders)

    def add_ack(self, sender: str, bundle_id: str) -> None:
        self.db.conn.execute("INSERT OR IGNORE INTO bundle_acks VALUES (?, ?)", (sender, bundle_id))

    def record_bundle_sent(self, bundle_id: str, recipients: list[str], heads: Heads) -> None:
        carried = list(heads)
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO bundle_sent VALUES (?, ?, ?, ?)",
            [(bundle_id, peer, doc_id, ",".join(sorted(doc_heads)))
             for peer in recipients for doc_id, doc_heads in carried])

    def take_bundle_sent(self, bundle_id: str, recipient: str) -> list[tuple[str, list[str]]]:
        """What a bundle carried to `recipient`, forgotten as it is returned."""
        carried = self.db.conn.execute(
            "SELECT doc_id, heads FROM bundle_sent WHERE bundle_id = ? AND recipient = ?",
            (bundle_id, recipient)).fetchall()
        self.db.conn.execute("DELETE FROM bundle_sent WHERE bundle_id = ? AND recipient = ?",
                        (bundle_id, recipient))
        return [(doc_id, heads.split(",")) for doc_id, heads in carried]

    def drop_bundle_sent(self, bundle_id: str) -> None:
        """Forget what a bundle carried without counting it as received (its file is gone)."""
        self.db.conn.execute("DELETE FROM bundle_sent WHERE bundle_id = ?", (bundle_id,))

    def bundle_sent_heads(self, bundle_ids: list[str], recipient: str) -> dict[str, list[str]]:
        """Document id → every head that the given bundles carried to `recipient`."""
        marks = ",".join("?" * len(bundle_ids))
        carried: dict[str, set[str]] = {}
        for doc_id, heads in self.db.conn.execute(
                f"SELECT doc_id, heads FROM bundle_sent WHERE recipient = ? "
                f"AND bundle_id IN ({marks})", [recipient, *bundle_ids]):
            carried.setdefault(doc_id, set()).update(heads.split(","))
        return {doc_id: sorted(heads) for doc_id, heads in carried.items()}

    def folder_files(self) -> dict[str, dict]:
        """Every mailbox-folder file this device has read or written, by name."""
        return {row["name"]: row for row in rows(self.db, "SELECT * FROM folder_files")}

    def save_folder_file(self, name: str, **fields: object) -> None:
        """Create or update the record of one mailbox-folder file."""
        unknown = set(fields) - FOLDER_FIELDS
        if unknown:
            raise ValueError(f"unknown folder-file fields {sorted(unknown)}")
        names = sorted(fields)
        values = [fields[column] for column in names]
        if names and self.db.conn.execute(
                f"UPDATE folder_files SET {', '.join(f'{column} = ?' for column in names)} "
                "WHERE name = ?", [*values, name]).rowcount:
            return
        self.db.conn.execute(
            f"INSERT OR IGNORE INTO folder_files (name{''.join(', ' + n for n in names)}) "
            f"VALUES (?{', ?' * len(names)})", [name, *values])

    def forget_folder_file(self, name: str) -> None:
        self.db.conn.execute("DELETE FROM folder_files WHERE name = ?", (name,))
