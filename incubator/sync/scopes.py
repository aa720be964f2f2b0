"""Which documents a peer is sent: those in its scope, as the membership states it.

A peer's scope is read from its member record in this replica's network document,
which only hubs write: a laptop cannot widen its own. The network document and the hubs'
documents are in every scope (`domain.scope`). Used by sync sessions, bundles and folder
bundles alike.
"""

from __future__ import annotations

from ..domain.docids import NETWORK, DocKind, kind_of
from ..domain.scope import Scope, stored_scope
from ..store.ports import SyncPort


def peer_scope(port: SyncPort, peer: str) -> Scope | None:
    """The peer's scope (None: the whole network)."""
    member = port.member_records().get(peer)
    return stored_scope(member.get("scope")) if member else None


def documents_in(port: SyncPort, scope: Scope) -> set[str]:
    """Every document this replica holds that is in `scope`."""
    held = {doc_id for doc_id in port.document_heads()
            if doc_id == NETWORK or kind_of(doc_id) is DocKind.HUB}
    held.update(doc_id for doc_id, org_id, town, village, community in port.org_places()
                if scope.covers(org_id, town, village, community))
    return held


def allowed_for(port: SyncPort, peer: str) -> set[str] | None:
    """The documents `peer` may be sent, or None when it may be sent everything."""
    scope = peer_scope(port, peer)
    return None if scope is None else documents_in(port, scope)
