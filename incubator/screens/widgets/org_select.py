"""A picker of resident organizations (optionally of one hub); the value is the org id."""

from __future__ import annotations

from textual.widgets import Select

from ...domain.models import RESIDENT_STAGES
from ...i18n import _
from ...store import queries
from .choice import Choice


class OrgSelect(Choice):
    """Its options open in a modal list with a filter box (`Choice`): long Chinese names
    show whole."""

    def __init__(self, reader, *, hub_id: str | None = None,
                 stages: tuple[str, ...] = tuple(sorted(RESIDENT_STAGES)),
                 id: str | None = None) -> None:
        super().__init__(queries.org_options(reader, stages=stages, hub_id=hub_id),
                         prompt=_("Choose an organization"), id=id)

    @staticmethod
    def chosen(value: object) -> str:
        """The chosen id, or "" when nothing was chosen (the store then refuses it)."""
        return "" if value == Select.NULL else str(value)
