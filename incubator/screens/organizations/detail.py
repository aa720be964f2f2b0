"""One organization: profile, space, waivers, scores, warnings, reviews, history, conflicts."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import (
    DataTable, Footer, Label, Sparkline, Static, TabbedContent, TabPane,
)

from ...domain.categories import category_label
from ...domain.models import LegalStatus, PartyOrg, Stage, WaiverKind, label
from ...domain.months import month_add, month_of, month_range
from ...domain.docids import org_doc
from ...i18n import N_, _, language, render_summary
from ...present.labels import outcome_text, warning_status_text
from ...store import queries
from ..actions import DETAIL_ACTIONS, bindings
from ..base import AreaScreen
from ..widgets.chrome import AppHeader
from ..widgets.tables import data_table
from .form import profile_form

TREND_MONTHS = 24


class OrganizationDetailScreen(AreaScreen):
    CSS_PATH = "organizations.tcss"
    ACTIONS = DETAIL_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def __init__(self, org_id: str) -> None:
        super().__init__()
        self.org_id = org_id
        self.org: dict = {}
        self._conflicts: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label("", id="title", classes="area-title")
        with TabbedContent():
            with TabPane(_("Profile"), id="profile"):
                yield Static(id="profile-text")
                yield Label(_("Press e to edit the profile"), classes="hint")
            with TabPane(_("Space"), id="space"):
                yield data_table("allocations", N_("Space"), N_("From"), N_("To"))
            with TabPane(_("Waivers"), id="waivers"):
                yield data_table("waiver-table", N_("Kind"), N_("From"), N_("To"),
                                 N_("Yuan per month"), N_("Hours per month"), N_("Approved by"))
                yield Label(_("Service hours"), classes="hint")
                yield data_table("service-table", N_("Month"), N_("Hours owed"),
                                 N_("Hours delivered"), N_("Shortfall"))
            with TabPane(_("Scores"), id="scores"):
                yield Label(_("Last 24 months (out of 10)"), id="trend-title", classes="hint")
                yield Sparkline([], id="trend")
                yield data_table("score-table", N_("Month"), N_("Total"), N_("Maximum"),
                                 N_("Note"))
            with TabPane(_("Warnings"), id="warnings"):
                yield Label("", id="warning-state")
                yield data_table("interview-table", N_("Date"), N_("Deadline"), N_("Outcome"),
                                 N_("Note"))
            with TabPane(_("Reviews"), id="reviews"):
                yield data_table("review-table", N_("Year"), N_("Self"), N_("Peer"),
                                 N_("Public"), N_("Composite"), N_("Stars"))
            with TabPane(_("History"), id="history"):
                yield data_table("history-table", N_("When (UTC)"), N_("Device"), N_("What"))
            with TabPane(_("Conflicts"), id="conflicts"):
                yield Label(_("Press r to keep the highlighted value"), classes="hint")
                yield data_table("conflict-table", N_("Field"), N_("Device"), N_("When (UTC)"),
                                 N_("Value"))
        yield Footer()

    def refresh_data(self) -> None:
        self.org = queries.org_row(self.reader, self.org_id)
        self.query_one("#title", Label).update(f"{self.org['name']}  ({self.org_id})")
        self._show_profile()
        self._fill("allocations", [(a["name"], a["start"], a["end"])
                                   for a in queries.org_allocations(self.reader, self.org_id)])
        self._show_waivers()
        self._show_scores()
        self._show_warnings()
        self._fill("review-table", [
            (r["year"], r["self"], r["peer"], r["public"], r["composite"], r["stars"])
            for r in reversed(queries.org_reviews(self.reader, self.org_id))])
        self._show_conflicts()
        self.load_history()

    def _fill(self, table_id: str, rows) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear()
        table.add_rows([tuple("" if v is None else v for v in row) for row in rows])

    def _show_profile(self) -> None:
        org, lang = self.org, language()
        lines = [
            (_("Category"), category_label(org["category"], lang) if org["category"] else ""),
            (_("Hub"), queries.hub_name(self.reader, org["hub_id"])),
            (_("Stage"), label(Stage(org["stage"]), lang)),
            (_("Legal status"), label(LegalStatus(org["legal_status"]), lang)),
            (_("Party organization"), label(PartyOrg(org["party_org"] or "none"), lang)),
            (_("Community"), org["community"] or ""), (_("Contact"), org["contact"] or ""),
            (_("Phone"), org["phone"] or ""), (_("Members"), org["members"]),
            (_("Entered"), org["entered"] or ""),
            (_("Graduated"), f"{org['graduated_on']} {org['destination'] or ''}"
             if org["graduated_on"] else ""),
            (_("Exited"), f"{org['exited_on']} {org['exit_reason'] or ''}"
             if org["exited_on"] else ""),
        ]
        self.query_one("#profile-text", Static).update(
            "\n".join(f"{name}：{value}" for name, value in lines if value not in ("", None)))

    def _show_waivers(self) -> None:
        lang = language()
        self._fill("waiver-table", [
            (label(WaiverKind(w["kind"]), lang), w["start"], w["end"], w["monthly_value"],
             w["hours_per_month"], w["approved_by"])
            for w in queries.waivers(self.reader, self.today, org_id=self.org_id)])
        self._fill("service-table", [
            (m["month"], m["owed"], m["delivered"], m["shortfall"])
            for ledger in queries.service_ledger(self.reader, self.today, self.org_id)
            for m in ledger["months"]])

    def _show_scores(self) -> None:
        scores = queries.scores(self.reader, org_id=self.org_id)
        self._fill("score-table", [(s["month"], s["total"], s["max_total"], s["note"])
                                   for s in scores])
        by_month = {s["month"]: s["score10"] for s in scores}
        last = month_add(month_of(self.today), -1)
        first = max([month_add(last, -(TREND_MONTHS - 1)), min(by_month, default=last)])
        self.query_one("#trend", Sparkline).data = [
            by_month.get(m, 0.0) for m in month_range(first, last)]
        self.query_one("#trend-title", Label).update(
            _("Monthly scores {first} to {last} (out of 10; unscored months show as 0)")
            .format(first=first, last=last))

    def _show_warnings(self) -> None:
        state = queries.warning_state(self.reader, self.org_id, queries.settings(self.reader),
                                      self.today)
        self.query_one("#warning-state", Label).update(
            _("Warning status: {status}").format(status=warning_status_text(state.status)))
        self._fill("interview-table", [
            (i["on_date"], i["deadline"], outcome_text(i["outcome"]), i["note"])
            for i in reversed(queries.interviews(self.reader, self.org_id))])

    def _show_conflicts(self) -> None:
        rows, self._conflicts = [], []
        for conflict in queries.conflicts(self.reader, org_doc(self.org_id)):
            for number, candidate in enumerate(conflict["candidates"], 1):
                self._conflicts.append((conflict["field"], number))
                rows.append((conflict["field"], candidate["device_name"], candidate["at"],
                             str(candidate["value"])))
        self._fill("conflict-table", rows)

    @work(thread=True, exclusive=True, group="history")
    def load_history(self) -> None:
        """History reads the organization's document, so it loads off the UI thread."""
        entries = self.store.history(self.org_id)
        rows = [(e.at, e.device_name, render_summary(e.summary, e.params)) for e in entries]
        self.app.call_from_thread(self._fill, "history-table", rows)

    def action_edit(self) -> None:
        self.app.push_screen(profile_form(
            self.store, self.org, lambda org_id=self.org_id: queries.org_row(self.reader, org_id)))

    def action_resolve(self) -> None:
        table = self.query_one("#conflict-table", DataTable)
        if not self._conflicts:
            self.notify(_("No conflict to resolve"), severity="warning")
            return
        field, keep = self._conflicts[table.cursor_row]
        org_id = self.org_id
        self.save(lambda: self.store.resolve_conflict(org_id, field, keep),
                  lambda value: _("Resolved: {field} = {value}").format(field=field, value=value))
