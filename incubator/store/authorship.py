"""Deciding, before anything is stored, whether changes that arrived may be kept.

Each new change is judged on its own, by its author and what it modifies, against
history that every replica eventually holds, never against whatever this replica
happens to know now: so every replica reaches the same decision, in whatever order
changes and revocations arrive, and replicas converge.

- A network-document change is judged by the membership as of its own dependencies
  (so a hub can add a member and that member's first change can travel together).
- Any other change is judged by the membership as of the network heads its author held,
  which the change's own journal entry records (`log/<actor>:<seq>`, and only an entry the
  change itself wrote counts). When this replica lacks some of those network changes, the
  document waits: it is refused for now, as for a missing dependency, and accepted when
  they have arrived.
- A change that records no network heads (written by a build before they were
  recorded) is judged by every version of the membership this replica holds: it is
  kept when, in one of them, its author could make it. Versions only accumulate, so
  this too ends the same everywhere.
- In that membership the author must be a member, not revoked, whose role may write
  that kind of document; a non-hub author may change only the paths its role may write
  (`domain.membership.WRITABLE`), read from the document as of before and after that
  change (never from what its journal entry declares).

Actor IDs are not signatures: this keeps honest members within their roles and stops
strangers' documents from being relayed, but a member who forges another member's actor
ID, or the network heads it records, is not detected here (see the README's security
section).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..domain.device import short_device_id
from ..domain.docids import NETWORK, DocKind, entity_id, kind_of
from ..domain.errors import N_, Text
from ..domain.membership import (
    may_write_below, path_refusal, refusal, whole_document,
)
from ..domain.scope import stored_scope
from . import journal
from .automerge_doc import AutomergeDoc, ChangeInfo
from .identity import ACTOR_PREFIX_BYTES, actor_prefix

Member = tuple[str, Mapping | None]  # (device ID or actor prefix, member record or None)


class NetworkHistory:
    """The membership as the network document's history tells it: as of any heads it
    holds, or in any of its versions. Pure reads of one document, cached."""

    def __init__(self, network: AutomergeDoc | None) -> None:
        self.doc = network
        self.changes = [change.hash for change in network.new_changes([])] if network else []
        self.known = set(self.changes)
        self._devices: dict[str, str] | None = None
        self._members: dict[tuple[tuple[str, ...], str], Mapping | None] = {}

    def holds(self, heads: list[str]) -> bool:
        return all(head in self.known for head in heads)

    def _device(self, actor: str) -> str | None:
        """The device whose actor prefix `actor` carries, among every device the network
        document names (members are revoked, never removed)."""
        if self._devices is None:
            self._devices = {}
            for device_id in (self.doc.keys(("members",)) if self.doc else []):
                try:
                    self._devices[actor_prefix(device_id)] = device_id
                except ValueError:
                    continue
        return self._devices.get(actor[:ACTOR_PREFIX_BYTES * 2])

    def member_at(self, actor: str, heads: list[str]) -> Member:
        """The author's member record as of `heads` (None when it was not a member)."""
        device = self._device(actor)
        if device is None:
            return actor[:14], None
        key = (tuple(sorted(heads)), device)
        if key not in self._members:
            self._members[key] = self.doc.tree(("members", device), heads) or None
        return device, self._members[key]

    def member_ever(self, actor: str, doc_kind: str) -> Member:
        """The author's record in the version of the membership that lets it write most of
        a `doc_kind` document, else its latest record (None when it never was a member)."""
        device, found = actor[:14], []
        for head in reversed(self.changes):
            device, member = self.member_at(actor, [head])
            if member is not None:
                found.append(member)
        allowed = [member for member in found if refusal(member, doc_kind, "") is None]
        widest = [member for member in allowed if whole_document(member.get("role"), doc_kind)]
        return device, next(iter(widest + allowed + found), None)


Log = dict[str, tuple]  # the journal as it stands: entry key -> (entry, author, counter)


def _recorded_heads(candidate: AutomergeDoc, change: ChangeInfo, log: Log) -> list[str] | None:
    """The network heads the change's own journal entry records; None when it wrote no
    entry (an entry under its key written by another change does not count), or one
    without them. `log` is the journal as it stands (most entries still stand as their
    change wrote them: no read of the document for those), or {}: the entry read alone."""
    key = journal.entry_key(change.actor, change.seq)
    stored, actor, counter = log.get(key, (None, None, None))
    if actor != change.actor or counter not in change.ops:
        stored = candidate.value_written_by((journal.LOG, key), change)
    return journal.network_heads(stored)


def _judge(doc_id: str, candidate: AutomergeDoc, change: ChangeInfo,
           history: NetworkHistory, log: Log) -> Text | None:
    """Why one change may not be kept, or None. For the network document, `history` is
    the candidate itself."""
    kind = kind_of(doc_id)
    if doc_id == NETWORK:
        device, member = history.member_at(change.actor, change.deps)
    elif (heads := _recorded_heads(candidate, change, log)) is None:
        device, member = history.member_ever(change.actor, kind)
    else:
        if not history.holds(heads):
            return Text(N_("a change by {device} made under membership changes this replica "
                           "does not have yet (it is accepted once they arrive)"),
                        {"device": short_device_id(history.member_ever(change.actor, kind)[0])})
        device, member = history.member_at(change.actor, heads)
    reason = refusal(member, kind, short_device_id(device)) or _scope_refusal(
        doc_id, candidate, change, member, device)
    role = member.get("role") if member else None
    if reason or whole_document(role, kind):
        return reason
    paths = candidate.changed_paths(change.deps, [change.hash],
                                    lambda path: not may_write_below(role, kind, path))
    return path_refusal(role, kind, paths, short_device_id(device))


def _scope_refusal(doc_id: str, candidate: AutomergeDoc, change: ChangeInfo,
                   member: Mapping, device: str) -> Text | None:
    """Why a change by a member with a scope (a field laptop that holds only its villages)
    may not be kept: it changes an organization outside that scope, judged by where the
    organization was in the document the change was made on (its dependencies)."""
    scope = stored_scope(member.get("scope"))
    if scope is None or kind_of(doc_id) is not DocKind.ORG:
        return None
    place = {key: candidate.value(("profile", key), change.deps)
             for key in ("town", "village", "community", "name")}
    if scope.covers(entity_id(doc_id), place["town"], place["village"], place["community"]):
        return None
    return Text(N_("a change to {name}, outside the scope of {device}"),
                {"name": place["name"] or entity_id(doc_id), "device": short_device_id(device)})


def incoming_refusal(doc_id: str, candidate: AutomergeDoc, before: list[str],
                     history: NetworkHistory) -> Text | None:
    """Why the changes `candidate` holds beyond `before` may not be accepted, or None.

    `history` is this replica's network document (with whatever arrived in the same
    merge before this document). A replica that has no network document yet takes the
    one its pinned peer sends (trust on first use)."""
    if doc_id == NETWORK:
        if not before:
            return None
        history = NetworkHistory(candidate)
    changes = candidate.new_changes(before)
    # the whole journal in one read for many changes (a clone's, a bundle's); one change
    # (a save, most syncs) reads its own entry alone (`_recorded_heads`), as a journal of
    # years of entries takes longer to read than the rest of the judgement
    log = candidate.written((journal.LOG,)) if doc_id != NETWORK and len(changes) > 1 else {}
    for change in changes:
        reason = _judge(doc_id, candidate, change, history, log)
        if reason:
            return reason
    return None
