"""The journal kept inside every document: who changed what, when, and conflicts.

Each change writes one entry under `log/<actor>:<n>` (a JSON string) holding the device, the UTC
time, a translatable summary, the fields it wrote (with their values), a
vector clock and, outside the network document, the network document's heads its author
held (`net`: the membership it wrote under, see `authorship`). `clock/<actor>` at the
root is the document's own vector clock: only its actor writes a key, so merging maps
keeps the maximum per actor. Every change writes exactly one entry, so `n` is also the
change's Automerge sequence number among its actor's changes: `entry_key` finds the
entry a change wrote.

Two entries that wrote the same field conflict when neither clock covers the
other. A field stays in conflict until an entry that covers all of them writes
it again (a person's resolution). Everything here is a pure function of the
document's tree, so `reindex` always gives the same conflicts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..domain.docids import is_head

LOG = "log"
CLOCK = "clock"


@dataclass(frozen=True)
class Entry:
    key: str
    at: str
    device: str
    device_name: str
    summary: str
    params: dict[str, Any]
    fields: dict[str, Any]
    clock: dict[str, int] = field(compare=False)

    def covers(self, other: Entry) -> bool:
        """True when this entry was written knowing `other`."""
        return self is not other and all(
            self.clock.get(actor, 0) >= count for actor, count in other.clock.items()
        )


@dataclass(frozen=True)
class Conflict:
    field: str
    winner: Any
    candidates: tuple[Entry, ...]


def entry_key(actor: str, seq: int) -> str:
    """The log key of the entry written by `actor`'s `seq`-th change to a document."""
    return f"{actor}:{seq}"


def new_entry(clock_map: dict, actor: str, at: str, device: str, device_name: str,
              summary: str, params: dict[str, Any], fields: dict[str, Any],
              network_heads: list[str] | None = None) -> tuple[str, str, int]:
    """The log key, the stored entry (one JSON string) and this actor's new clock value,
    given the document's `clock` map."""
    clock = {name: int(count) for name, count in clock_map.items()}
    clock[actor] = clock.get(actor, 0) + 1
    raw = {"at": at, "device": device, "device_name": device_name, "summary": summary,
           "params": params, "fields": fields, "clock": clock}
    if network_heads is not None:
        raw["net"] = sorted(network_heads)
    stored = json.dumps(raw, ensure_ascii=False, sort_keys=True)
    return entry_key(actor, clock[actor]), stored, clock[actor]


@lru_cache(maxsize=1024)
def _parsed(stored: str) -> Any:
    """A stored entry parsed once: a merge reads each new entry twice (to judge its change,
    then for the history and conflicts), and an entry holds every value its change wrote.
    Callers only read what it returns."""
    return json.loads(stored)


def network_heads(stored: Any) -> list[str] | None:
    """The network heads an entry records its author held, or None when it records none
    (written by a build before they were recorded, or not a well-formed entry)."""
    try:
        heads = _parsed(stored).get("net") if isinstance(stored, str) else None
    except (ValueError, AttributeError, RecursionError):
        return None
    if not isinstance(heads, list) or not all(is_head(head) for head in heads):
        return None
    return heads


def entries(tree: dict) -> list[Entry]:
    """Every journal entry, newest first; equal times fall back to causal order
    (a later entry's vector clock always has the larger sum)."""
    found = []
    for key, stored in tree.get(LOG, {}).items():
        raw = _parsed(stored)
        found.append(Entry(
            key=key,
            at=raw.get("at", ""),
            device=raw.get("device", ""),
            device_name=raw.get("device_name", ""),
            summary=raw.get("summary", ""),
            params=raw.get("params", {}),
            fields=raw.get("fields", {}),
            clock=raw.get("clock", {}),
        ))
    return sorted(found, key=lambda e: (e.at, sum(e.clock.values()), e.key), reverse=True)


def value_at(tree: dict, field_path: str) -> Any:
    """The current (winning) value of a journal field such as `profile/name`."""
    node: Any = tree
    for key in field_path.split("/"):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def last_writer(tree: dict, field_path: str) -> Entry | None:
    """The newest entry that wrote `field_path` (or the whole record holding it)."""
    parents = {"/".join(field_path.split("/")[:depth])
               for depth in range(1, field_path.count("/") + 2)}
    return next((e for e in entries(tree) if parents & e.fields.keys()), None)


def conflicts(tree: dict) -> list[Conflict]:
    """Fields written concurrently and not yet resolved, in field order."""
    if not _rewritten(tree):
        return []
    by_field: dict[str, list[Entry]] = {}
    for entry in entries(tree):
        for name in entry.fields:
            by_field.setdefault(name, []).append(entry)
    found = []
    for name, writers in sorted(by_field.items()):
        if len(writers) == 1:
            continue  # one writer is never a conflict (most fields: no comparisons)
        latest = [e for e in writers if not any(other.covers(e) for other in writers)]
        if len(latest) > 1:
            ordered = tuple(sorted(latest, key=lambda e: (e.at, e.key)))
            found.append(Conflict(name, value_at(tree, name), ordered))
    return found


def _rewritten(tree: dict) -> bool:
    """True when some field was written by more than one entry (else nothing conflicts:
    most documents, which `conflicts` then answers without ordering their entries)."""
    seen: set[str] = set()
    for stored in tree.get(LOG, {}).values():
        for name in _parsed(stored).get("fields", {}):
            if name in seen:
                return True
            seen.add(name)
    return False
