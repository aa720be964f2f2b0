"""Fields written concurrently on two replicas, until a person decides."""

from __future__ import annotations

import json

from .base import Row, rows


def conflicts(db, doc_id: str | None = None) -> list[Row]:
    """Every unresolved conflict (of one document), with the record's name."""
    found = rows(db, """
        SELECT c.doc_id, c.field, c.winner, c.candidates,
          coalesce(o.name, h.name, c.doc_id) AS record
        FROM conflicts c
        LEFT JOIN organizations o ON o.doc_id = c.doc_id
        LEFT JOIN hubs h ON h.doc_id = c.doc_id
        WHERE ? IS NULL OR c.doc_id = ?
        ORDER BY record, c.field""", (doc_id, doc_id))
    for row in found:
        row["winner"] = json.loads(row["winner"]) if row["winner"] else None
        row["candidates"] = json.loads(row["candidates"])
    return found
