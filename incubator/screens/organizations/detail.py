"""One organization: profile, space, waivers, scores, warnings, reviews, activities,
visits and trainings, archives, history, conflicts."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Label, Static, TabbedContent, TabPane

from ...domain.archives import parse_items
from ...domain.categories import category_label
from ...domain.models import (
    ArchiveState, AreaKind, LegalStatus, OrgForm, PartyOrg, VisitPurpose, WaiverKind,
    label,
)
from ...domain.months import month_add, month_of, month_range
from ...domain.docids import org_doc
from ...i18n import N_, _, language, render_summary
from ...domain.warnings import pressing_status
from ...present.labels import (
    case_row, case_status_text, enum_label, exit_kind_text, rating_text, stage_text,
    warning_status_text,
)
from ...store import queries
from ..actions import DETAIL_ACTIONS, bindings
from ..base import AreaScreen
from ..widgets.charts import MARKER, MonthPlot, month_ticks
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
                                 N_("Yuan per month"), N_("Hours per month"), N_("Approved by"),
                                 N_("Ended early"))
                yield Label(_("Service hours"), classes="hint")
                yield data_table("service-table", N_("Month"), N_("Hours owed"),
                                 N_("Hours delivered"), N_("Shortfall"), N_("Surplus"))
            with TabPane(_("Scores"), id="scores"):
                yield Label(_("Last 24 months (out of 10)"), id="trend-title", classes="hint")
                yield MonthPlot(id="trend")
                yield data_table("score-table", N_("Month"), N_("Total"), N_("Maximum"),
                                 N_("Note"))
            with TabPane(_("Warnings"), id="warnings"):
                yield Label("", id="warning-state")
                yield data_table("case-table", N_("Case"), N_("Kind"), N_("Status"),
                                 N_("When"), N_("What"))
            with TabPane(_("Reviews"), id="reviews"):
                yield data_table("review-table", N_("Year"), N_("Self"), N_("Peer"),
                                 N_("Public"), N_("Composite"), N_("Stars"))
            with TabPane(_("Activities"), id="activities"):
                yield Label("", id="activity-title", classes="hint")
                yield MonthPlot(id="activity-chart")
                yield data_table("activity-table", N_("Date"), N_("Title"), N_("Kind"),
                                 N_("Place"), N_("Beneficiaries"), N_("Person-times"),
                                 N_("Volunteer hours"))
            with TabPane(_("Visits"), id="visits"):
                yield data_table("visit-table", N_("Date"), N_("Purpose"), N_("Visited by"),
                                 N_("Findings"), N_("Follow-up"))
                yield Label(_("Trainings attended"), classes="hint")
                yield data_table("training-table", N_("Date"), N_("Topic"), N_("People"),
                                 N_("Organizations"))
            with TabPane(_("Archives"), id="archives"):
                yield Label("", id="archive-state", classes="hint")
                yield data_table("archive-table", N_("Item"), N_("State"), N_("Checked on"),
                                 N_("Checked by"), N_("Note"))
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
            (r["year"], r["self"], r["peer"], r["public"], r["composite"],
             rating_text(r["stars"], r["scale"]))
            for r in reversed(queries.org_reviews(self.reader, self.org_id))])
        self._show_fieldwork()
        self._show_conflicts()
        self.load_history()

    def _fill(self, table_id: str, rows) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear()
        table.add_rows([tuple("" if v is None else v for v in row) for row in rows])

    def _show_profile(self) -> None:
        org, lang = self.org, language()
        categories = queries.categories(self.reader)
        lines = [
            (_("Category"), category_label(org["category"], lang, categories)
             if org["category"] else ""),
            (_("Hub"), queries.hub_name(self.reader, org["hub_id"]) if org["hub_id"]
             else _("District register only")),
            (_("Stage"), stage_text(org)),
            (_("Legal status"), label(LegalStatus(org["legal_status"]), lang)),
            (_("Party organization"), label(PartyOrg(org["party_org"] or "none"), lang)),
            (_("Community"), org["community"] or ""), (_("Contact"), org["contact"] or ""),
            (_("Phone"), org["phone"] or ""), (_("Members"), org["members"]),
            (_("Entered"), org["entered"] or ""),
            (_("Urban or rural"), label(AreaKind(org["area"]), lang) if org["area"] else ""),
            (_("Street or town"), org["town"]), (_("Community or village"), org["village"]),
            (_("Unified social credit code"), org["credit_code"]),
            (_("Filing number"), org["filing_number"]),
            (_("Registered or filed on"), org["registered_on"]),
            (_("Person in charge"), org["leader"]), (_("Supervising unit"), org["supervisor"]),
            (_("Organization form"), label(OrgForm(org["org_form"]), lang)
             if org["org_form"] else ""),
            (_("Activity place"), org["place"]), (_("Activity area"), org["activity_area"]),
            (_("Graduated"), f"{org['graduated_on']} {org['destination'] or ''}"
             if org["graduated_on"] else ""),
            (_("Exited"), f"{org['exited_on']} {exit_kind_text(org['exit_ordered'])}："
             f"{org['exit_reason'] or ''}" if org["exited_on"] else ""),
        ]
        self.query_one("#profile-text", Static).update(
            "\n".join(f"{name}：{value}" for name, value in lines if value not in ("", None)))

    def _show_waivers(self) -> None:
        lang = language()
        self._fill("waiver-table", [
            (label(WaiverKind(w["kind"]), lang), w["start"], w["last_day"], w["monthly_value"],
             w["hours_per_month"], w["approved_by"], w["ended_on"])
            for w in queries.waivers(self.reader, self.today, org_id=self.org_id)])
        self._fill("service-table", [
            (m["month"], m["owed"], m["delivered"], m["shortfall"], m["surplus"])
            for ledger in queries.service_ledger(self.reader, self.today, self.org_id)
            for m in ledger["months"]])

    def _show_scores(self) -> None:
        scores = queries.scores(self.reader, org_id=self.org_id)
        self._fill("score-table", [(s["month"], s["total"], s["max_total"], s["note"])
                                   for s in scores])
        by_month = {s["month"]: s["score10"] for s in scores}
        last = month_add(month_of(self.today), -1)
        first = max([month_add(last, -(TREND_MONTHS - 1)), min(by_month, default=last)])
        months = month_range(first, last)
        threshold = queries.settings(self.reader, month_of(self.today)).warning_threshold
        scored = [n for n, month in enumerate(months) if month in by_month]

        def draw(plt, width: int) -> None:
            if scored:
                plt.plot(scored, [by_month[months[n]] for n in scored], marker=MARKER)
            plt.hline(threshold, "red")
            plt.ylim(0, 10)
            plt.xticks(*month_ticks(months, width))

        self.query_one("#trend", MonthPlot).draw(draw)
        self.query_one("#trend-title", Label).update(
            _("Monthly scores {first} to {last} (out of 10; the red line is the warning line "
              "{threshold}; the table below has every month)").format(
                first=first, last=last, threshold=threshold))

    def _show_fieldwork(self) -> None:
        """Activities (a chart per month and the records), visits, trainings, archives."""
        lang = language()
        last = month_of(self.today)
        months = month_range(month_add(last, -(TREND_MONTHS - 1)), last)
        per_month = {r["month"]: r["activities"] for r in queries.activities_by_month(
            self.reader, months[0], self.org_id)}

        def draw(plt, width: int) -> None:
            plt.bar(list(range(len(months))), [per_month.get(m, 0) for m in months],
                    marker=MARKER)
            plt.xticks(*month_ticks(months, width))

        self.query_one("#activity-chart", MonthPlot).draw(draw)
        activities = queries.activities(self.reader, org_id=self.org_id)
        self.query_one("#activity-title", Label).update(
            _("Activities per month, {first} to {last}: {count} in all (the table lists "
              "every record)").format(first=months[0], last=last, count=len(activities)))
        self._fill("activity-table", [
            (a["on_date"], a["title"], a["kind"], a["place"], a["beneficiaries"],
             a["person_times"], a["hours"]) for a in activities])
        self._fill("visit-table", [
            (v["on_date"], label(VisitPurpose(v["purpose"]), lang), v["visitor"], v["findings"],
             v["follow_up"]) for v in queries.visits(self.reader, org_id=self.org_id)])
        self._fill("training-table", [
            (t["on_date"], t["topic"], t["people"], t["organizations"])
            for t in queries.trainings(self.reader, org_id=self.org_id)])
        items = parse_items(queries.settings(self.reader, month_of(self.today)).archive_items)
        checklist = queries.archive_checklist(self.reader, self.org_id, items)
        completeness = queries.archive_report(self.reader, items, org_id=self.org_id)[0]
        self.query_one("#archive-state", Label).update(
            _("Archives complete {completeness}%: {present} present, {partial} partial, "
              "{missing} missing, {unchecked} not checked").format(**completeness))
        self._fill("archive-table", [
            (row["en"] if lang == "en" else row["zh"],
             label(ArchiveState(row["state"]), lang) if row["state"] else _("not checked"),
             row["on_date"], row["checked_by"], row["note"]) for row in checklist])

    def _show_warnings(self) -> None:
        """Every warning case, newest first, each step of it on its own line."""
        cases = queries.org_cases(self.reader, self.org_id, self.today)
        self.query_one("#warning-state", Label).update(_("Warning status: {status}").format(
            status=warning_status_text(pressing_status(cases))))
        self._fill("case-table", [
            (case.id, enum_label(case.kind), case_status_text(case_row(self.org, case)),
             step.at, step.text.render(_))
            for case in reversed(cases) for step in reversed(case.transitions)])

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
