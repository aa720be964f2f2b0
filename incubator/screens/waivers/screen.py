"""减免: every waiver, those ending soon, monthly totals per hub and the service ledger."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Label, Select, Switch

from ...domain.errors import DomainError
from ...domain.models import WaiverKind
from ...domain.months import month_of
from ...i18n import N_, _
from ...store import queries
from ..actions import WAIVERS_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..widgets.chrome import AppHeader
from ..widgets.pickers import HubSelect
from ..widgets.tables import Column, NarrowingTable, narrowing_table
from .forms import ServiceHoursForm, add_waiver_form, end_waiver_form, kind_text


# on an 80-column terminal the hub and who approved make way for the dates
COLUMNS = (Column("name", N_("Organization"), narrow=16), Column("hub", N_("Hub"), narrow=None),
           Column("kind", N_("Kind")), Column("start", N_("From")), Column("end", N_("To")),
           Column("value", N_("Yuan per month"), narrow_title=N_("Yuan/month")),
           Column("approved_by", N_("Approved by"), narrow=None),
           Column("ended_on", N_("Ended early")))
# the two tables below it, side by side: narrow ones keep each hub's sum, and every
# figure of the ledger under shorter titles
TOTALS = (Column("hub", N_("Hub"), narrow=8),
          *(Column(kind.value, title, narrow=None) for kind, title in (
              (WaiverKind.RENT_FREE, N_("Rent-free")), (WaiverKind.LOW_RENT, N_("Low rent")),
              (WaiverKind.UTILITIES, N_("Utilities")),
              (WaiverKind.SERVICE_FOR_RENT, N_("Service")))),
          Column("sum", N_("Sum")))
LEDGER = (Column("name", N_("Organization"), narrow=12),
          Column("owed", N_("Hours owed"), narrow_title=N_("Owed")),
          Column("delivered", N_("Hours delivered"), narrow_title=N_("Delivered")),
          Column("shortfall", N_("Shortfall"), narrow_title=N_("Short")),
          Column("surplus", N_("Surplus"), narrow_title=N_("Over")))


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
            yield HubSelect(self.reader, allow_all=True, id="hub")
            yield Switch(id="expiring")
            yield Label("", id="expiring-label")
        yield narrowing_table("waivers", *COLUMNS)
        with Horizontal(id="lower"):
            with Vertical(id="totals-box"):
                yield Label(_("Yuan per month in force today, per hub"), classes="hint")
                yield narrowing_table("totals", *TOTALS, narrow_below=40)
            with Vertical(id="ledger-box"):
                yield Label(_("Service for rent: hours owed and delivered "
                              "(owed − delivered = shortfall − surplus)"), classes="hint")
                yield narrowing_table("ledger", *LEDGER, narrow_below=60)
        yield Footer()

    def refresh_data(self) -> None:
        days = queries.settings(self.reader, month_of(self.today)).expiring_days
        self.query_one("#expiring-label", Label).update(
            _("Only those ending within {days} days").format(days=days))
        soon = days if self.query_one("#expiring", Switch).value else None
        hub = self.query_one("#hub", Select).value
        hub_id = None if hub == Select.NULL else str(hub)
        table = self.query_one("#waivers", DataTable)
        table.clear()
        self.listed = queries.waivers(self.reader, self.today, expiring_within=soon,
                                      hub_id=hub_id)
        for w in self.listed:
            table.add_record(w["id"], {
                "name": w["org_name"], "hub": w["hub"] or "", "kind": kind_text(w["kind"]),
                "start": w["start"], "end": w["last_day"], "value": f"{w['monthly_value']:g}",
                "approved_by": w["approved_by"] or "", "ended_on": w["ended_on"] or ""})
        self.show_totals()
        ledger = self.query_one("#ledger", DataTable)
        ledger.clear()
        self.ledger_rows = queries.service_ledger(self.reader, self.today, hub_id=hub_id)
        for row in self.ledger_rows:
            ledger.add_record(row["id"], {
                "name": row["org_name"],
                **{key: f"{row[key]:g}" for key in ("owed", "delivered", "shortfall",
                                                     "surplus")}})

    def show_totals(self) -> None:
        """Monthly value of the residents' waivers in force today, per hub and kind."""
        totals = self.query_one("#totals", DataTable)
        totals.clear()
        for hub, kinds in queries.monthly_totals(self.reader, self.today).items():
            totals.add_record(hub, {"hub": hub, "sum": f"{sum(kinds.values()):g}",
                                    **{k.value: f"{kinds.get(k.value, 0):g}" for k in WaiverKind}})

    @on(Switch.Changed, "#expiring")
    @on(Select.Changed, "#hub")
    @on(NarrowingTable.ColumnsChanged)
    def filter_changed(self) -> None:
        self.refresh_data()

    def show_hub(self, hub_id: str) -> None:
        """Only that hub's waivers and ledger (a dashboard figure's jump)."""
        self.query_one("#hub", Select).value = hub_id
        self.query_one("#waivers", DataTable).focus()

    def show_tab_named(self, view: str) -> None:
        """`expiring`: only the waivers ending soon; `ledger`: the service ledger."""
        self.query_one("#expiring", Switch).value = view == "expiring"
        self.query_one("#ledger" if view == "ledger" else "#waivers", DataTable).focus()

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
