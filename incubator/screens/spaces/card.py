"""A space on the room map: name, kind, status and occupant, in words and colour."""

from __future__ import annotations

from textual.widgets import Button

from ...domain.models import SpaceKind, label
from ...i18n import N_, _, language

STATUS = {"free": N_("free"), "occupied": N_("occupied"), "waiver": N_("waiver"),
          "warning": N_("warning")}


class SpaceCard(Button):
    """One room or desk; the CSS class is its status (free, occupied, waiver, warning)."""

    def __init__(self, space: dict, status: str) -> None:
        lines = [f"{space['name']} {label(SpaceKind(space['kind']), language())}",
                 _(STATUS[status]), space["org_name"] or ""]
        super().__init__("\n".join(lines), classes=f"space {status}")
        self.space = space
        self.status = status
