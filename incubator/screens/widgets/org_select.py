"""A picker of resident organizations (optionally of one hub); the value is the org id.

Its options open in a modal list with a filter box (`Choice`): long Chinese names show
whole, and typing keeps the organizations whose name holds what was typed or whose pinyin
does (full spelling or initials: `shs` finds 书画社), from the `search_text` materialized
with each organization.
"""

from __future__ import annotations

from textual.widgets import Select

from ...domain.models import RESIDENT_STAGES
from ...i18n import _
from ...store import queries
from .choice import Choice


class OrgSelect(Choice):
    def __init__(self, reader, *, hub_id: str | None = None,
                 stages: tuple[str, ...] = tuple(sorted(RESIDENT_STAGES)),
                 id: str | None = None) -> None:
        found = queries.org_options(reader, stages=stages, hub_id=hub_id)
        super().__init__([(name, org_id) for name, org_id, _text in found],
                         prompt=_("Choose an organization"), id=id,
                         search_texts={org_id: text for _name, org_id, text in found})

    @staticmethod
    def chosen(value: object) -> str:
        """The chosen id, or "" when nothing was chosen (the store then refuses it)."""
        return "" if value == Select.NULL else str(value)
