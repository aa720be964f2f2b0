"""What arrived from another replica, judged before anything is stored: the checks every
merge makes (`Replica.merge`, and the workers of `parallel` for documents new here)."""

from __future__ import annotations

from .authorship import NetworkHistory, incoming_refusal
from .automerge_doc import AutomergeDoc, DocumentError
from .materialize import Rows, rows_for
from .ports import ReplicaError


def arrived(doc_id: str, held: AutomergeDoc | None, data: bytes, actor: bytes) -> AutomergeDoc:
    """The document as it would be with `data` (a snapshot or change chunks) merged into
    what this replica holds of it (`held`, None for nothing)."""
    try:
        return held.merged(data) if held else AutomergeDoc.load(data, actor)
    except DocumentError as exc:
        raise ReplicaError("Changes for {doc_id} do not apply: {error}",
                           doc_id=doc_id, error=str(exc)) from exc


def judged_rows(doc_id: str, candidate: AutomergeDoc, before: list[str],
                expected_heads: list[str], history: NetworkHistory
                ) -> Rows | None:
    """The rows of `candidate` (a document with what arrived merged in) once what arrived
    may be kept; None when nothing new arrived. `ReplicaError` says why not: a dependency
    missing, a change its author may not make (`authorship`), contents of the wrong shape."""
    if not candidate.has_heads(expected_heads):
        raise ReplicaError("Changes for {doc_id} depend on changes this replica lacks",
                           doc_id=doc_id)
    if candidate.heads() == before:
        return None
    reason = incoming_refusal(doc_id, candidate, before, history)
    if reason:
        raise ReplicaError("Refused {doc_id}: {reason}", doc_id=doc_id, reason=reason)
    try:
        return rows_for(doc_id, candidate.tree())
    except Exception as exc:  # a member's software wrote values of the wrong shape
        raise ReplicaError("Refused {doc_id}: its contents are malformed ({error})",
                           doc_id=doc_id, error=f"{type(exc).__name__}: {exc}"[:200]) from exc
