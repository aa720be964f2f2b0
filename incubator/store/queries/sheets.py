"""What the spreadsheet imports and the reports read beside the other queries."""

from __future__ import annotations

from .base import Row, rows


def roster_records(db) -> list[Row]:
    """Every organization as a roster import looks for duplicates."""
    return rows(db, "SELECT id, name, hub_id, credit_code, filing_number FROM organizations"
                    " ORDER BY id")
