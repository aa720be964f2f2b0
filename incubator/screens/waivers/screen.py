"""减免: every waiver, those ending soon, monthly totals per hub and the service ledger."""

from __future__ import annotations


from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Label, Switch

from ...domain.errors import DomainError
from ...domain.models import WaiverKind
from ...domain.months import month_of
from ...i18n import N_, _
from ...store import queries
from ..actions import WAIVERS_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..widgets.chrome import AppHeader
from ..widgets.tables import data_table
from .forms import ServiceHoursForm, add_waiver_form, end_waiver_form, kind_text


class WaiversScreen(AreaScreen):
    """Waivers (optionally only those ending soon), totals in force today, hours owed;
    a adds a waiver, e ends the highlighted one, h logs service hours."""

    CSS_PATH = "waivers.tcss"
    ACTIONS = WAIVERS_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("waivers"), classes="area-title")
        with Horizontal(classes="toolbar"):
            yield Switch(id="expiring")
            yield Label("", id="expiring-label")
        yield data_table("waivers", N_("Organization"), N_("Hub"), N_("Kind"), N_("From"),
                         N_("To"), N_("Yuan per month"), N_("Approved by"), N_("Ended early"))
        with Horizontal(id="lower"):
            with Vertical(id="totals-box"):
                yield Label(_("Yuan per month in force today, per hub"), classes="hint")
                yield data_table("totals", N_("Hub"), N_("Rent-free"), N_("Low rent"),
                                 N_("Utilities"), N_("Service"), N_("Sum"))
            with Vertical(id="ledger-box"):
                yield Label(_("Service for rent: hours owed and delivered "
                              "(owed − delivered = shortfall − surplus)"), classes="hint")
                yield data_table("ledger", N_("Organization"), N_("Hours owed"),
                                 N_("Hours delivered"), N_("Shortfall"), N_("Surplus"))
        yield Footer()

    def refresh_data(self) -> None:
        days = queries.settings(self.reader, month_of(self.today)).expiring_days
        self.query_one("#expiring-label", Label).update(
            _("Only those ending within {days} days").format(days=days))
        soon = days if self.query_one("#expiring", Switch).value else None
        table = self.query_one("#waivers", DataTable)
        table.clear()
        self.listed = queries.waivers(self.reader, self.today, expiring_within=soon)
        for w in self.listed:
            table.add_row(w["org_name"], w["hub"] or "", kind_text(w["kind"]), w["start"],
                          w["last_day"], f"{w['monthly_value']:g}", w["approved_by"] or "",
                          w["ended_on"] or "", key=w["id"])
        self.show_totals()
        ledger = self.query_one("#ledger", DataTable)
        ledger.clear()
        self.ledger_rows = queries.service_ledger(self.reader, self.today)
        for row in self.ledger_rows:
            ledger.add_row(row["org_name"], f"{row['owed']:g}", f"{row['delivered']:g}",
                           f"{row['shortfall']:g}", f"{row['surplus']:g}", key=row["id"])

    def show_totals(self) -> None:
        """Monthly value of the residents' waivers in force today, per hub and kind."""
        totals = self.query_one("#totals", DataTable)
        totals.clear()
        for hub, kinds in queries.monthly_totals(self.reader, self.today).items():
            totals.add_row(hub, *[f"{kinds.get(k.value, 0):g}" for k in WaiverKind],
                           f"{sum(kinds.values()):g}")

    @on(Switch.Changed, "#expiring")
    def filter_changed(self) -> None:
        self.refresh_data()

    def show_hub(self, hub_id: str) -> None:
        self.query_one("#expiring", Switch).value = True
        self.query_one("#waivers", DataTable).focus()

    def action_add(self) -> None:
        self.app.push_screen(add_waiver_form(self.store, self.reader, self.today))

    def action_end(self) -> None:
        """End the highlighted waiver early (the first day without it, and why)."""
        table = self.query_one("#waivers", DataTable)
        if not self.listed or not 0 <= table.cursor_row < len(self.listed):
            self.notify(_("Choose a waiver first"), severity="warning")
            return
        try:
            form = end_waiver_form(self.store, self.listed[table.cursor_row], self.today)
        except DomainError as refused:
            self.notify(refused.render(_), severity="error")
            return
        self.app.push_screen(form)

    def action_log_service(self) -> None:
        """Hours for a month: of the organization highlighted in the ledger, if it has the
        focus."""
        ledger = self.query_one("#ledger", DataTable)
        chosen = self.ledger_rows[ledger.cursor_row]["org_id"] \
            if self.focused is ledger and 0 <= ledger.cursor_row < len(self.ledger_rows) else None
        self.app.push_screen(ServiceHoursForm(self.store, self.reader, self.today,
                                              chosen=chosen))
