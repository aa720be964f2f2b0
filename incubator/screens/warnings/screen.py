"""约谈: warning cases — low streaks and low ratings, interviews, deadlines, outcomes."""

from __future__ import annotations

from collections import Counter

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Label, Select, Static

from ...domain.models import WarningStatus
from ...domain.warnings import OPEN_STATUSES, Case
from ...i18n import N_, _
from ...present.labels import (
    case_row, case_status_text, case_summary, enum_label, warning_status_text,
)
from ...store import queries
from ..actions import WARNINGS_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..widgets.chrome import AppHeader
from ..widgets.pickers import HubSelect
from ..widgets.tables import KEEP, Column, NarrowingTable, narrowing_table
from .forms import InterviewForm, close_form, dismiss_form, exit_form, needs_interview_first

STATUSES = ("needs_interview", "open", "overdue", "failed")
# on an 80-column terminal the hub and the reason (shown below the table, in the steps)
# make way for the dates
COLUMNS = (Column("name", N_("Organization"), narrow=16), Column("hub", N_("Hub"), narrow=None),
           Column("kind", N_("Kind")), Column("status", N_("Status"), narrow=22),
           Column("why", N_("Why"), narrow=None), Column("interview", N_("Interview"), narrow=KEEP),
           Column("deadline", N_("Deadline")))
CLOSED = tuple(s.value for s in WarningStatus if s not in OPEN_STATUSES and s != "ok")


class WarningsScreen(AreaScreen):
    """Every open warning case (or the closed ones of one status), one row per case."""

    CSS_PATH = "warnings.tcss"
    ACTIONS = WARNINGS_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("warnings"), classes="area-title")
        with Horizontal(classes="toolbar"):
            yield Select([(warning_status_text(s), s) for s in (*STATUSES, *CLOSED)],
                         prompt=_("Every open warning"), id="status")
            yield HubSelect(self.reader, allow_all=True, id="hub")
        yield Label("", id="counts", classes="hint")
        yield narrowing_table("warnings", *COLUMNS)
        yield Static("", id="steps")
        yield Label(_("i record an interview, c close the case, d dismiss it, x order an exit"),
                    classes="hint")
        yield Footer()

    def refresh_data(self) -> None:
        hub = self.query_one("#hub", Select).value
        cases = [(org, case) for org, case in self.incubator.warning_states()
                 if hub == Select.NULL or org["hub_id"] == hub]
        counts = Counter(case.status for _org, case in cases)
        self.query_one("#counts", Label).update("  ".join(
            f"{warning_status_text(s)} {counts[s]}" for s in STATUSES))
        wanted = self.query_one("#status", Select).value
        shown = OPEN_STATUSES if wanted == Select.NULL else {wanted}
        self.rows: list[tuple[dict, Case]] = [(org, case) for org, case in cases
                                              if case.status in shown]
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for org, case in self.rows:
            table.add_record(f"{org['id']}/{case.id}", {
                "name": org["name"], "hub": org["hub"] or "", "kind": enum_label(case.kind),
                "status": case_status_text(case_row(org, case)), "why": case_summary(case),
                "interview": case.interview.on.isoformat() if case.interview else "",
                "deadline": case.deadline.isoformat() if case.deadline else ""})
        if self.rows:
            table.move_cursor(row=min(max(cursor, 0), len(self.rows) - 1))
        self.show_steps()

    @on(Select.Changed, "#status")
    @on(Select.Changed, "#hub")
    @on(NarrowingTable.ColumnsChanged)
    def status_changed(self) -> None:
        self.refresh_data()

    def show_hub(self, hub_id: str) -> None:
        """Only that hub's cases (a dashboard figure's jump)."""
        self.query_one("#hub", Select).value = hub_id
        self.query_one("#warnings", DataTable).focus()

    @on(DataTable.RowHighlighted, "#warnings")
    def show_steps(self) -> None:
        """The highlighted case's history, one step per line (and the keys it allows)."""
        self.refresh_bindings()
        chosen = self.selected(quiet=True)
        self.query_one("#steps", Static).update("" if chosen is None else "\n".join(
            f"{step.at}  {step.text.render(_)}" for step in chosen[1].transitions))

    def selected(self, quiet: bool = False) -> tuple[dict, Case] | None:
        table = self.query_one(DataTable)
        if self.rows and 0 <= table.cursor_row < len(self.rows):
            return self.rows[table.cursor_row]
        if not quiet:
            self.notify(_("Choose an organization first"), severity="warning")
        return None

    def action_interview(self) -> None:
        if chosen := self.selected():
            self.app.push_screen(InterviewForm(self.store.record_interview, *chosen, self.today,
                                               queries.settings_timeline(self.reader)))

    def action_close(self) -> None:
        if chosen := self.selected():
            self.app.push_screen(close_form(self.store.close_interview, *chosen, self.today))

    def action_dismiss(self) -> None:
        if chosen := self.selected():
            self.app.push_screen(dismiss_form(self.store.dismiss_case, *chosen))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No ordered exit for a case that still needs its interview (shown disabled)."""
        if action == "exit" and getattr(self, "rows", None) and \
                (chosen := self.selected(quiet=True)):
            return None if needs_interview_first(chosen[1]) else True
        return True

    def action_exit(self) -> None:
        if chosen := self.selected():
            self.app.push_screen(exit_form(self.store.exit_org, chosen[0], self.today))
