"""出壳: candidates with every criterion met or not (in words); graduate; the alumni."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Label, Static

from ...domain import warnings
from ...domain.graduation import Criterion, graduation_check
from ...domain.models import RESIDENT_STAGES, LegalStatus, Stage
from ...domain.months import month_of, parse_date
from ...i18n import N_, _
from ...present.labels import exit_kind_text
from ...store import queries
from ..actions import GRADUATION_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..widgets.chrome import AppHeader
from ..widgets.tables import data_table
from .forms import graduate_form

COLUMNS = (("months", N_("Months")), ("stars", N_("Rating")), ("registered", N_("Registered")),
           ("no_warning", N_("No warning")))


def met_text(criterion: Criterion | None) -> str:
    if criterion is None:
        return _("not required")
    return _("met") if criterion.met else _("not met")


class GraduationScreen(AreaScreen):
    """Resident organizations against the graduation criteria; g graduates the chosen one."""

    CSS_PATH = "graduation.tcss"
    ACTIONS = GRADUATION_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("graduation"), classes="area-title")
        yield data_table("candidates", N_("Organization"),
                         *[title for _k, title in COLUMNS], N_("Ready"))
        yield Static("", id="criteria")
        with Horizontal(id="leavers"):
            with Vertical():
                yield Label(_("Alumni"), classes="hint")
                yield data_table("alumni", N_("Organization"), N_("Hub"), N_("Graduated"),
                                 N_("Destination"))
            with Vertical():
                yield Label(_("Exits: ordered (责令退出) or voluntary"), classes="hint")
                yield data_table("exits", N_("Organization"), N_("Hub"), N_("Exited"),
                                 N_("Kind"), N_("Reason"))
        yield Footer()

    def refresh_data(self) -> None:
        settings = queries.settings(self.reader, month_of(self.today))
        open_warning = {org["id"] for org, state in self.incubator.warning_states()
                        if warnings.is_open(state)}
        table = self.query_one("#candidates", DataTable)
        cursor = table.cursor_row
        table.clear()
        self.candidates: list[tuple[dict, list[Criterion]]] = []
        for org in queries.organizations(self.reader, sort="hub"):
            if org["stage"] not in RESIDENT_STAGES:
                continue
            criteria = graduation_check(
                parse_date(org["entered"]) if org["entered"] else None, self.today,
                Stage(org["stage"]), LegalStatus(org["legal_status"]), org["stars"],
                org["id"] in open_warning, settings)
            by_key = {c.key: c for c in criteria}
            ready = all(c.met for c in criteria)
            table.add_row(org["name"],
                          *[met_text(by_key.get(key)) for key, _t in COLUMNS],
                          _("ready") if ready else _("not yet"), key=org["id"])
            self.candidates.append((org, criteria))
        if self.candidates:
            table.move_cursor(row=min(max(cursor, 0), len(self.candidates) - 1))
        self.show_criteria()
        alumni = self.query_one("#alumni", DataTable)
        alumni.clear()
        for org in queries.organizations(self.reader, stage="graduated"):
            alumni.add_row(org["name"], org["hub"] or "", org["graduated_on"] or "",
                           org["destination"] or "", key=org["id"])
        exits = self.query_one("#exits", DataTable)
        exits.clear()
        for org in queries.organizations(self.reader, stage="exited", sort="exited_on",
                                         descending=True):
            exits.add_row(org["name"], org["hub"] or "", org["exited_on"] or "",
                          exit_kind_text(org["exit_ordered"]), org["exit_reason"] or "",
                          key=org["id"])

    @on(DataTable.RowHighlighted, "#candidates")
    def show_criteria(self) -> None:
        """Every criterion of the highlighted candidate, spelled out."""
        chosen = self.chosen(quiet=True)
        self.query_one("#criteria", Static).update("" if chosen is None else "；".join(
            [chosen[0]["hub"] or ""] + [f"{c.text.render(_)} {met_text(c)}" for c in chosen[1]]))

    def chosen(self, quiet: bool = False) -> tuple[dict, list[Criterion]] | None:
        row = self.query_one("#candidates", DataTable).cursor_row
        if 0 <= row < len(getattr(self, "candidates", [])):
            return self.candidates[row]
        if not quiet:
            self.notify(_("Choose an organization first"), severity="warning")
        return None

    def action_graduate(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            return
        org, criteria = chosen
        self.app.push_screen(graduate_form(self.store, org, self.today,
                                           ask=all(c.met for c in criteria)))
