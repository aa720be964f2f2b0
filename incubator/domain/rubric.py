"""The monthly-score rubric (月规范), versioned: a version applies from its month on."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import DomainError
from .months import parse_month
from .numbers import typed_number

_KEY = re.compile(r"[a-z][a-z0-9_-]*")


@dataclass(frozen=True)
class RubricItem:
    key: str
    label: str
    maximum: float


@dataclass(frozen=True)
class RubricVersion:
    from_month: str
    items: tuple[RubricItem, ...]

    @property
    def max_total(self) -> float:
        return float(sum(item.maximum for item in self.items))


DEFAULT_RUBRIC = RubricVersion("2000-01", (
    RubricItem("plan", "工作计划", 2.0),
    RubricItem("cleanliness", "卫生清洁", 2.0),
    RubricItem("activities", "活动开展", 2.0),
    RubricItem("archives", "档案资料", 2.0),
    RubricItem("party", "学习与党建", 2.0),
))


def rubric_for(versions: Sequence[RubricVersion], month: str) -> RubricVersion:
    """The version in force in `month`: the latest that starts on or before it."""
    applicable = [v for v in versions if v.from_month <= month]
    return max(applicable, key=lambda v: v.from_month) if applicable else DEFAULT_RUBRIC


def parse_item_spec(text: str) -> RubricItem:
    """`KEY=MAX:LABEL`, e.g. `plan=2:工作计划`."""
    key, _, rest = str(text).partition("=")
    maximum, _, label = rest.partition(":")
    try:
        value = float(maximum)
    except ValueError:
        value = math.nan
    if not key.strip() or not label.strip() or not math.isfinite(value):
        raise DomainError("Malformed rubric item {item}: expected KEY=MAX:LABEL",
                          item=str(text)[:60])
    return RubricItem(key.strip(), label.strip(), value)


def parse_score_items(specs: Sequence[str]) -> dict[str, float]:
    """`NAME=VALUE` pairs as typed (`plan=2`, `卫生清洁=1.5`): item name → value. An item
    given twice is refused (which of the two values was meant?)."""
    values: dict[str, float] = {}
    for spec in specs:
        name, sep, text = str(spec).partition("=")
        try:
            value = float(text)
        except ValueError:
            raise DomainError("Malformed item {item}: expected NAME=VALUE", item=spec) from None
        if not sep:
            raise DomainError("Malformed item {item}: expected NAME=VALUE", item=spec)
        if name.strip() in values:
            raise DomainError("Item {item} is given twice", item=name.strip()[:40])
        values[name.strip()] = value
    return values


def resolve_items(version: RubricVersion, values: Mapping[str, float]) -> dict[str, float]:
    """Typed item names (keys or labels) → item key → value; two names of one item (`plan`
    and `工作计划`) are refused like an item given twice."""
    resolved: dict[str, float] = {}
    for name, value in values.items():
        item = resolve_item(version, name)
        if item.key in resolved:
            raise DomainError("Item {item} is given twice", item=item.label)
        resolved[item.key] = float(value)
    return resolved


def validate_rubric(version: RubricVersion) -> None:
    """Refuse a version that cannot be scored against."""
    parse_month(version.from_month)
    if not version.items:
        raise DomainError("A rubric needs at least one item")
    keys = [item.key for item in version.items]
    if len(set(keys)) != len(keys):
        raise DomainError("Rubric item keys must be unique")
    for item in version.items:
        if not _KEY.fullmatch(item.key):
            raise DomainError("Rubric item key {key} must be lowercase letters, digits, - or _",
                              key=item.key)
        if not 0 < item.maximum <= 100:
            raise DomainError("Maximum {maximum} for {item} must be above 0 and at most 100",
                              maximum=item.maximum, item=item.key)
        if not item.label.strip() or len(item.label) > 40:
            raise DomainError("Rubric item {key} needs a label of at most 40 characters",
                              key=item.key)


def resolve_item(version: RubricVersion, name: str) -> RubricItem:
    """An item by its key or its label."""
    wanted = str(name).strip()
    for item in version.items:
        if wanted in (item.key, item.label):
            return item
    raise DomainError("Unknown rubric item {item}; expected one of {choices}",
                      item=wanted[:40], choices=", ".join(i.key for i in version.items))


def score_total(version: RubricVersion, values: Mapping[str, float]) -> float:
    """The total of a complete, in-range score under `version`; `values` are keyed by item key.

    The total is stored with the score, so a later rubric version never rewrites it.
    """
    keys = {item.key for item in version.items}
    for key in values:
        if key not in keys:
            raise DomainError("Unknown rubric item {item}; expected one of {choices}",
                              item=str(key)[:40], choices=", ".join(i.key for i in version.items))
    total = 0.0
    for item in version.items:
        if item.key not in values:
            raise DomainError("Missing score for {item}", item=item.label)
        total += check_item_score(item, values[item.key])
    return round(total, 4)


def check_item_score(item: RubricItem, value: object, typed: str | None = None) -> float:
    """One item's score: a number from 0 to the item's maximum (`typed`: the text it was
    read from, named in the refusal)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or \
            not math.isfinite(value) or not 0 <= value <= item.maximum:
        raise DomainError("Score {value} for {item} is out of range 0–{maximum}",
                          value=(typed or str(value))[:20], item=item.label,
                          maximum=f"{item.maximum:g}")
    return value


def parse_item_score(item: RubricItem, text: str) -> float:
    """A score typed in a cell, checked as a stored one is."""
    return check_item_score(item, typed_number(text), text)


def ten_point(total: float, max_total: float) -> float:
    """The 10-point equivalent used for thresholds and averages (7 of 14 → 5.0)."""
    return round(10 * total / max_total, 4) if max_total else 0.0
