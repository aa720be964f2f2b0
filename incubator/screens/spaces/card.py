"""A space on the room map: name, kind, status and occupant, in words, colour and a mark.

A space in use has its status between two runs of heavy dashes (╍) and is bold; a free
one has its status alone: the difference survives a monochrome terminal. The dash is a
narrow character everywhere (not East Asian "ambiguous", unlike the box-drawing lines,
which a CJK terminal may draw two cells wide). The four colours are xterm-256 palette
entries (spaces.tcss), so a 256-colour terminal shows them as they are.
"""

from __future__ import annotations

from textual.widgets import Button

from ...domain.models import SpaceKind, label
from ...i18n import N_, _, language

STATUS = {"free": N_("free"), "occupied": N_("occupied"), "waiver": N_("waiver"),
          "warning": N_("warning")}
IN_USE_MARK = "╍╍╍"  # U+254D, East Asian width N: one cell in any terminal


def status_line(status: str) -> str:
    """The status in words, marked when the space is in use."""
    word = _(STATUS[status])
    return word if status == "free" else f"{IN_USE_MARK} {word} {IN_USE_MARK}"


class SpaceCard(Button):
    """One room or desk; the CSS class is its status (free, occupied, waiver, warning)."""

    def __init__(self, space: dict, status: str) -> None:
        lines = [f"{space['name']} {label(SpaceKind(space['kind']), language())}",
                 status_line(status), space["org_name"] or ""]
        super().__init__("\n".join(lines), classes=f"space {status}")
        self.space = space
        self.status = status
