"""约谈: low-score streaks, open warnings with deadlines, overdue and failed rectifications."""

from __future__ import annotations

from collections import Counter

from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Label, Select

from ...domain.warnings import OPEN_STATUSES
from ...i18n import N_, _
from ...store import queries
from ..actions import WARNINGS_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..widgets.chrome import AppHeader
from ...present.labels import warning_status_text
from ..widgets.tables import data_table
from .forms import InterviewForm, close_form, exit_form

STATUSES = ("needs_interview", "open", "overdue", "failed")


def streak_text(streak: tuple[str, ...]) -> str:
    """A low streak in a few characters: its length and first month."""
    return _("{count} months from {first}").format(count=len(streak), first=streak[0]) \
        if streak else ""


class WarningsScreen(AreaScreen):
    """Every resident organization whose warning still stands, filterable by status."""

    CSS_PATH = "warnings.tcss"
    ACTIONS = WARNINGS_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("warnings"), classes="area-title")
        yield Select([(warning_status_text(s), s) for s in STATUSES],
                     prompt=_("Every open warning"), id="status")
        yield Label("", id="counts", classes="hint")
        yield data_table("warnings", N_("Organization"), N_("Hub"), N_("Status"),
                         N_("Low months"), N_("Interview"), N_("Deadline"))
        yield Label(_("i record an interview, c close it, x order an exit"), classes="hint")
        yield Footer()

    def refresh_data(self) -> None:
        states = [(org, state) for org, state in self.incubator.warning_states()
                  if state.status in OPEN_STATUSES]
        counts = Counter(state.status for _org, state in states)
        self.query_one("#counts", Label).update("  ".join(
            f"{warning_status_text(s)} {counts[s]}" for s in STATUSES))
        wanted = self.query_one("#status", Select).value
        self.rows = [(org, state) for org, state in states
                     if wanted == Select.NULL or state.status == wanted]
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for org, state in self.rows:
            table.add_row(org["name"], org["hub"] or "", warning_status_text(state.status),
                          streak_text(state.streak),
                          state.interview.on.isoformat() if state.interview else "",
                          state.interview.deadline.isoformat() if state.interview else "",
                          key=org["id"])
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))

    @on(Select.Changed, "#status")
    def status_changed(self) -> None:
        self.refresh_data()

    def selected(self) -> dict | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            self.notify(_("Choose an organization first"), severity="warning")
            return None
        return self.rows[table.cursor_row][0]

    def action_interview(self) -> None:
        if org := self.selected():
            self.app.push_screen(InterviewForm(self.store.record_interview, org, self.today,
                                               queries.settings(self.reader)))

    def action_close(self) -> None:
        if org := self.selected():
            self.app.push_screen(close_form(self.store.close_interview, org, self.today))

    def action_exit(self) -> None:
        if org := self.selected():
            self.app.push_screen(exit_form(self.store.exit_org, org, self.today))
