"""年度考核: enter the evaluations, see the stars and why before saving; the year's ratings."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import Integer
from textual.widgets import Button, DataTable, Footer, Input, Label, Select, Static, Switch

from ...domain.errors import DomainError
from ...domain.models import RESIDENT_STAGES, Stage
from ...domain.review import compute_review, has_priority, needs_rectification
from ...i18n import N_, _
from ...store import queries
from ..actions import REVIEW_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..widgets.chrome import AppHeader
from ..widgets.org_select import OrgSelect
from ..widgets.pickers import is_valid
from ..widgets.tables import data_table
from .chart import StarChart, stars_text
from .entry import ReviewEntry

REVIEWED_STAGES = (*sorted(RESIDENT_STAGES), Stage.GRADUATED)  # residents and alumni


class ReviewScreen(AreaScreen):
    """Pick a year and an organization, type the evaluations; the stars follow as you type."""

    CSS_PATH = "review.tcss"
    ACTIONS = REVIEW_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("review"), classes="area-title")
        with Horizontal(classes="toolbar"):
            yield Label(_("Year"), classes="entry-label")
            yield Input(str(self.today.year - 1), id="year", max_length=4, restrict=r"[0-9]*",
                        validators=[Integer(2000, self.today.year)])
            yield OrgSelect(self.reader, stages=REVIEWED_STAGES, id="org")
        yield ReviewEntry(id="entry")
        yield Static("", id="result")
        with Horizontal(id="lower"):
            yield StarChart(id="chart")
            with Vertical(id="lists"):
                yield Label(_("5 stars: priority in project matching"), classes="hint")
                yield data_table("priority", N_("Organization"), N_("Hub"), N_("Composite"))
                yield Label(_("Below {stars}: interview and rectification").format(
                    stars=stars_text(queries.settings(self.reader).rectify_below_stars)),
                    classes="hint")
                yield data_table("rectify", N_("Organization"), N_("Hub"), N_("Stars"))
        yield Footer()

    def year(self) -> int | None:
        field = self.query_one("#year", Input)
        return int(field.value) if field.value and is_valid(field) else None

    def org(self) -> str | None:
        value = self.query_one("#org", Select).value
        return None if value == Select.NULL else str(value)

    def refresh_data(self) -> None:
        self.call_later(self.show_year)

    async def show_year(self) -> None:
        """The chart and the two follow-up lists of the chosen year."""
        year = self.year()
        rows = queries.reviews(self.reader, year) if year else []
        settings = queries.settings(self.reader)
        priority = self.query_one("#priority", DataTable)
        rectify = self.query_one("#rectify", DataTable)
        priority.clear()
        rectify.clear()
        for row in rows:
            if has_priority(row["stars"]):
                priority.add_row(row["org_name"], row["hub"] or "", f"{row['composite']:.1f}")
            elif needs_rectification(row["stars"], settings):
                rectify.add_row(row["org_name"], row["hub"] or "", stars_text(row["stars"]))
        await self.query_one(StarChart).show(rows)
        self.preview()

    @on(Input.Changed, "#year")
    async def year_changed(self) -> None:
        self.fill()
        await self.show_year()

    @on(Select.Changed, "#org")
    def org_changed(self) -> None:
        self.fill()

    def fill(self) -> None:
        """Show the organization's stored review of the year; without one, keep what is typed."""
        org, year = self.org(), self.year()
        stored = queries.review_of(self.reader, org, year) if org and year else None
        if stored:
            self.query_one(ReviewEntry).fill(stored)

    @on(Input.Changed, ".score")
    @on(Switch.Changed, "#party")
    def preview(self) -> None:
        """The stars and their reasons from what is typed now (a pure computation)."""
        result = self.query_one("#result", Static)
        entry = self.query_one(ReviewEntry)
        org, year, values = self.org(), self.year(), entry.values()
        if org is None or year is None or values is None:
            result.update(_("Choose a year and an organization, then enter the three "
                            "evaluations (0-100)"))
            return
        monthly = queries.year_scores10(self.reader, org, year)
        try:
            review = compute_review(monthly, values["self"], values["peer"], values["public"],
                                    entry.party(), queries.settings(self.reader))
        except DomainError as error:
            result.update(error.render(_))
            return
        result.update("\n".join(
            [_("{stars} stars (composite {composite})").format(
                stars=review.stars, composite=review.composite)]
            + [reason.render(_) for reason in review.reasons]))

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        entry = self.query_one(ReviewEntry)
        org, year, values = self.org(), self.year(), entry.values()
        if org is None or year is None or values is None:
            self.notify(_("Choose a year and an organization, then enter the three "
                          "evaluations (0-100)"), severity="error")
            return
        party = entry.party()
        self.save(lambda: self.store.set_review(org, year, values["self"], values["peer"],
                                                values["public"], party),
                  lambda result: _("Review saved: {stars} stars (composite {composite})").format(
                      stars=result.stars, composite=result.composite))
