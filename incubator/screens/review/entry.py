"""The review form row: three evaluations (0-100) and party-building compliance, which
has no default: it is asked for every review (party building first)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Select

from ...domain.review import EVALUATIONS, parse_evaluation
from ...i18n import N_, _
from ..actions import FORM_FIELDS
from ..widgets.checks import checked_input, labelled, problem

SCORES = (("self", N_("Self")), ("peer", N_("Peer")), ("public", N_("Public")))
SCORE_CHARS = len("100.0")


def evaluation_input(key: str) -> Input:
    """One evaluation, checked by the domain as typed (digits and a point only)."""
    name = dict(EVALUATIONS)[key]
    return checked_input(lambda text: parse_evaluation(text, name), id=key,
                         placeholder="0-100", max_length=SCORE_CHARS, restrict=r"[0-9.]*",
                         classes="score")


class ReviewEntry(Horizontal):
    """Inputs refuse anything but digits and a point; out of range shows invalid."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.add_class(FORM_FIELDS)

    def compose(self) -> ComposeResult:
        for key, title in SCORES:
            yield Label(_(title), classes="entry-label")
            yield evaluation_input(key)
        yield Label(_("Party building"), classes="entry-label")
        yield Select([(_("met"), "yes"), (_("not met"), "no")], prompt=_("choose"),
                     id="party")
        yield Button(_("Save"), variant="primary", id="save")

    def values(self) -> dict[str, float] | None:
        """The three evaluations when all are valid, else None."""
        fields = {key: self.query_one(f"#{key}", Input) for key, _t in SCORES}
        if not all(f.value and problem(f) is None for f in fields.values()):
            return None
        return {key: float(f.value) for key, f in fields.items()}

    def problems(self) -> list[tuple[Input | Select, str]]:
        """What is missing or wrong, field by field, in the domain's words."""
        found: list[tuple[Input | Select, str]] = []
        for key, title in SCORES:
            field = self.query_one(f"#{key}", Input)
            wrong = problem(field) if field.value else _("not filled in")
            if wrong:
                found.append((field, labelled(_(title), wrong)))
        if self.party() is None:
            found.append((self.query_one("#party", Select), labelled(_("Party building"), _(
                "say whether it meets the requirements (it is asked for every review)"))))
        return found

    def party(self) -> bool | None:
        """Whether party building complies; None until a person chose."""
        value = self.query_one("#party", Select).value
        return None if value == Select.NULL else value == "yes"

    def fill(self, review: dict) -> None:
        """Show a stored review's values."""
        for key, _t in SCORES:
            self.query_one(f"#{key}", Input).value = f"{review[key]:g}"
        self.query_one("#party", Select).value = "yes" if review["party"] else "no"
