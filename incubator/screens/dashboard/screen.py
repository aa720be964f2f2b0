"""首页: each hub's figures at a glance; every figure jumps to the list behind it."""

from __future__ import annotations

from collections import Counter

from textual.app import ComposeResult
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Label

from ...domain.archives import parse_items
from ...domain.months import month_add, month_of
from ...i18n import _
from ...present.labels import data_quality_text
from ...present.sync import device_text, peer_status
from ...store import queries
from ..actions import area_title
from ..widgets.chrome import AppHeader
from ..base import AreaScreen
from ..organizations.flags import OVERDUE, WARNED


class Figure(Button):
    """One clickable, focusable figure: jumps to `mode`, showing `hub_id` where it can."""

    def __init__(self, label: str, mode: str, hub_id: str, *, alert: bool = False,
                 tab: str = "", org_id: str | None = None) -> None:
        super().__init__(label, classes="figure alert" if alert else "figure", compact=True)
        self.mode = mode
        self.hub_id = hub_id
        self.tab = tab
        self.org_id = org_id  # opens this organization instead


class DashboardScreen(AreaScreen):
    CSS_PATH = "dashboard.tcss"

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("dashboard"), classes="area-title")
        with VerticalScroll():
            yield Vertical(id="district", classes="hub")
            yield Grid(id="hubs")
            yield Vertical(id="quality", classes="hub")
            yield Vertical(id="peers", classes="hub")
        yield Footer()

    def refresh_data(self) -> None:
        district = self.query_one("#district", Vertical)
        district.remove_children()
        district.mount_all(self._district_figures())
        grid = self.query_one("#hubs", Grid)
        grid.remove_children()
        grid.mount_all(self._hub_panels())
        quality = self.query_one("#quality", Vertical)
        quality.remove_children()
        figures = self._quality_figures()
        quality.display = bool(figures)
        quality.mount_all(figures)
        peers = self.query_one("#peers", Vertical)
        peers.remove_children()
        peers.mount_all(self._peer_figures())

    def _quality_figures(self) -> list[Label | Figure]:
        """Records to correct or delete (dated after today by a wrong clock); each opens
        its organization. Nothing is shown when there are none."""
        problems = queries.data_quality(self.reader, self.today)
        if not problems:
            return []
        return [Label(_("Data to check: {count} records dated after today").format(
                    count=len(problems)), classes="hub-name"),
                *(Figure(data_quality_text(problem), "organizations", "", alert=True,
                         org_id=problem["org_id"]) for problem in problems[:20])]

    def _peer_figures(self) -> list[Label | Figure]:
        """When this replica last synced with each other device; each opens the sync area."""
        now = self.store.clock()
        peers = queries.sync_peers(self.reader)
        figures: list[Label | Figure] = [Label(_("Last sync per peer"), classes="hub-name")]
        for peer in peers:
            failed = bool(peer["last_error"]) and not peer["revoked_at"]
            text = (_("{device}: {when}, the last attempt failed") if failed
                    else _("{device}: {when}"))
            figures.append(Figure(text.format(device=device_text(peer["name"], peer["device_id"]),
                                              when=peer_status(peer, now)),
                                  "sync", "", alert=failed))
        if not peers:
            figures.append(Figure(_("No other replica in this network yet"), "sync", ""))
        return figures

    def _district_figures(self) -> list[Label | Figure]:
        """The whole district: the register by urban and rural, zombies, archives."""
        settings = queries.settings(self.reader, month_of(self.today))
        areas = {row["area"]: row["count"] for row in queries.count_by(self.reader, ["area"])}
        zombies = len(queries.zombies(self.reader, self.today, settings.zombie_months))
        groups = queries.archive_report(self.reader, parse_items(settings.archive_items), "hub")
        organizations = sum(group["organizations"] for group in groups)
        completeness = sum(group["completeness"] * group["organizations"]
                           for group in groups) / organizations if organizations else 0.0
        return [
            Label(_("The district"), classes="hub-name"),
            Figure(_("{count} organizations on the register: {rural} rural, {urban} urban")
                   .format(count=organizations, rural=areas.get("rural", 0),
                           urban=areas.get("urban", 0)), "organizations", ""),
            Figure(_("Zombie organizations (no activity for {months} months): {count}").format(
                months=settings.zombie_months, count=zombies), "district", "",
                alert=zombies > 0, tab="zombies"),
            Figure(_("Archives complete on average: {completeness:.0f}%  ·  the ranking")
                   .format(completeness=completeness), "district", "", tab="ranking"),
        ]

    def _hub_panels(self) -> list[Vertical]:
        today = self.today
        settings = queries.settings(self.reader, month_of(today))
        last_month = month_add(month_of(today), -1)
        stages = queries.stage_counts(self.reader)
        missing = Counter(r["hub"] for r in queries.missing_scores(self.reader, last_month))
        warned, overdue = Counter(), Counter()
        for org, state in self.incubator.warning_states():
            if state.status in WARNED:
                warned[org["hub"]] += 1
            elif state.status in OVERDUE:
                overdue[org["hub"]] += 1
        expiring = Counter(w["hub"] for w in queries.waivers(
            self.reader, today, expiring_within=settings.expiring_days))
        short = Counter(r["hub"] for r in queries.service_ledger(
            self.reader, today, months=False) if r["shortfall"] > 0)
        panels = []
        for hub in queries.hubs(self.reader, today):
            hub_id, name = hub["id"], hub["name"]
            panels.append(Vertical(
                Label(name, classes="hub-name"),
                Figure(_("Startup {startup} / growth {growth} / applicants {applicant}").format(
                    startup=stages[(hub_id, "startup")], growth=stages[(hub_id, "growth")],
                    applicant=stages[(hub_id, "applicant")]), "organizations", hub_id),
                Figure(_("Spaces used {occupied} / {spaces}").format(**hub), "spaces", hub_id),
                Figure(_("Scores missing for {month}: {count}").format(
                    month=last_month, count=missing[name]), "scoring", hub_id,
                    alert=missing[name] > 0),
                Figure(_("Warnings {open}, overdue or failed {overdue}").format(
                    open=warned[name], overdue=overdue[name]), "warnings", hub_id,
                    alert=overdue[name] > 0),
                Figure(_("Waivers ending within {days} days: {count}").format(
                    days=settings.expiring_days, count=expiring[name]), "waivers", hub_id,
                    alert=expiring[name] > 0, tab="expiring"),
                Figure(_("Service-for-rent shortfalls: {count}").format(count=short[name]),
                       "waivers", hub_id, alert=short[name] > 0, tab="ledger"),
                classes="hub",
            ))
        return panels

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if isinstance(event.button, Figure) and event.button.org_id:
            self.incubator.open_organization(event.button.org_id)
        elif isinstance(event.button, Figure):
            self.jump(event.button.mode, event.button.hub_id, event.button.tab)

    def jump(self, mode: str, hub_id: str, tab: str = "") -> None:
        """Open the list behind a figure, showing only that hub and that tab (or view:
        the waivers ending soon) where the list can."""
        self.app.switch_mode(mode)
        show_hub = getattr(self.app.screen, "show_hub", None)
        if show_hub and hub_id:
            self.app.call_after_refresh(show_hub, hub_id)
        show_tab = getattr(self.app.screen, "show_tab_named", None)
        if show_tab and tab:
            self.app.call_after_refresh(show_tab, tab)
