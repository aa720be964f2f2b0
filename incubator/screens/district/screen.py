"""全区: the four-dimension ranking, zombie organizations and the district's charts.

Each tab reads SQLite when it is shown (and again when the replica changes while it is
shown); the ranking and the zombie list are one SQL statement each.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Label, Select, TabbedContent, TabPane, Tabs

from ...domain.models import RankDimension, label
from ...domain.months import month_add, month_of, month_range
from ...i18n import N_, _, language
from ...store import queries
from ..actions import DISTRICT_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..widgets.charts import MARKER, SERIES_NAMES, Chart, month_ticks
from ..widgets.chrome import AppHeader
from ..widgets.pickers import HubSelect
from ..widgets.tables import PlainTable, data_table

SHOWN_ROWS = 100  # the first rows of the ranking and the zombie list; the count says how many
CHART_MONTHS = 24
STAR_LEVELS = (5, 4, 3, 2, 1)


class DistrictScreen(AreaScreen):
    CSS_PATH = "district.tcss"
    ACTIONS = DISTRICT_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("district"), classes="area-title")
        with TabbedContent(id="district-tabs"):
            with TabPane(_("Ranking"), id="ranking"):
                with Horizontal(classes="toolbar"):
                    yield Select([(label(d, language()), d.value) for d in RankDimension],
                                 prompt=_("By the total"), id="dimension", compact=True)
                    yield HubSelect(self.reader, allow_all=True, id="ranking-hub", compact=True)
                yield data_table("ranking-table", N_("Position"), N_("Organization"),
                                 N_("Total"), *[label(d, "en") for d in RankDimension],
                                 N_("Hub or town"))
                yield Label("", id="ranking-count", classes="hint")
            with TabPane(_("Zombies"), id="zombies"):
                yield data_table("zombie-table", N_("Organization"), N_("Hub"),
                                 N_("Street or town"), N_("Community or village"),
                                 N_("Exists since"), N_("Last activity"))
                yield Label("", id="zombie-count", classes="hint")
            with TabPane(_("Scores by hub"), id="hub-scores"):
                yield HubSelect(self.reader, id="scores-hub", compact=True)
                yield Chart(_("Average monthly score (blue) between the lowest (red) and the "
                              "highest (green), out of 10; orange: the warning line"),
                            (N_("Month"), N_("Scored"), N_("Average"), N_("Lowest"),
                             N_("Highest")), id="hub-chart")
            with TabPane(_("Stars"), id="stars"):
                yield Select([], prompt=_("Year"), id="stars-year", compact=True)
                yield Chart(_("Star ratings per hub, 5 stars at the bottom (the table has "
                              "the counts)"),
                            (N_("Key"), N_("Hub"), *[str(s) for s in STAR_LEVELS]),
                            id="stars-chart")
            with TabPane(_("Occupancy"), id="occupancy"):
                yield Chart(_("Spaces occupied per hub (%)"),
                            (N_("Month"), *SERIES_NAMES[:4]), id="occupancy-chart",
                            table_below=False)
                yield Label("", id="occupancy-key", classes="hint")
            with TabPane(_("Activities"), id="activities"):
                yield Chart(_("Activities per month in the district"),
                            (N_("Month"), N_("Activities"), N_("Person-times")),
                            id="activities-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#ranking-table"))  # Enter opens the organization
        self.call_after_refresh(self._show_wanted_tab)
        years = queries.review_years(self.reader)
        self.query_one("#stars-year", Select).set_options([(str(y), y) for y in years])
        if years:
            self.query_one("#stars-year", Select).value = years[0]

    def refresh_data(self) -> None:
        self.show_tab()

    @on(TabbedContent.TabActivated)
    def _focus_the_list(self, event: TabbedContent.TabActivated) -> None:
        """A tab with a list gives it the keys (Enter opens the organization), unless the
        person is moving along the tab bar; the focus would otherwise stay on the hidden
        list of the tab shown before (a dashboard figure jumps here)."""
        if event.pane.id != event.tabbed_content.active:
            return  # a tab shown before the one asked for (the first, at mount)
        lists = event.pane.query(PlainTable)
        if lists and not isinstance(self.focused, Tabs):
            self.set_focus(lists.first())

    @on(TabbedContent.TabActivated)
    @on(Select.Changed)
    def show_tab(self) -> None:
        """Fill the tab that is shown (the others wait until they are)."""
        active = self.query_one("#district-tabs", TabbedContent).active
        {"ranking": self._show_ranking, "zombies": self._show_zombies,
         "hub-scores": self._show_hub_scores, "stars": self._show_stars,
         "occupancy": self._show_occupancy, "activities": self._show_activities,
         }.get(active, lambda: None)()

    def _value(self, widget_id: str):
        value = self.query_one(f"#{widget_id}", Select).value
        return None if value == Select.NULL else value

    def _months(self) -> list[str]:
        last = month_add(month_of(self.today), -1)
        return month_range(month_add(last, -(CHART_MONTHS - 1)), last)

    def _show_ranking(self) -> None:
        rows = queries.ranking(self.reader, self.today, queries.settings(self.reader, month_of(self.today)),
                               dimension=self._value("dimension"),
                               hub=self._value("ranking-hub"))
        table = self.query_one("#ranking-table", PlainTable)
        table.clear()
        table.add_keyed_rows((row["id"], (
            str(row["position"]), row["name"], f"{row['total']:.1f}",
            *[f"{row[d.value]:.0f}" for d in RankDimension], row["hub"] or row["town"] or ""))
            for row in rows[:SHOWN_ROWS])
        self.query_one("#ranking-count", Label).update(
            _("The first {shown} of {count} organizations; each dimension is a percentile "
              "within the district (0–100), weights in the settings").format(
                shown=min(SHOWN_ROWS, len(rows)), count=len(rows)))

    def _show_zombies(self) -> None:
        months = queries.settings(self.reader, month_of(self.today)).zombie_months
        rows = queries.zombies(self.reader, self.today, months)
        table = self.query_one("#zombie-table", PlainTable)
        table.clear()
        table.add_keyed_rows((row["id"], (
            row["name"], row["hub"] or "", row["town"] or "", row["village"] or "",
            row["since"] or "", row["last_activity"] or _("never")))
            for row in rows[:SHOWN_ROWS])
        self.query_one("#zombie-count", Label).update(
            _("{count} zombie organizations: no activity, service hours or active month for "
              "{months} months (the first {shown} shown)").format(
                count=len(rows), months=months, shown=min(SHOWN_ROWS, len(rows))))

    def _show_hub_scores(self) -> None:
        hub_id = self._value("scores-hub")
        rows = queries.hub_score_stats(self.reader, hub_id, self._months()) if hub_id else []
        threshold = queries.settings(self.reader, month_of(self.today)).warning_threshold

        def draw(plt, width: int) -> None:
            x = list(range(len(rows)))
            plt.plot(x, [r["average"] for r in rows], marker=MARKER, color="cyan")
            plt.plot(x, [r["lowest"] for r in rows], marker=MARKER, color="red")
            plt.plot(x, [r["highest"] for r in rows], marker=MARKER, color="green")
            plt.hline(threshold, "orange")
            plt.ylim(0, 10)
            plt.xticks(*month_ticks([r["month"] for r in rows], width))

        self.query_one("#hub-chart", Chart).show(draw, [
            (r["month"], r["scored"], r["average"], r["lowest"], r["highest"]) for r in rows])

    def _show_stars(self) -> None:
        year = self._value("stars-year")
        counts: dict[str, dict[int, int]] = {}
        for row in queries.star_counts(self.reader, year) if year else []:
            counts.setdefault(row["hub"] or _("District register"), {})[row["stars"]] = \
                row["organizations"]
        hubs = list(counts)

        def draw(plt, width: int) -> None:
            plt.stacked_bar(list(SERIES_NAMES[:len(hubs)]),
                            [[counts[hub].get(stars, 0) for hub in hubs]
                             for stars in STAR_LEVELS], marker=MARKER)

        self.query_one("#stars-chart", Chart).show(draw, [
            (SERIES_NAMES[n], hub, *[counts[hub].get(stars, 0) for stars in STAR_LEVELS])
            for n, hub in enumerate(hubs)])

    def _show_occupancy(self) -> None:
        months = self._months()
        by_hub: dict[str, dict[str, float]] = {}
        for row in queries.occupancy_by_month(self.reader, months):
            share = 100.0 * row["occupied"] / row["spaces"] if row["spaces"] else 0.0
            by_hub.setdefault(row["hub"], {})[row["month"]] = round(share, 1)
        hubs = list(by_hub)[:4]

        def draw(plt, width: int) -> None:
            for hub in hubs:
                plt.plot(list(range(len(months))), [by_hub[hub][m] for m in months],
                         marker=MARKER, label=SERIES_NAMES[hubs.index(hub)])
            plt.ylim(0, 100)
            plt.xticks(*month_ticks(months, width))

        self.query_one("#occupancy-chart", Chart).show(
            draw, [(m, *[by_hub[hub][m] for hub in hubs]) for m in months] if hubs else [])
        self.query_one("#occupancy-key", Label).update("  ".join(
            f"{SERIES_NAMES[n]} = {hub}" for n, hub in enumerate(hubs)))

    def _show_activities(self) -> None:
        months = self._months()
        found = {r["month"]: r for r in queries.activities_by_month(self.reader, months[0])}
        rows = [(m, found[m]["activities"] if m in found else 0,
                 found[m]["person_times"] if m in found else 0) for m in months]

        def draw(plt, width: int) -> None:
            plt.bar(list(range(len(months))), [r[1] for r in rows], marker=MARKER)
            plt.xticks(*month_ticks(months, width))

        self.query_one("#activities-chart", Chart).show(draw, rows if found else [])

    @on(DataTable.RowSelected)
    def open_detail(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.incubator.open_organization(str(event.row_key.value))

    _wanted_tab: str | None = None

    def show_tab_named(self, tab: str) -> None:
        """Show one tab (the dashboard's figures jump here), now or once the tabs are."""
        self._wanted_tab = tab
        tabs = self.query("#district-tabs")
        if tabs and tabs.first().is_mounted:
            tabs.first().active = tab

    def _show_wanted_tab(self) -> None:
        if self._wanted_tab:
            self.query_one("#district-tabs", TabbedContent).active = self._wanted_tab
