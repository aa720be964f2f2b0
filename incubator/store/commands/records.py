"""Every document's journal: its history, and settling concurrent edits."""

from __future__ import annotations

from typing import Any

from ...domain.errors import DomainError
from .. import journal, queries
from .base import Commands
from .writes import write_field


class RecordCommands(Commands):
    def history(self, ref: str) -> list[journal.Entry]:
        return journal.entries(self.replica.tree(queries.resolve_doc(self.db, ref)))

    def resolve_conflict(self, ref: str, field: str, keep: int | None = None) -> Any:
        """Settle a conflict by writing the chosen value again (default: the current winner)."""
        doc_id = queries.resolve_doc(self.db, ref)
        found = {c.field: c for c in journal.conflicts(self.replica.tree(doc_id))}
        if field not in found:
            raise DomainError("No conflict on {field}", field=field)
        conflict = found[field]
        if keep is None:
            value = conflict.winner
        elif 1 <= keep <= len(conflict.candidates):
            value = conflict.candidates[keep - 1].fields[field]
        else:
            raise DomainError("Choose a value from 1 to {count}", count=len(conflict.candidates))
        path = tuple(field.split("/"))
        self.replica.change(doc_id, "Resolved the conflict on {field}", {"field": field},
                            lambda ed: write_field(ed, path, value))
        return value
