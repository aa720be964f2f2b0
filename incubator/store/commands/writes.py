"""Writing records into a document's maps, and the journal fields each write makes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..automerge_doc import Editor

Path = tuple[str, ...]


def _flatten(path: Path, value: Any) -> dict[str, Any]:
    """Journal fields for a write: one field per record (depth ≤ 2), scalars inside."""
    if isinstance(value, Mapping) and len(path) < 2:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten((*path, key), item))
        return out
    return {"/".join(path): value}


def set_all(editor: Editor, writes: Mapping[Path, Any]) -> dict[str, Any]:
    """Write each path (merging maps) and return the journal fields written."""
    fields: dict[str, Any] = {}
    for path, value in writes.items():
        editor.set(path, value)
        fields.update(_flatten(path, value))
    return fields


def replace(editor: Editor, path: Path, value: Mapping[str, Any]) -> dict[str, Any]:
    """Make the map at `path` hold exactly `value`."""
    editor.replace(path, value)
    return _flatten(path, value)


def write_field(editor: Editor, path: Path, value: Any) -> dict[str, Any]:
    """Write one field whatever it holds: a deletion (None), a record or a scalar."""
    if value is None:
        editor.delete(path)
        return {"/".join(path): None}
    if isinstance(value, Mapping):
        return replace(editor, path, value)
    return set_all(editor, {path: value})


def write_all(editor: Editor, writes: Mapping[Path, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for path, value in writes.items():
        fields.update(write_field(editor, path, value))
    return fields
