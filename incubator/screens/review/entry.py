"""The review form row: three evaluations (0-100) and party-building compliance, which
has no default: it is asked for every review (party building first)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.validation import Number
from textual.widgets import Button, Input, Label, Select

from ...i18n import N_, _
from ..widgets.pickers import is_valid

SCORES = (("self", N_("Self")), ("peer", N_("Peer")), ("public", N_("Public")))


class ReviewEntry(Horizontal):
    """Inputs refuse anything but digits and a point; out of range shows invalid."""

    def compose(self) -> ComposeResult:
        for key, title in SCORES:
            yield Label(_(title), classes="entry-label")
            yield Input(id=key, placeholder="0-100", max_length=5, restrict=r"[0-9.]*",
                        validators=[Number(0, 100)], classes="score")
        yield Label(_("Party building"), classes="entry-label")
        yield Select([(_("met"), "yes"), (_("not met"), "no")], prompt=_("choose"),
                     id="party")
        yield Button(_("Save"), variant="primary", id="save")

    def values(self) -> dict[str, float] | None:
        """The three evaluations when all are valid, else None."""
        fields = {key: self.query_one(f"#{key}", Input) for key, _t in SCORES}
        if not all(f.value and is_valid(f) for f in fields.values()):
            return None
        return {key: float(f.value) for key, f in fields.items()}

    def party(self) -> bool | None:
        """Whether party building complies; None until a person chose."""
        value = self.query_one("#party", Select).value
        return None if value == Select.NULL else value == "yes"

    def fill(self, review: dict) -> None:
        """Show a stored review's values."""
        for key, _t in SCORES:
            self.query_one(f"#{key}", Input).value = f"{review[key]:g}"
        self.query_one("#party", Select).value = "yes" if review["party"] else "no"
