"""Organization categories: stable keys with Chinese and English labels."""

from __future__ import annotations

from .errors import DomainError

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
    "other": ("其他", "Other"),
}


def resolve_category(text: object) -> str:
    """A category key from its key, Chinese label or English label (any case)."""
    wanted = text.strip() if isinstance(text, str) else ""
    for key, (zh, en) in CATEGORIES.items():
        if wanted == zh or wanted.lower() in (key, en.lower()):
            return key
    raise DomainError("Unknown category: {value}", value=str(text)[:40])


def category_label(key: str, lang: str) -> str:
    """The label in `lang` (zh or en); a key from a newer version is shown as it is."""
    if key not in CATEGORIES:
        return key
    zh, en = CATEGORIES[key]
    return en if lang == "en" else zh
