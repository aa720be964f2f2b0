"""The network's list of organization categories: a hub adds one or relabels one."""

from __future__ import annotations

from ...domain.categories import clean_category
from ...domain.docids import NETWORK
from .. import queries
from .base import Commands
from .writes import set_all


class CategoryCommands(Commands):
    def set_category(self, key: str, zh: str, en: str | None = None) -> str:
        """Add a category, or give an existing one new labels; returns its key."""
        key, zh, en = clean_category(key, zh, en, queries.categories(self.db))
        self.replica.change(NETWORK, "Set category {key}: {label}", {"key": key, "label": zh},
                            lambda ed: set_all(ed, {("categories", key): {"zh": zh, "en": en}}))
        return key
