"""A whole replica in plain files and back: every query table's rows, every document with
its content, its history and its Automerge bytes (`export all`, `import all`).

A user's data is never trapped: the tables read in any spreadsheet, the documents in any
JSON reader, and the Automerge bytes restore the documents exactly, so `import all` into
an empty replica gives an equivalent one (the same query tables, `verify` clean).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...domain.docids import is_doc_id, network_first
from ...domain.errors import DomainError
from .. import files, journal
from ..automerge_doc import AutomergeDoc, DocumentError
from ..home import replica_path
from ..identity import new_identity
from ..replica import Clock
from ..schema import QUERY_TABLES
from .base import Commands
from .network import clean_device_name

HIDDEN = (journal.LOG, journal.CLOCK)  # shown as the history, not as content


@dataclass(frozen=True)
class PortableDocument:
    doc_id: str
    heads: list[str]
    content: dict[str, Any]
    history: list[journal.Entry]
    automerge: bytes

    def as_json(self, summary: Callable[[journal.Entry], str]) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "heads": self.heads, "content": self.content,
                "history": [{"at": e.at, "device": e.device, "device_name": e.device_name,
                             "summary": summary(e), "msgid": e.summary, "params": e.params,
                             "fields": e.fields} for e in self.history],
                "automerge": base64.b64encode(self.automerge).decode("ascii")}


def document_from_json(data: Any) -> tuple[str, bytes, list[str]]:
    """(doc id, Automerge bytes, heads) of an exported document, checked: the bytes load
    and give the heads recorded beside them."""
    try:
        doc_id, heads = data["doc_id"], data["heads"]
        raw = base64.b64decode(data["automerge"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise DomainError("A document file of the export is malformed") from None
    if not is_doc_id(doc_id) or not isinstance(heads, list):
        raise DomainError("A document file of the export is malformed")
    try:
        loaded = AutomergeDoc.load(raw, b"\x00" * 16)
    except DocumentError as error:
        raise DomainError("Document {doc_id} of the export does not load ({error})",
                          doc_id=doc_id, error=str(error)[:100]) from None
    if loaded.heads() != sorted(heads):
        raise DomainError("Document {doc_id} of the export is not the one its heads name",
                          doc_id=doc_id)
    return doc_id, raw, sorted(heads)


class PortableCommands(Commands):
    def query_tables(self) -> dict[str, tuple[list[str], list[tuple]]]:
        """Every query table: its columns and its rows, in a stable order."""
        found = {}
        for table in QUERY_TABLES:
            cursor = self.db.conn.execute(f"SELECT * FROM {table}")
            columns = [description[0] for description in cursor.description]
            found[table] = (columns, sorted(cursor.fetchall(), key=repr))
        return found

    def portable_documents(self) -> Iterator[PortableDocument]:
        """Every document, the network's first."""
        for doc_id in sorted(self.replica.doc_ids(), key=network_first):
            doc = self.replica.document(doc_id)
            if doc is None:
                continue
            tree = doc.tree()
            yield PortableDocument(doc_id, doc.heads(),
                                   {k: v for k, v in tree.items() if k not in HIDDEN},
                                   journal.entries(tree), doc.save())


def import_documents(home: Path, documents: Iterable[tuple[str, bytes, list[str]]],
                     device_name: str, clock: Clock | None = None) -> int:
    """Merge exported documents into the replica of `home` — a new one (this device then
    joins no network until a hub adds it), or one that holds no documents yet (`init
    --join`) — in one transaction, the network's first; returns how many. A replica that
    already holds documents is refused: merging an export into one would mix two
    networks' data."""
    from . import Store

    created = not replica_path(home).exists()
    if created:
        store = Store(files.create(home, new_identity(clean_device_name(device_name)), clock))
    else:
        store = Store.open(home, clock=clock)
        if store.replica.doc_ids():
            store.close()
            raise DomainError("The replica in {home} already holds documents: import all "
                              "needs an empty one (a new home, or one made by init --join)",
                              home=str(home))
    try:
        ordered = sorted(documents, key=lambda document: network_first(document[0]))
        with store.replica.transaction():
            for doc_id, data, heads in ordered:
                store.replica.merge(doc_id, data, heads)
    except DomainError:
        store.close()
        if created:  # nothing is left behind by a refused import
            files.remove(home)
        raise
    store.close()
    return len(ordered)
