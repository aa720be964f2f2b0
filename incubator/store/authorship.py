"""Checking who wrote incoming changes, before anything is stored.

Actor IDs are not signatures: this keeps honest members within their roles and
stops strangers' documents from being relayed, but a member's stolen key (or a
member who forges another's actor ID) is not detected here. Network-document
changes are judged by the membership as of their own dependencies, so a hub can
add a member and that member's first change can arrive in the same sync.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..domain.device import short_device_id
from ..domain.docids import NETWORK, DocKind, kind_of
from ..domain.errors import Text
from ..domain.membership import refusal
from .automerge_doc import AutomergeDoc
from .identity import ACTOR_PREFIX_BYTES, actor_prefix

Members = Mapping[str, Mapping]


def by_actor(members: Members) -> dict[str, tuple[str, Mapping]]:
    """Member records keyed by the actor prefix of their device."""
    keyed = {}
    for device_id, member in members.items():
        try:
            keyed[actor_prefix(device_id)] = (device_id, member)
        except ValueError:
            continue
    return keyed


def _judge(actor: str, keyed: dict[str, tuple[str, Mapping]], doc_kind: str) -> Text | None:
    device_id, member = keyed.get(actor[:ACTOR_PREFIX_BYTES * 2], (actor[:14], None))
    return refusal(member, doc_kind, short_device_id(device_id))


def incoming_refusal(doc_id: str, candidate: AutomergeDoc, before: list[str],
                     members: Members) -> Text | None:
    """Why the changes `candidate` holds beyond `before` may not be accepted, or None.

    `members` is the replica's current membership. A replica that has no network
    document yet takes the one its pinned peer sends (trust on first use)."""
    changes = candidate.new_changes(before)
    if doc_id == NETWORK:
        if not before:
            return None
        for actor, deps in changes:
            reason = _judge(actor, by_actor(candidate.tree(("members",), deps)), DocKind.NETWORK)
            if reason:
                return reason
        return None
    keyed, kind = by_actor(members), kind_of(doc_id)
    for actor in {actor for actor, _deps in changes}:
        reason = _judge(actor, keyed, kind)
        if reason:
            return reason
    return None
