"""Who may write what: the roles of member devices, checked on every change received.

Documents are of three kinds: `network` (settings, rubric, membership), `hub`
(spaces, allocations) and `org` (one organization's record). A hub device may
write all three; a field device only organization documents (scores, visits,
notes); a viewer nothing. Revoked members and unknown devices write nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from .docids import DocKind
from .errors import N_, Text
from .models import Role

WRITABLE: dict[Role, frozenset[DocKind]] = {
    Role.HUB: frozenset(DocKind),
    Role.FIELD: frozenset({DocKind.ORG}),
    Role.VIEWER: frozenset(),
}

KIND_LABELS = {
    DocKind.NETWORK: N_("network settings and membership"),
    DocKind.HUB: N_("hub spaces and allocations"),
    DocKind.ORG: N_("organization records"),
}


def may_write(role: str | None, doc_kind: str) -> bool:
    """True when a member of `role` may author changes to a document of `doc_kind`."""
    try:
        return doc_kind in WRITABLE[Role(role)]
    except ValueError:
        return False


def refusal(member: Mapping | None, doc_kind: str, device: str) -> Text | None:
    """Why a change by `member` (its member record, None if unknown) to a `doc_kind`
    document is refused, or None when it is allowed."""
    if member is None:
        return Text(N_("a change by {device}, which is not a member"), {"device": device})
    if member.get("revoked_at"):
        return Text(N_("a change by {device}, whose membership was revoked"), {"device": device})
    if not may_write(member.get("role"), doc_kind):
        return Text(N_("a change to {what} by {device}, a {role} device"),
                    {"what": Text(KIND_LABELS[doc_kind]), "device": device,
                     "role": str(member.get("role"))})
    return None
