"""The one typed wrapper around Automerge: maps of scalars, nothing else.

Only this module imports `automerge`. Every write goes through an explicit
`ScalarType` inside `with transaction()`; lists, counters and unknown types
are never used (they panic or merge in ways the domain does not want).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import NamedTuple

from automerge.core import ROOT, Document, ObjType, ScalarType

Scalar = str | int | float | bool | None
Tree = dict[str, "Tree | Scalar"]
Path = tuple[str, ...]


class DocumentError(Exception):
    """Bytes that do not load as an Automerge document."""


class ChangeInfo(NamedTuple):
    """One Automerge change: its author, what it depends on, its hash, its number among
    its author's changes to this document (1, 2, …) and the counters of its operations."""

    actor: str
    deps: list[str]
    hash: str
    seq: int
    ops: range


def _leb128(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if byte < 0x80:
            return value, at


def _operation(exid: bytes) -> tuple[str, int]:
    """The author (hex) and counter of the operation an id names, as the binding gives it:
    a tag byte, the actor's length and bytes, the actor's index, the counter (LEB128)."""
    length, at = _leb128(exid, 1)
    actor, at = exid[at:at + length].hex(), at + length
    _index, at = _leb128(exid, at)
    return actor, _leb128(exid, at)[0]


def _typed(value: Scalar) -> tuple[ScalarType, Scalar]:
    if value is None:
        return ScalarType.Null, None
    if isinstance(value, bool):
        return ScalarType.Boolean, value
    if isinstance(value, int):
        return ScalarType.Int, value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return ScalarType.F64, value
    if isinstance(value, str):
        return ScalarType.Str, value
    raise TypeError(f"unsupported value type: {type(value).__name__}")


class Editor:
    """Writes inside one Automerge transaction, addressed by key paths."""

    def __init__(self, tx) -> None:
        self._tx = tx

    def _map(self, path: Path, obj: bytes = ROOT) -> bytes:
        for key in path:
            found = self._tx.get(obj, key)
            if found is not None and found[0] == ObjType.Map:
                obj = found[1]
            else:
                obj = self._tx.put_object(obj, key, ObjType.Map)
        return obj

    def ensure_map(self, path: Path) -> None:
        """Create the map at `path` unless it exists."""
        self._map(path)

    def set(self, path: Path, value: Scalar | Mapping) -> None:
        """Set a scalar, or merge a mapping key by key (existing maps are kept; an empty
        mapping writes nothing)."""
        if isinstance(value, Mapping):
            if value:
                self._merge(self._map(path), value)
            return
        scalar_type, scalar = _typed(value)
        self._tx.put(self._map(path[:-1]), path[-1], scalar_type, scalar)

    def _merge(self, obj: bytes, value: Mapping) -> None:
        """Write `value` into the map `obj`, each nested map found once (not per key)."""
        for key, item in value.items():
            if isinstance(item, Mapping):
                if item:
                    self._merge(self._map((key,), obj), item)
            else:
                scalar_type, scalar = _typed(item)
                self._tx.put(obj, key, scalar_type, scalar)

    def replace(self, path: Path, value: Mapping) -> None:
        """Make the map at `path` hold exactly `value` (extra keys deleted)."""
        obj = self._map(path)
        for key in self._tx.keys(obj):
            if key not in value:
                self._tx.delete(obj, key)
        self.set(path, value)

    def delete(self, path: Path) -> None:
        parent = self._map(path[:-1])
        if self._tx.get(parent, path[-1]) is not None:
            self._tx.delete(parent, path[-1])


class AutomergeDoc:
    """One Automerge document with a fixed actor (the device's)."""

    def __init__(self, raw: Document, actor: bytes) -> None:
        raw.set_actor(actor)
        self._raw = raw

    @classmethod
    def new(cls, actor: bytes) -> AutomergeDoc:
        return cls(Document(actor), actor)

    @classmethod
    def load(cls, data: bytes, actor: bytes) -> AutomergeDoc:
        try:
            raw = Document.load(data)
        except Exception as exc:  # the binding raises bare exceptions
            raise DocumentError(str(exc)) from exc
        return cls(raw, actor)

    def heads(self) -> list[str]:
        return sorted(head.hex() for head in self._raw.get_heads())

    def known_heads(self, heads: list[str]) -> list[str]:
        """Those of `heads` (hex) that are applied in this document (one scan of it)."""
        known = {change.hash.hex() for change in self._raw.get_changes([])}
        return [head for head in heads if head in known]

    def has_heads(self, heads: list[str]) -> bool:
        """True when every one of `heads` (hex) is applied in this document."""
        if set(heads) <= set(self.heads()):
            return True  # the common case, without a scan of every change
        return len(self.known_heads(heads)) == len(heads)

    def save(self) -> bytes:
        return self._raw.save()

    def changes_since(self, heads: list[str]) -> bytes:
        """Change bytes after `heads` (which must all be known here)."""
        have = [bytes.fromhex(head) for head in heads]
        return b"".join(change.bytes for change in self._raw.get_changes(have))

    def merged(self, data: bytes) -> AutomergeDoc:
        """A new document: this one plus a snapshot or change chunks (loaded on top of this
        document's own bytes, since change chunks alone do not load when their
        dependencies are elsewhere). This document is left as it was."""
        return AutomergeDoc.load(self.save() + data, self._raw.get_actor())

    def changes_for(self, holders: list[list[str]]) -> tuple[bytes, list[str], int]:
        """The changes that at least one holder of the given heads lacks (each holder's
        heads must be known here), the heads outside them that every holder must
        already have (the prerequisites), and how many changes there are."""
        picked: dict[bytes, object] = {}
        for heads in holders:
            for change in self._raw.get_changes([bytes.fromhex(head) for head in heads]):
                picked.setdefault(change.hash, change)
        outside = {dep for change in picked.values() for dep in change.deps} - set(picked)
        return (b"".join(change.bytes for change in picked.values()),
                sorted(dep.hex() for dep in outside), len(picked))

    def merge(self, data: bytes) -> None:
        """Merge a snapshot or change chunks into this document."""
        self._raw = self.merged(data)._raw

    def new_changes(self, before: list[str]) -> list[ChangeInfo]:
        """Every change not covered by `before`, in causal order."""
        have = [bytes.fromhex(head) for head in before]
        return [ChangeInfo(change.actor_id.hex(), [dep.hex() for dep in change.deps],
                           change.hash.hex(), change.seq,
                           range(change.start_op, change.max_op + 1))
                for change in self._raw.get_changes(have)]

    def keys(self, path: Path, heads: list[str] | None = None) -> list[str]:
        """The keys of the map at `path` now or as of `heads` ([] when absent)."""
        at = [bytes.fromhex(head) for head in heads] if heads is not None else None
        obj = ROOT
        for key in path:
            found = self._raw.get(obj, key, at)
            if found is None or found[0] != ObjType.Map:
                return []
            obj = found[1]
        return list(self._raw.keys(obj, at))

    def value(self, path: Path, heads: list[str] | None = None) -> Scalar:
        """The scalar at `path` now or as of `heads` (None when absent or a map)."""
        found = self._scalar(path, [bytes.fromhex(head) for head in heads]
                             if heads is not None else None)
        return None if found is None else found[0][1]

    def value_written_by(self, path: Path, change: ChangeInfo) -> Scalar:
        """The scalar `change` itself wrote at `path` (None when it wrote none there): read
        now while that value still stands (one cheap read), else as of the change."""
        for at in (None, [bytes.fromhex(change.hash)]):
            found = self._scalar(path, at)
            if found is not None:
                actor, counter = _operation(found[1])
                if actor == change.actor and counter in change.ops:
                    return found[0][1]
        return None

    def written(self, path: Path) -> dict[str, tuple[Scalar, str, int]]:
        """Each scalar of the map at `path` now, with the author (hex) and counter of the
        operation that wrote it ({} when absent): one read for a whole map, where
        `value_written_by` reads one key."""
        obj = self._map_at(path)
        if obj is None:
            return {}
        return {key: (value[1], *_operation(exid)) for key, (value, exid) in self._items(obj)
                if value != ObjType.Map}

    def _scalar(self, path: Path, at: list[bytes] | None) -> tuple | None:
        """The binding's (value, operation id) of the scalar at `path` (None when absent
        or a map)."""
        obj = self._map_at(path[:-1], at)
        if obj is None:
            return None
        found = self._raw.get(obj, path[-1], at)
        return None if found is None or found[0] == ObjType.Map else found

    def changed_paths(self, before: list[str], after: list[str],
                      look_inside: Callable[[Path], bool]) -> list[Path]:
        """The key paths whose value differs between the document as of `before` and as
        of `after`: a key added or removed, a scalar changed, a map replaced by another
        map object. A map that is the same object on both sides is looked into only
        when `look_inside(its path)`."""
        at = ([bytes.fromhex(head) for head in before], [bytes.fromhex(head) for head in after])
        changed: list[Path] = []

        def compare(obj: bytes, path: Path) -> None:
            keys = set(self._raw.keys(obj, at[0])) | set(self._raw.keys(obj, at[1]))
            for key in sorted(keys):
                old, new = self._raw.get(obj, key, at[0]), self._raw.get(obj, key, at[1])
                here = (*path, key)
                if old is not None and new is not None and old[0] == new[0] == ObjType.Map:
                    if old[1] != new[1]:
                        changed.append(here)
                    elif look_inside(here):
                        compare(new[1], here)
                elif old is None or new is None or old[0] != new[0]:
                    changed.append(here)

        compare(ROOT, ())
        return changed

    def tree(self, path: Path = (), heads: list[str] | None = None) -> Tree:
        """The map at `path` as plain Python values ({} when absent), now or as of `heads`."""
        at = [bytes.fromhex(head) for head in heads] if heads is not None else None
        obj = self._map_at(path, at)
        return {} if obj is None else self._read(obj, at)

    def _map_at(self, path: Path, at: list[bytes] | None = None) -> bytes | None:
        """The map at `path`, now or as of `at` (None when absent or not a map)."""
        obj = ROOT
        for key in path:
            found = self._raw.get(obj, key, at)
            if found is None or found[0] != ObjType.Map:
                return None
            obj = found[1]
        return obj

    def _read(self, obj: bytes, at: list[bytes] | None) -> Tree:
        """The map `obj` as plain values."""
        return {key: self._read(child, at) if value == ObjType.Map else value[1]
                for key, (value, child) in self._items(obj, at)}

    def _items(self, obj: bytes, at: list[bytes] | None = None) -> Iterator[tuple]:
        """(key, (value, object or operation id)) of the map `obj`, its keys and their
        winning values read in two calls (one call per key made reading a document with
        years of scores slow)."""
        keys, values = self._raw.keys(obj, at), self._raw.values(obj, at)
        if len(keys) != len(values):  # never seen; read key by key rather than guess
            values = [self._raw.get(obj, key, at) for key in keys]
        return zip(keys, values)

    @contextmanager
    def edit(self) -> Iterator[Editor]:
        with self._raw.transaction() as tx:
            yield Editor(tx)
