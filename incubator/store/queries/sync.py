"""What the Sync screen and `sync status` show: peers, their last session, the log."""

from __future__ import annotations

from ..ports import BUNDLE_IMPORTED, SESSION_ENDED, SESSION_FAILED, SESSION_OPENED
from .base import Row, rows, value

PEER_COLUMNS = """p.last_sync, p.last_error, coalesce(p.docs_sent, 0) AS docs_sent,
    coalesce(p.docs_received, 0) AS docs_received, coalesce(p.bytes_sent, 0) AS bytes_sent,
    coalesce(p.bytes_received, 0) AS bytes_received, coalesce(p.round_trips, 0) AS round_trips,
    coalesce(p.seconds, 0) AS seconds"""
# From the sync log, for the peer {device}: when its session still open began (its
# latest session event is an opening), and whether its last contact was a bundle.
CONTACT_COLUMNS = f"""
    (SELECT CASE l.event WHEN '{SESSION_OPENED}' THEN l.at END FROM sync_log l
     WHERE l.peer = {{device}}
       AND l.event IN ('{SESSION_OPENED}', '{SESSION_ENDED}', '{SESSION_FAILED}')
     ORDER BY l.id DESC LIMIT 1) AS session_opened,
    coalesce((SELECT l.event = '{BUNDLE_IMPORTED}' FROM sync_log l
              WHERE l.peer = {{device}} AND l.event IN ('{SESSION_ENDED}', '{BUNDLE_IMPORTED}')
              ORDER BY l.id DESC LIMIT 1), 0) AS by_bundle"""


def sync_peers(db) -> list[Row]:
    """Every other member, and pinned peers not (yet) members, with their last contact
    (`last_sync`: a session or a bundle imported from it, `by_bundle` 1 for a bundle),
    their last session's figures and, while a session with it is connected, when that
    session opened (`session_opened`)."""
    return rows(db, f"""
        SELECT m.device_id, m.name, m.role, m.revoked_at,
          coalesce(nullif(p.address, ''), m.address) AS address, {PEER_COLUMNS},
          {CONTACT_COLUMNS.format(device="m.device_id")}
        FROM members m LEFT JOIN sync_peers p ON p.device_id = m.device_id
        WHERE m.device_id != (SELECT value FROM replica_meta WHERE key = 'device_id')
        UNION ALL
        SELECT p.device_id, p.name, NULL, NULL, p.address, {PEER_COLUMNS},
          {CONTACT_COLUMNS.format(device="p.device_id")}
        FROM sync_peers p WHERE p.device_id NOT IN (SELECT device_id FROM members)
          AND p.certificate IS NOT NULL
        ORDER BY 2""")


def last_sync(db) -> str | None:
    """When this replica last completed a session with any peer."""
    return value(db, "SELECT max(last_sync) FROM sync_peers")


def sync_log(db, limit: int = 20, event: str | None = None) -> list[Row]:
    """The newest entries of the sync log (sessions, failures, refused documents), each
    with the peer's name where it is known; only `event` entries when given."""
    return rows(db, """
        SELECT l.id, l.at, l.peer, coalesce(m.name, nullif(p.name, ''), '') AS name,
          l.doc_id, l.event, l.detail
        FROM sync_log l LEFT JOIN members m ON m.device_id = l.peer
        LEFT JOIN sync_peers p ON p.device_id = l.peer
        WHERE ? IS NULL OR l.event = ?
        ORDER BY l.id DESC LIMIT ?""", (event, event, limit))


def last_folder(db) -> str | None:
    """The shared folder this device last read or wrote a bundle in (`sync folder`)."""
    return value(db, "SELECT folder FROM folder_files ORDER BY at DESC, rowid DESC LIMIT 1")
