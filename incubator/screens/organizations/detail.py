"""One organization: profile, space, waivers, scores, warnings, reviews, activities,
visits and trainings, archives, history, conflicts; and every action on it (`DETAIL_ACTIONS`:
keys in the footer, names in the command palette), each through the form of its area."""

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
from ...i18n import N_, _, language
from ...domain.errors import DomainError
from ...domain.warnings import (
    CLOSABLE, DISMISSABLE, INTERVIEWABLE, PRESSING, Case, pressing_status,
)
from ...present.labels import (
    case_row, case_status_text, enum_label, exit_kind_text, field_text, history_text,
    local_time, rating_text, stage_text, warning_status_text,
)
from ...store import queries
from ..actions import DETAIL_ACTIONS, bindings
from ..base import AreaScreen
from ..widgets.charts import MARKER, MonthPlot, month_ticks
from ..widgets.chrome import AppHeader
from ..widgets.confirm import ConfirmScreen
from ..widgets.tables import data_table
from ..graduation.forms import graduate_form, leave_form
from ..scoring.forms import correct_score_form, delete_score_question
from ..spaces.forms import assign_to_org_form, release_for_org_form
from ..waivers.forms import ServiceHoursForm, add_waiver_form, end_waiver_form
from ..warnings.forms import InterviewForm, close_form, dismiss_form, exit_form
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
        self._waivers: list[dict] = []  # the rows of the waiver and score tables
        self._scores: list[dict] = []

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
                yield data_table("history-table", N_("When"), N_("Device"), N_("What"))
            with TabPane(_("Conflicts"), id="conflicts"):
                yield Label(_("Press r to keep the highlighted value"), classes="hint")
                yield data_table("conflict-table", N_("Field"), N_("Device"), N_("When"),
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
        self._waivers = queries.waivers(self.reader, self.today, org_id=self.org_id)
        self._fill("waiver-table", [
            (label(WaiverKind(w["kind"]), lang), w["start"], w["last_day"], w["monthly_value"],
             w["hours_per_month"], w["approved_by"], w["ended_on"])
            for w in self._waivers])
        self._fill("service-table", [
            (m["month"], m["owed"], m["delivered"], m["shortfall"], m["surplus"])
            for ledger in queries.service_ledger(self.reader, self.today, self.org_id)
            for m in ledger["months"]])

    def _show_scores(self) -> None:
        scores = self._scores = queries.scores(self.reader, org_id=self.org_id)
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
                rows.append((field_text(conflict["field"]), candidate["device_name"],
                             local_time(candidate["at"]), str(candidate["value"])))
        self._fill("conflict-table", rows)

    @work(thread=True, exclusive=True, group="history")
    def load_history(self) -> None:
        """History reads the organization's document, so it loads off the UI thread."""
        entries = self.store.history(self.org_id)
        rows = [(local_time(e.at), e.device_name, history_text(e.summary, e.params))
                for e in entries]
        self.app.call_from_thread(self._fill, "history-table", rows)

    def action_edit(self) -> None:
        self.app.push_screen(profile_form(
            self.store, self.org, lambda org_id=self.org_id: queries.org_row(self.reader, org_id)))

    def highlighted(self, table_id: str, listed: list[dict], missing: str) -> dict | None:
        """The row of `listed` highlighted in the table (`missing` said when none is)."""
        row = self.query_one(f"#{table_id}", DataTable).cursor_row
        if 0 <= row < len(listed):
            return listed[row]
        self.notify(_(missing), severity="warning")
        return None

    def in_a_hub(self) -> bool:
        """Space needs a hub: an organization of the district register alone is told so."""
        if self.org["hub_id"] is None:
            self.notify(_("{name} is on the district register and not resident in a hub")
                        .format(name=self.org["name"]), severity="warning")
        return self.org["hub_id"] is not None

    def action_assign(self) -> None:
        if not self.in_a_hub():
            return
        free = [s for s in queries.spaces(self.reader, self.today, self.org["hub_id"])
                if not s["org_id"]]
        if not free:
            self.notify(_("No free space in {hub}").format(
                hub=queries.hub_name(self.reader, self.org["hub_id"])), severity="warning")
            return
        self.app.push_screen(assign_to_org_form(self.store, self.org, free, self.today))

    def action_release(self) -> None:
        today = self.today.isoformat()
        used = [a for a in queries.org_allocations(self.reader, self.org_id)
                if a["end"] is None or a["end"] >= today]
        if not used:
            self.notify(_("{name} uses no space").format(name=self.org["name"]),
                        severity="warning")
            return
        self.app.push_screen(release_for_org_form(self.store, self.org, used, self.today))

    def action_add_waiver(self) -> None:
        self.app.push_screen(add_waiver_form(self.store, self.reader, self.today, self.org))

    def action_end_waiver(self) -> None:
        if waiver := self.highlighted("waiver-table", self._waivers, N_("Choose a waiver first")):
            try:
                form = end_waiver_form(self.store, waiver, self.today)
            except DomainError as refused:
                self.notify(refused.render(_), severity="error")
                return
            self.app.push_screen(form)

    def action_log_service(self) -> None:
        self.app.push_screen(ServiceHoursForm(self.store, self.reader, self.today, self.org))

    def action_correct_score(self) -> None:
        if score := self.highlighted("score-table", self._scores, N_("Choose a score first")):
            self.app.push_screen(correct_score_form(self.store, self.reader, self.org, score))

    def action_delete_score(self) -> None:
        score = self.highlighted("score-table", self._scores, N_("Choose a score first"))
        if score is None:
            return
        org_id, month = self.org_id, score["month"]

        def answered(delete: bool | None) -> None:
            if delete:
                self.save(lambda: self.store.delete_score(org_id, month),
                          lambda _r: _("Deleted the score of {month}").format(month=month))

        self.app.push_screen(delete_score_question(self.reader, self.org, score), answered)

    def case_for(self, statuses: frozenset) -> Case | None:
        """The organization's most pressing warning case in one of `statuses`."""
        cases = [case for case in queries.org_cases(self.reader, self.org_id, self.today)
                 if case.status in statuses]
        if cases:
            return min(cases, key=lambda case: PRESSING.index(case.status))
        self.notify(_("{name} has no warning case this applies to now").format(
            name=self.org["name"]), severity="warning")
        return None

    def action_interview(self) -> None:
        if case := self.case_for(INTERVIEWABLE):
            self.app.push_screen(InterviewForm(self.store.record_interview, self.org, case,
                                               self.today, queries.settings_timeline(self.reader)))

    def action_close_case(self) -> None:
        if case := self.case_for(CLOSABLE):
            self.app.push_screen(close_form(self.store.close_interview, self.org, case,
                                            self.today))

    def action_dismiss_case(self) -> None:
        if case := self.case_for(DISMISSABLE):
            self.app.push_screen(dismiss_form(self.store.dismiss_case, self.org, case))

    def action_order_exit(self) -> None:
        self.app.push_screen(exit_form(self.store.exit_org, self.org, self.today))

    def action_leave(self) -> None:
        self.app.push_screen(leave_form(self.store, self.org, self.today))

    def action_graduate(self) -> None:
        self.app.push_screen(graduate_form(self.store, self.org, self.today))

    def action_review(self) -> None:
        """The annual review area, with this organization chosen."""
        self.app.switch_mode("review")
        self.app.call_after_refresh(self.app.screen.show_org, self.org_id)

    def action_resolve(self) -> None:
        table = self.query_one("#conflict-table", DataTable)
        if not self._conflicts:
            self.notify(_("No conflict to resolve"), severity="warning")
            return
        field, keep = self._conflicts[table.cursor_row]
        org_id = self.org_id
        values = [str(candidate["value"]) for conflict in
                  queries.conflicts(self.reader, org_doc(org_id)) if conflict["field"] == field
                  for candidate in conflict["candidates"]]
        kept = values[keep - 1]
        others = "、".join(value for number, value in enumerate(values, 1) if number != keep)

        def resolve(confirmed: bool) -> None:
            if confirmed:
                self.save(lambda: self.store.resolve_conflict(org_id, field, keep),
                          lambda value: _("Resolved: {field} = {value}").format(
                              field=field_text(field), value=value))

        self.app.push_screen(ConfirmScreen(
            _("Keep {value}?").format(value=kept),
            _("{field} of {name} becomes {value} on every replica once they sync; the other "
              "values ({others}) are no longer offered (each stays in the history). ctrl+z "
              "cannot undo it.").format(field=field_text(field), name=self.org["name"], value=kept,
                                        others=others), confirm=_("Keep it")), resolve)
