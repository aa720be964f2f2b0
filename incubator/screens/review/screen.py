"""年度考核·评星定级: enter the evaluations, see the rating and why before saving; the
year's ratings, the priority list and the low ratings with their warning cases."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Footer, Input, Label, Select, Static
from textual.widgets.select import InvalidSelectValueError

from ...domain.errors import DomainError
from ...domain.models import RESIDENT_STAGES, CaseKind, PartyOrg, Stage
from ...domain.months import month_of, parse_date
from ...domain.review import (
    check_review_year, compute_review, has_priority, needs_interview, parse_year,
)
from ...i18n import N_, _
from ...present.labels import rating_text, warning_status_text
from ...store import queries
from ...store.commands import StaleEdit
from ..actions import FORM_FIELDS, REVIEW_ACTIONS, area_title, bindings
from ..base import AreaScreen, SaveFailed
from ..undo import review_undo
from ..widgets.checks import checked_input, labelled, problem
from ..widgets.chrome import AppHeader
from ..widgets.org_select import OrgSelect
from ..widgets.pickers import is_valid
from ..widgets.tables import data_table
from .chart import StarChart
from .entry import ReviewEntry

REVIEWED_STAGES = (*sorted(RESIDENT_STAGES), Stage.GRADUATED)  # residents and alumni


class ReviewScreen(AreaScreen):
    """Pick a year and an organization, type the evaluations; the rating follows as you type."""

    CSS_PATH = "review.tcss"
    ACTIONS = REVIEW_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("review"), classes="area-title")
        with Horizontal(classes=f"toolbar {FORM_FIELDS}"):
            yield Label(_("Year"), classes="entry-label")
            today = self.today
            yield checked_input(lambda text: parse_year(text, today), str(today.year - 1),
                                id="year", max_length=len(str(today.year)), restrict=r"[0-9]*")
            yield OrgSelect(self.reader, stages=REVIEWED_STAGES, id="org")
        yield ReviewEntry(id="entry")
        yield Label("", id="party-note")
        yield Static("", id="result")
        with Horizontal(id="lower"):
            yield StarChart(queries.settings(self.reader, month_of(self.today)).rating_scale,
                            id="chart")
            with Vertical(id="lists"):
                yield Label("", id="priority-title", classes="hint")
                yield data_table("priority", N_("Organization"), N_("Hub"), N_("Composite"))
                yield Label("", id="rectify-title", classes="hint")
                yield data_table("rectify", N_("Organization"), N_("Hub"), N_("Rating"),
                                 N_("Warning case"))
        yield Footer()

    def year(self) -> int | None:
        field = self.query_one("#year", Input)
        return int(field.value) if field.value and is_valid(field) else None

    def show_org(self, org_id: str) -> None:
        """Review `org_id` (the detail screen's `y`); one that cannot be reviewed is said so."""
        try:
            self.query_one("#org", Select).value = org_id
        except InvalidSelectValueError:
            self.notify(_("{name} is not a resident or an alumnus: it has no annual review")
                        .format(name=queries.org_name(self.reader, org_id)), severity="warning")

    def org(self) -> str | None:
        value = self.query_one("#org", Select).value
        return None if value == Select.NULL else str(value)

    opened: dict = {}  # the stored review the entry was filled with ({} for none)

    def refresh_data(self) -> None:
        self.follow()
        self.call_later(self.show_year)

    def entered(self) -> dict:
        """What the entry holds, as `queries.review_values` gives a stored review."""
        entry = self.query_one(ReviewEntry)
        values, party = entry.values(), entry.party()
        return {} if values is None or party is None else {**values, "party": party}

    def follow(self) -> None:
        """A review changed elsewhere shows here unless the person has typed over it."""
        org, year = self.org(), self.year()
        if org and year and self.entered() == self.opened:
            stored = queries.review_of(self.reader, org, year)
            if queries.review_values(stored) != self.opened:
                self.fill()

    async def show_year(self) -> None:
        """The chart and the two follow-up lists of the chosen year, with its settings."""
        year = self.year()
        rows = queries.reviews(self.reader, year) if year else []
        settings = queries.settings_timeline(self.reader).for_review_year(
            year or self.today.year)
        scale = settings.rating_scale
        self.query_one("#priority-title", Label).update(
            _("{stars}: priority in project matching").format(stars=rating_text(5, scale)))
        self.query_one("#rectify-title", Label).update(
            _("{stars} and below: warning interview with a rectification deadline").format(
                stars=rating_text(settings.low_star_interview_max, scale)))
        cases = {org["id"]: case for org, case in self.incubator.warning_states()
                 if case.kind is CaseKind.ANNUAL and case.id == str(year)}
        priority = self.query_one("#priority", DataTable)
        rectify = self.query_one("#rectify", DataTable)
        priority.clear()
        rectify.clear()
        for row in rows:
            if has_priority(row["stars"]):
                priority.add_row(row["org_name"], row["hub"] or "", f"{row['composite']:.1f}")
            elif needs_interview(row["stars"], settings):
                case = cases.get(row["org_id"])
                rectify.add_row(row["org_name"], row["hub"] or "",
                                rating_text(row["stars"], row["scale"]),
                                warning_status_text(case.status) if case else "")
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
        """Show the organization's stored review of the year; without one, keep what is
        typed. Say so when it has no party organization."""
        org, year = self.org(), self.year()
        stored = queries.review_of(self.reader, org, year) if org and year else None
        self.opened = queries.review_values(stored)
        if stored:
            self.query_one(ReviewEntry).fill(stored)
        row = queries.org_row(self.reader, org) if org else None
        self.query_one("#party-note", Label).update(
            _("{name} has no party organization: say whether it meets the party-building "
              "requirements anyway").format(name=row["name"])
            if row and row["party_org"] in (None, PartyOrg.NONE) else "")

    def problems(self) -> list[tuple[Input | Select, str]]:
        """What keeps the review from being saved, field by field, in the domain's words."""
        year = self.query_one("#year", Input)
        found: list[tuple[Input | Select, str]] = []
        if wrong := problem(year):
            found.append((year, labelled(_("Year"), wrong)))
        if self.org() is None:
            found.append((self.query_one("#org", Select),
                          labelled(_("Organization"), _("choose one"))))
        return found + self.query_one(ReviewEntry).problems()

    @on(Input.Changed, ".score")
    @on(Select.Changed, "#party")
    def preview(self) -> None:
        """The rating and its reasons from what is typed now (a pure computation); what is
        wrong with a value typed, when one is."""
        result = self.query_one("#result", Static)
        entry = self.query_one(ReviewEntry)
        org, year, values = self.org(), self.year(), entry.values()
        if org is None or year is None or values is None or entry.party() is None:
            typed_wrong = [text for field, text in self.problems()
                           if isinstance(field, Input) and field.value]
            result.update("\n".join(typed_wrong) or _(
                "Choose a year and an organization, enter the three evaluations (0-100) and "
                "say whether party building complies"))
            return
        row = queries.org_row(self.reader, org)
        settings = queries.settings_timeline(self.reader).for_review_year(year)
        monthly = queries.year_scores10(self.reader, org, year)
        left = row["exited_on"] or row["graduated_on"]
        try:
            check_review_year(year, self.today,
                              parse_date(row["entered"]) if row["entered"] else None,
                              parse_date(left) if left else None, settings)
            review = compute_review(monthly, values["self"], values["peer"], values["public"],
                                    entry.party(), settings,
                                    row["party_org"] not in (None, PartyOrg.NONE))
        except DomainError as error:
            result.update(error.render(_))
            return
        result.update("\n".join(
            [_("{stars} (composite {composite})").format(
                stars=rating_text(review.stars, review.scale), composite=review.composite)]
            + [reason.render(_) for reason in review.reasons]))

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        entry = self.query_one(ReviewEntry)
        org, year, values, party = self.org(), self.year(), entry.values(), entry.party()
        if org is None or year is None or values is None or party is None:
            wrong = self.problems()
            self.notify("\n".join(text for _field, text in wrong), severity="error", timeout=8)
            if wrong:
                self.set_focus(wrong[0][0])
            return
        opened = dict(self.opened)
        written = {**values, "party": party}
        name = queries.org_name(self.reader, org)
        self.save(lambda: self.store.set_review(org, year, values["self"], values["peer"],
                                                values["public"], party, opened=opened),
                  lambda result: _("Review saved: {stars} (composite {composite})").format(
                      stars=rating_text(result.stars, result.scale),
                      composite=result.composite),
                  undo=lambda _result: review_undo(org, name, year, opened, written))

    def on_save_failed(self, event: SaveFailed) -> None:
        super().on_save_failed(event)
        if isinstance(event.error, StaleEdit):
            # the newer review is known now: saving again keeps what was typed over it;
            # choosing the organization again shows the newer one
            self.opened = queries.review_values(event.error.newer)
            self.notify(_("Save again to keep yours; choose the organization again to see the "
                          "newer review."), timeout=8)
