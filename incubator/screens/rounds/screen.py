"""公益创投: the rounds with their totals, the highlighted round's applications ranked with
their review totals and funding, and the highlighted project's phases and money."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Label, Static

from ...domain.models import EvaluationMethod, EvaluationPhase, EvaluationResult
from ...domain.rounds import yuan_text
from ...i18n import N_, _
from ...present.labels import label_of
from ...store import queries
from ..actions import ROUNDS_ACTIONS, ROUNDS_TITLE, bindings
from ..base import AreaScreen
from ..exports.form import open_export
from ..widgets.chrome import AppHeader
from ..widgets.tables import data_table
from . import forms


def yuan(value: float | None) -> str:
    return "" if value is None else yuan_text(value)


def phases_text(phases: dict[str, str]) -> str:
    """Each phase's latest result, in order (- for a phase not evaluated yet)."""
    return " ".join(label_of(EvaluationResult(phases[p.value])) if p.value in phases else "-"
                    for p in EvaluationPhase)


class RoundsScreen(AreaScreen):
    """Rounds, then a round's applications, then a project's phases; a form for each step
    of the four-step ordering."""

    CSS_PATH = "rounds.tcss"
    ACTIONS = ROUNDS_ACTIONS
    BINDINGS = bindings(ACTIONS)
    listed_rounds: list[dict] = []  # as shown, replaced (never changed) at each refresh
    listed_applications: list[dict] = []

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(_(ROUNDS_TITLE), classes="area-title")
        yield data_table("rounds", N_("Round"), N_("Closes"), N_("Budget (yuan)"),
                         N_("Applications"), N_("Funded"), N_("Funded (yuan)"),
                         N_("Paid (yuan)"), N_("Beneficiaries"), N_("Person-times"))
        yield Static("", id="round-summary", classes="hint")
        yield data_table("applications", N_("Rank"), N_("Organization"), N_("Project"),
                         N_("Requested (yuan)"), N_("Review total"), N_("Score with priority"),
                         N_("Agreed (yuan)"), N_("Phases"))
        yield Static("", id="reasons", classes="hint")
        yield data_table("phases", N_("Date"), N_("Phase"), N_("Method"), N_("Result"),
                         N_("Rectification deadline"), N_("Beneficiaries"), N_("Person-times"),
                         N_("Findings"))
        yield Footer()

    def refresh_data(self) -> None:
        table = self.query_one("#rounds", DataTable)
        cursor = table.cursor_row
        table.clear()
        self.listed_rounds = queries.rounds(self.reader)
        for r in self.listed_rounds:
            table.add_row(r["name"], r["closes"], yuan(r["budget"]), str(r["applications"]),
                          str(r["funded"]), yuan(r["amount_funded"]), yuan(r["amount_paid"]),
                          str(r["beneficiaries"]), str(r["person_times"]), key=r["id"])
        if self.listed_rounds:
            table.move_cursor(row=min(max(cursor, 0), len(self.listed_rounds) - 1))
        self.show_applications()

    def chosen_round(self) -> dict | None:
        row = self.query_one("#rounds", DataTable).cursor_row
        return self.listed_rounds[row] if 0 <= row < len(self.listed_rounds) else None

    def chosen_application(self) -> dict | None:
        row = self.query_one("#applications", DataTable).cursor_row
        found = self.listed_applications
        return found[row] if 0 <= row < len(found) else None

    @on(DataTable.RowHighlighted, "#rounds")
    def show_applications(self) -> None:
        """The highlighted round's applications, ranked, with their funding state."""
        table = self.query_one("#applications", DataTable)
        cursor = table.cursor_row
        table.clear()
        chosen = self.chosen_round()
        self.listed_applications = []
        summary = ""
        if chosen is not None:
            figures = {row["id"]: row for row in queries.applications(self.reader, chosen["id"])}
            ranked = queries.ranking_rows(queries.standing(self.reader, chosen["id"], self.today))
            self.listed_applications = [{**figures[row["id"]], **row} for row in ranked]
            summary = _("Call {opens} to {closes}; budget {budget} yuan, {left} left; funding "
                        "decided on {decided}; {recovered} yuan recovered").format(
                opens=chosen["opens"], closes=chosen["closes"], budget=yuan(chosen["budget"]),
                left=yuan(chosen["left"]), decided=chosen["decided_on"] or _("not yet"),
                recovered=yuan(chosen["amount_recovered"]))
        for a in self.listed_applications:
            table.add_row("" if a["position"] is None else str(a["position"]), a["org_name"],
                          a["project"] or "", yuan(a["amount"]),
                          "" if a["total"] is None else f"{a['total']:.1f}",
                          "" if a["score"] is None else f"{a['score']:.1f}",
                          yuan(a["agreed"]) if a["funded"] else _("not funded"),
                          phases_text(a["phases"]), key=a["id"])
        if self.listed_applications:
            table.move_cursor(row=min(max(cursor, 0), len(self.listed_applications) - 1))
        self.query_one("#round-summary", Static).update(summary)
        self.show_phases()

    @on(DataTable.RowHighlighted, "#applications")
    def show_phases(self) -> None:
        """The highlighted application's reasons, phases and money."""
        table = self.query_one("#phases", DataTable)
        table.clear()
        chosen = self.chosen_application()
        reasons = ""
        if chosen is not None:
            reasons = "；".join(text.render(_) for text in chosen["reasons"])
            money = queries.money(self.reader, chosen["id"])
            if money:
                reasons += "；" + "；".join(
                    (_("paid {amount} yuan on {date}") if m["kind"] == "payment"
                     else _("recovered {amount} yuan on {date}: {reason}")).format(
                        amount=yuan(m["amount"]), date=m["on_date"], reason=m["text"])
                    for m in money)
            for e in queries.evaluations(self.reader, chosen["id"]):
                table.add_row(e["on_date"], label_of(EvaluationPhase(e["phase"])),
                              label_of(EvaluationMethod(e["method"])),
                              label_of(EvaluationResult(e["result"])), e["deadline"] or "",
                              str(e["beneficiaries"]), str(e["person_times"]),
                              e["findings"] or "", key=e["id"])
        self.query_one("#reasons", Static).update(reasons)

    # -- the forms --------------------------------------------------------------

    def needs_round(self) -> dict | None:
        chosen = self.chosen_round()
        if chosen is None:
            self.notify(_("Open a round first (o)"), severity="warning")
        return chosen

    def needs_application(self, funded: bool = False) -> dict | None:
        chosen = self.chosen_application()
        if chosen is None or (funded and not chosen["funded"]):
            self.notify(_("Choose a funded project first") if funded
                        else _("Choose an application first"), severity="warning")
            return None
        return chosen

    def action_need(self) -> None:
        self.app.push_screen(forms.need_form(self.store, self.today))

    def action_project(self) -> None:
        self.app.push_screen(forms.project_form(self.store, self.reader, self.today))

    def action_open_round(self) -> None:
        self.app.push_screen(forms.round_form(self.store, self.today))

    def action_apply(self) -> None:
        if (chosen := self.needs_round()) is not None:
            self.app.push_screen(forms.application_form(self.store, self.reader, chosen,
                                                        self.today))

    def action_review(self) -> None:
        if (chosen := self.needs_application()) is not None:
            self.app.push_screen(forms.review_form(self.store, self.reader, chosen, self.today))

    def action_fund(self) -> None:
        if (chosen := self.needs_round()) is not None:
            self.app.push_screen(forms.fund_form(self.store, chosen, self.today))

    def action_evaluate(self) -> None:
        if (chosen := self.needs_application(funded=True)) is not None:
            self.app.push_screen(forms.evaluation_form(self.store, chosen, self.today))

    def action_export(self) -> None:
        """The highlighted round's sheets to a workbook (`export round`)."""
        if (chosen := self.needs_round()) is not None:
            open_export(self.app, "round", round_id=chosen["id"])
