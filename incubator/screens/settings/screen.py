"""规则与评分细则: the rubric and the network's settings in force in a chosen month, and
the forms that change them from a month on (never the past: `rubric set`, `settings set`).

Reached by F12 and by name in the command palette (it has no digit: 0–9 are the daily
areas)."""

from __future__ import annotations

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Label, Static

from ...domain.errors import DomainError
from ...domain.months import month_add, month_of, parse_month
from ...domain.rubric import rubric_for
from ...i18n import N_, _
from ...present.labels import setting_label
from ...store import queries
from ..actions import SETTINGS_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..widgets.chrome import AppHeader
from ..widgets.tables import data_table
from .forms import RubricForm, SettingsForm, month_input, setting_text


VALUE_CELLS = 24  # columns of a value the table shows (the archive checklist is long)


def shortened(text: str) -> str:
    """At most `VALUE_CELLS` columns wide; the whole value is in the form."""
    if cell_len(text) <= VALUE_CELLS:
        return text
    while cell_len(text) > VALUE_CELLS - 3:
        text = text[:-1]
    return text + "..."


class SettingsScreen(AreaScreen):
    """The rubric version and every setting in force in the month shown, and since when."""

    CSS_PATH = "settings.tcss"
    ACTIONS = SETTINGS_ACTIONS
    BINDINGS = bindings(ACTIONS)
    AUTO_FOCUS = "#settings"

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("settings"), classes="area-title")
        with Horizontal(id="month-row"):
            yield Label(_("Month shown"))
            yield month_input(month_of(self.today), id="month", compact=True)
            yield Label(_("(m chooses it; Enter shows it)"), classes="hint")
        yield Label("", id="rubric-title", classes="section-title")
        yield data_table("rubric", N_("Key"), N_("Item"), N_("Maximum"))
        yield Label("", id="rubric-versions", classes="hint")
        yield Label("", id="settings-title", classes="section-title")
        yield data_table("settings", N_("Meaning"), N_("Value"), N_("Since"), N_("Key"))
        yield Static(_("r a new rubric version from a month, e changes settings from a month "
                       "on; this month and the past keep what was in force then"),
                     classes="hint")
        yield Footer()

    def month(self) -> str:
        """The month shown: the one typed if it is a month, else this month."""
        try:
            return parse_month(self.query_one("#month", Input).value)
        except DomainError:
            return month_of(self.today)

    def refresh_data(self) -> None:
        month = self.month()
        versions = queries.rubric_versions(self.reader)
        version = rubric_for(versions, month)
        self.query_one("#rubric-title", Label).update(
            _("Rubric in force in {month}: from {since} (total {total})").format(
                month=month, since=version.from_month, total=f"{version.max_total:g}"))
        rubric = self.query_one("#rubric", DataTable)
        rubric.clear()
        for item in version.items:
            rubric.add_row(item.key, item.label, f"{item.maximum:g}", key=item.key)
        self.query_one("#rubric-versions", Label).update(_("Versions from: {months}").format(
            months="、".join(v.from_month for v in versions)))
        timeline = queries.settings_timeline(self.reader)
        self.query_one("#settings-title", Label).update(
            _("Settings in force in {month}").format(month=month))
        table = self.query_one("#settings", DataTable)
        cursor = table.cursor_row
        table.clear()
        for key, value in timeline.at(month).to_mapping().items():
            table.add_row(setting_label(key), shortened(setting_text(value)),
                          timeline.since(key, month) or _("the beginning"), key, key=key)
        if table.row_count:
            table.move_cursor(row=min(max(cursor, 0), table.row_count - 1))

    @on(Input.Changed, "#month")
    def month_typed(self, event: Input.Changed) -> None:
        if event.validation_result is None or event.validation_result.is_valid:
            self.refresh_data()

    @on(Input.Submitted, "#month")
    def month_chosen(self) -> None:
        self.query_one("#settings", DataTable).focus()

    def action_choose_month(self) -> None:
        self.query_one("#month", Input).focus()

    def show_month(self, month: str) -> None:
        self.query_one("#month", Input).value = month

    def next_month(self) -> str:
        return month_add(month_of(self.today), 1)

    def action_new_rubric(self) -> None:
        shown = rubric_for(queries.rubric_versions(self.reader), self.month())
        self.app.push_screen(RubricForm(shown, self.next_month(), self.store.set_rubric),
                             lambda values: values and self.show_month(values["from"]))

    def action_edit_settings(self) -> None:
        start = self.next_month()
        in_force = queries.settings_timeline(self.reader).at(start)
        self.app.push_screen(SettingsForm(in_force, start, self.store.set_settings),
                             lambda values: values and self.show_month(values["from"]))
