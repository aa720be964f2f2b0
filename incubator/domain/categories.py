"""Organization categories: stable keys with Chinese and English labels.

`CATEGORIES` are the defaults every network starts with. The list is a network list: a
hub may add a category or relabel one (`categories set`), stored in the network document;
`merged_categories` lays those over the defaults. Keys never change, so a relabelling
never touches an organization.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import DomainError
from .names import name_key

Categories = Mapping[str, tuple[str, str]]

CATEGORIES: dict[str, tuple[str, str]] = {
    "charity": ("公益慈善", "Public welfare & charity"),
    "culture": ("文化艺术", "Culture & arts"),
    "community-service": ("社区服务", "Community service"),
    "volunteer": ("志愿服务", "Volunteer service"),
    "elderly": ("为老服务", "Elderly care"),
    "disability": ("助残服务", "Disability support"),
    "youth": ("青少年服务", "Youth"),
    "mutual-aid": ("邻里互助", "Neighbour mutual aid"),
    "governance": ("社区治理", "Community governance"),
    "legal-aid": ("法律援助", "Legal aid"),
    "sports": ("文体活动", "Sports & recreation"),
    "hobbies": ("兴趣爱好", "Hobbies & interests"),
    "public-safety": ("平安建设", "Public safety"),
    "village-sages": ("乡贤参事", "Village sage councils"),
    "other": ("其他", "Other"),
}
_KEY = re.compile(r"[a-z][a-z0-9-]{0,31}")


def merged_categories(stored: Categories) -> dict[str, tuple[str, str]]:
    """The defaults with the network's own additions and labels laid over them."""
    return {**CATEGORIES, **stored}


def resolve_category(text: object, known: Categories = CATEGORIES) -> str:
    """A category key from its key, Chinese label or English label (any case)."""
    wanted = text.strip() if isinstance(text, str) else ""
    for key, (zh, en) in known.items():
        if wanted == zh or wanted.lower() in (key, en.lower()):
            return key
    raise DomainError("Unknown category: {value}", value=str(text)[:40])


def category_label(key: str, lang: str, known: Categories = CATEGORIES) -> str:
    """The label in `lang` (zh or en); a key not in `known` is shown as it is."""
    if key not in known:
        return key
    zh, en = known[key]
    return en if lang == "en" else zh


def clean_category(key: object, zh: object, en: object, known: Categories) -> tuple[str, str, str]:
    """A category to add or relabel: (key, Chinese label, English label), checked against
    the labels of the other categories (no two may read the same)."""
    key = key.strip().lower() if isinstance(key, str) else ""
    if not _KEY.fullmatch(key):
        raise DomainError("Category key {key} must be lower-case letters, digits or -, "
                          "starting with a letter (at most 32)", key=str(key)[:40])
    labels = []
    for text, maximum in ((zh, 20), (en or zh, 40)):
        label = text.strip() if isinstance(text, str) else ""
        if not 1 <= len(label) <= maximum or not label.isprintable():
            raise DomainError("A category label needs 1 to {maximum} printable characters",
                              maximum=maximum)
        labels.append(label)
    for other, (other_zh, other_en) in known.items():
        if other != key and (name_key(other_zh) == name_key(labels[0])
                             or other_en.lower() == labels[1].lower()):
            raise DomainError("Category {other} already has the label {label}", other=other,
                              label=other_zh)
    return key, labels[0], labels[1]
