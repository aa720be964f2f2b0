"""The archives checklist (档案资料): which items an evaluation checks, and how complete.

The list of items is a network setting (`archive_items`), written as `key=label` pairs
separated by commas, e.g. `charter=章程,rules=规章制度`; a known key may stand alone and
takes its built-in label. Per organization and item a check records present, partial or
missing; an item never checked counts as missing. Completeness is the share of the items
present (`STATE_CREDIT`: a partial one counts half), in percent, computed in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import DomainError
from .models import ArchiveState, parse_enum
from .names import name_key

# key → (Chinese label, English label): the items one district's evaluation checked
KNOWN_ITEMS: dict[str, tuple[str, str]] = {
    "charter": ("章程", "Charter"),
    "rules": ("规章制度", "Rules and regulations"),
    "members": ("会员名册", "Member register"),
    "minutes": ("会议记录", "Meeting minutes"),
    "activities": ("活动记录", "Activity records"),
    "finance": ("财务管理", "Financial records"),
    "party": ("党建与学习记录", "Party-building and learning records"),
    "self-evaluation": ("自评报告", "Self-evaluation report"),
}
DEFAULT_ITEMS_TEXT = ",".join(f"{key}={zh}" for key, (zh, _en) in KNOWN_ITEMS.items())
STATE_CREDIT = {ArchiveState.PRESENT: 1.0, ArchiveState.PARTIAL: 0.5, ArchiveState.MISSING: 0.0}
MAX_ITEMS = 30
_KEY = re.compile(r"[a-z][a-z0-9-]{0,31}")


@dataclass(frozen=True)
class ArchiveItem:
    key: str
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def parse_items(text: object) -> tuple[ArchiveItem, ...]:
    """The checklist from the setting's text; refused when malformed or repeated."""
    if not isinstance(text, str) or not text.strip():
        raise DomainError("The archive items setting is empty")
    items: list[ArchiveItem] = []
    for part in re.split(r"[,，]", text):
        key, sep, label = (piece.strip() for piece in part.partition("="))
        if not key and not label:
            continue
        if not _KEY.fullmatch(key):
            raise DomainError("Archive item key {key} must be lower-case letters, digits or "
                              "-, starting with a letter", key=key[:40])
        known = KNOWN_ITEMS.get(key)
        if not sep and known is None:
            raise DomainError("Archive item {key} needs a label: write {key}=label", key=key)
        if sep and not 1 <= len(label) <= 20:
            raise DomainError("The label of archive item {key} must have 1 to 20 characters",
                              key=key)
        zh = label if sep else known[0]
        en = known[1] if known and zh == known[0] else zh
        if any(key == item.key or name_key(zh) == name_key(item.zh) for item in items):
            raise DomainError("Archive item {key} ({label}) is listed twice", key=key, label=zh)
        items.append(ArchiveItem(key, zh, en))
    if not items:
        raise DomainError("The archive items setting is empty")
    if len(items) > MAX_ITEMS:
        raise DomainError("At most {maximum} archive items", maximum=MAX_ITEMS)
    return tuple(items)


def resolve_item(items: tuple[ArchiveItem, ...], text: object) -> ArchiveItem:
    """An item of the checklist from its key or its Chinese or English label (any case)."""
    wanted = text.strip() if isinstance(text, str) else ""
    for item in items:
        if wanted == item.zh or wanted.lower() in (item.key, item.en.lower()):
            return item
    raise DomainError("Unknown archive item: {value}; the checklist has {choices}",
                      value=str(text)[:40], choices=", ".join(i.key for i in items))


def parse_checks(items: tuple[ArchiveItem, ...], specs: list[str]) -> dict[str, ArchiveState]:
    """`ITEM=present|partial|missing` pairs as typed (item by key or label): key → state."""
    checks: dict[str, ArchiveState] = {}
    for spec in specs:
        name, sep, state = spec.partition("=")
        if not sep:
            raise DomainError("Expected ITEM=present|partial|missing, got {value}",
                              value=spec[:40])
        checks[resolve_item(items, name).key] = parse_enum(ArchiveState, state)
    return checks

