"""The district through Pilot: the ranking, zombies and charts area (F10/0), the detail
screen's activities, visits and archives tabs, the dashboard's district figures, the
profile form's register fields; snapshots at 80×24 and 120×40."""

import pytest
from textual.widgets import Input, Label, Select, TabbedContent, Tabs
from textual_plotext import PlotextPlot

from incubator.screens.dashboard.screen import Figure
from incubator.screens.district.screen import SHOWN_ROWS, DistrictScreen
from incubator.screens.organizations.detail import OrganizationDetailScreen
from incubator.screens.widgets.charts import month_ticks
from incubator.screens.widgets.form import FormScreen
from incubator.store import queries

from .helpers import SIZES, notices, open_store, residents, rows
from .test_snapshots import settle

BRAILLE = range(0x2801, 0x2900)


def drawn(plot: PlotextPlot) -> str:
    return str(plot.render())


def has_dots(text: str) -> bool:
    return any(ord(ch) in BRAILLE for ch in text)


async def open_district(app, pilot, tab: str = "ranking") -> DistrictScreen:
    await pilot.press("0")
    await settle(pilot)
    app.screen.query_one(TabbedContent).active = tab
    await settle(pilot)
    return app.screen


class TestRanking:
    async def test_the_ranking_is_the_sql_ranking_and_opens_an_organization(
            self, district_app, district_home):
        store = open_store(district_home)
        expected = queries.ranking(store.db, store.today(), store.settings())
        store.close()
        async with district_app.run_test(size=(120, 40)) as pilot:
            screen = await open_district(district_app, pilot)
            assert isinstance(screen, DistrictScreen)
            shown = rows(screen.query_one("#ranking-table"))
            assert [row[1] for row in shown] == [r["name"] for r in expected[:SHOWN_ROWS]]
            assert shown[0][0] == "1" and shown[0][2] == f"{expected[0]['total']:.1f}"
            assert str(len(expected)) in str(screen.query_one("#ranking-count", Label).render())
            screen.query_one("#dimension", Select).value = "coverage"
            await settle(pilot)
            by_coverage = rows(screen.query_one("#ranking-table"))
            covered = [float(row[5]) for row in by_coverage]  # (the third dimension)
            assert covered == sorted(covered, reverse=True) and covered != [
                float(row[5]) for row in shown]
            screen.query_one("#ranking-table").focus()
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(district_app.screen, OrganizationDetailScreen)
            assert district_app.screen.org["name"] == by_coverage[0][1]

    async def test_the_zombie_tab_lists_the_sql_zombies(self, district_app, district_home):
        store = open_store(district_home)
        expected = queries.zombies(store.db, store.today(), 3)
        store.close()
        async with district_app.run_test(size=(120, 40)) as pilot:
            screen = await open_district(district_app, pilot, "zombies")
            shown = rows(screen.query_one("#zombie-table"))
            assert [row[0] for row in shown] == [z["name"] for z in expected][:SHOWN_ROWS]
            assert f"{len(expected)} 个" in str(screen.query_one("#zombie-count").render())

    async def test_a_new_activity_takes_an_organization_off_the_zombie_list_while_shown(
            self, district_app, district_home):
        store = open_store(district_home)
        zombie = queries.zombies(store.db, store.today(), 3)[0]
        async with district_app.run_test(size=(120, 40)) as pilot:
            screen = await open_district(district_app, pilot, "zombies")
            assert zombie["name"] in [row[0] for row in rows(screen.query_one("#zombie-table"))]
            from incubator.store.commands import ActivityEntry
            store.add_activity(ActivityEntry(zombie["id"], "2026-11-10", "重新开展活动"))
            for _ in range(30):  # the app polls SQLite's data_version every second
                await pilot.pause(0.1)
                if zombie["name"] not in [r[0] for r in rows(screen.query_one("#zombie-table"))]:
                    break
            assert zombie["name"] not in [r[0] for r in rows(screen.query_one("#zombie-table"))]
        store.close()


class TestCharts:
    async def test_every_chart_draws_and_tables_its_figures(self, app, demo_home):
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_district(app, pilot, "hub-scores")
            hub_chart = screen.query_one("#hub-chart")
            hub_id = screen.query_one("#scores-hub", Select).value
            expected = queries.hub_score_stats(open_store(demo_home).db, hub_id,
                                               screen._months())
            assert [row[0] for row in rows(hub_chart.table)] == [r["month"] for r in expected]
            assert expected and has_dots(drawn(hub_chart.query_one(PlotextPlot)))
            for tab, chart in (("stars", "#stars-chart"), ("occupancy", "#occupancy-chart")):
                screen.query_one(TabbedContent).active = tab
                await settle(pilot)
                found = screen.query_one(chart)
                assert rows(found.table) and has_dots(drawn(found.query_one(PlotextPlot)))
            stars = rows(screen.query_one("#stars-chart").table)
            assert {row[1] for row in stars} <= {h["name"] for h in queries.hubs(
                open_store(demo_home).db, app.today())}
            assert "A = " in str(screen.query_one("#occupancy-key").render())

    async def test_the_activities_chart_of_the_district(self, district_app, district_home):
        store = open_store(district_home)
        total = store.db.execute("SELECT count(*) FROM activities WHERE on_date >= '2024-10-01'"
                                 " AND on_date < '2026-11-01'").fetchone()[0]
        store.close()
        async with district_app.run_test(size=(120, 40)) as pilot:
            screen = await open_district(district_app, pilot, "activities")
            chart = screen.query_one("#activities-chart")
            shown = rows(chart.table)
            assert sum(int(row[1]) for row in shown) == total
            assert has_dots(drawn(chart.query_one(PlotextPlot)))

    async def test_a_title_stays_in_chinese_outside_the_plot(self, app):
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_district(app, pilot, "hub-scores")
            plot = drawn(screen.query_one("#hub-chart").query_one(PlotextPlot))
            assert all(ord(ch) < 0x2E80 for ch in plot)  # no CJK inside the plot
            assert "低分线" in str(screen.query_one("#hub-chart .chart-title").render())


    @pytest.mark.parametrize("tab,chart", [("activities", "#activities-chart"),
                                           ("occupancy", "#occupancy-chart")])
    async def test_every_month_label_it_chose_is_drawn(self, district_app, tab, chart):
        """plotext drops x labels that collide, not always the same ones (a chart that
        differed from one run to the next): the chart asks only for labels that fit."""
        async with district_app.run_test(size=(80, 24)) as pilot:  # the narrowest plots
            screen = await open_district(district_app, pilot, tab)
            plot = screen.query_one(chart).query_one(PlotextPlot)
            text = drawn(plot)
            labels = month_ticks(screen._months(), plot.size.width)[1]
            assert len(labels) >= 2 and all(label in text for label in labels)


class TestDetailTabs:
    async def test_activities_visits_and_archives_of_an_organization(self, district_app,
                                                                     district_home):
        store = open_store(district_home)
        org = next(r for r in queries.organizations(store.db)
                   if queries.visits(store.db, org_id=r["id"])
                   and queries.activities(store.db, org_id=r["id"]))
        activities = queries.activities(store.db, org_id=org["id"])
        report, = queries.archive_report(store.db, store.archive_items(), org_id=org["id"])
        store.close()
        async with district_app.run_test(size=(120, 40)) as pilot:
            district_app.open_organization(org["id"])
            await settle(pilot)
            screen = district_app.screen
            assert len(rows(screen.query_one("#activity-table"))) == len(activities)
            assert rows(screen.query_one("#visit-table"))
            assert len(rows(screen.query_one("#archive-table"))) == 8
            assert f"{report['completeness']}%" in str(screen.query_one("#archive-state").render())
            assert "街道/乡镇：" in str(screen.query_one("#profile-text").render())
            screen.query_one(TabbedContent).active = "activities"
            await settle(pilot)
            assert has_dots(drawn(screen.query_one("#activity-chart", PlotextPlot)))


class TestDashboard:
    async def test_the_zombie_figure_opens_the_zombie_list(self, district_app):
        async with district_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            figure = next(f for f in district_app.screen.query("#district Figure")
                          if f.tab == "zombies")
            assert isinstance(figure, Figure) and "alert" in figure.classes
            figure.focus()
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(district_app.screen, DistrictScreen)
            assert district_app.screen.query_one(TabbedContent).active == "zombies"
            first = rows(district_app.screen.query_one("#zombie-table"))[0][0]
            await pilot.press("enter")  # the list shown takes the keys: Enter opens its first
            for _ in range(20):
                await settle(pilot)
                if isinstance(district_app.screen, OrganizationDetailScreen):
                    break
            assert isinstance(district_app.screen, OrganizationDetailScreen)
            assert district_app.screen.org["name"] == first

    async def test_a_tab_asked_for_before_the_area_is_built_is_the_one_shown(self,
                                                                             district_app):
        async with district_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            district_app.switch_mode("district")
            district_app.screen.show_tab_named("zombies")  # the area is not mounted yet
            await settle(pilot)
            assert district_app.screen.query_one(TabbedContent).active == "zombies"


class TestProfileForm:
    async def test_a_wrong_credit_code_is_refused_and_kept_then_a_right_one_saved(
            self, app, demo_home):
        from incubator.domain.credit_code import check_character

        org = next(r for r in residents(demo_home))
        store = open_store(demo_home)
        store.edit_org(org["id"], {"legal_status": "registered", "org_form": "social-group"})
        store.close()
        first17 = "51510107MJ0000123"
        right = first17 + check_character(first17)
        wrong = first17 + ("0" if right[-1] != "0" else "1")
        async with app.run_test(size=(120, 40)) as pilot:
            app.open_organization(org["id"])
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, FormScreen)
            code = form.query_one("#credit_code", Input)
            code.value = wrong
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form and code.value == wrong
            assert "校验码" in str(form.query_one("#error", Label).render())
            assert any("校验码" in n for n in notices(app))  # checked as typed, by the domain
            code.value = right.lower()
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, OrganizationDetailScreen)
        store = open_store(demo_home)
        assert queries.org_row(store.db, org["id"])["credit_code"] == right
        store.close()


def shoot_tab(snap_compare, home, size, tab: str, *keys, detail: bool = False):
    """The district area on `tab`, after `keys` (or, with `detail`, the ranking leader's
    detail screen on `tab`)."""
    from incubator.screens.app import IncubatorApp

    from ..conftest import NOW

    async def steps(pilot):
        await pilot.press("0")
        await settle(pilot)
        if detail:
            await pilot.press("enter")
            while not isinstance(pilot.app.screen, OrganizationDetailScreen):
                await settle(pilot)
        tabs = pilot.app.screen.query_one(TabbedContent)
        tabs.active = tab
        await settle(pilot)
        tabs.query_one(Tabs).focus()  # one focus whenever the tab's widgets finished mounting
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return snap_compare(IncubatorApp(home, clock=lambda: NOW), run_before=steps,
                        terminal_size=size)


@pytest.mark.parametrize(**SIZES)
@pytest.mark.parametrize("tab", ["ranking", "zombies"])
def test_district_snapshot(snap_compare, district_home, size, tab):
    assert shoot_tab(snap_compare, district_home, size, tab)


@pytest.mark.parametrize(**SIZES)
@pytest.mark.parametrize("tab", ["hub-scores", "stars", "occupancy"])
def test_chart_snapshot(snap_compare, demo_home, size, tab):
    assert shoot_tab(snap_compare, demo_home, size, tab)


@pytest.mark.parametrize(**SIZES)
def test_activities_chart_snapshot(snap_compare, district_home, size):
    assert shoot_tab(snap_compare, district_home, size, "activities")


@pytest.mark.parametrize(**SIZES)
@pytest.mark.parametrize("tab", ["activities", "visits", "archives"])
def test_detail_fieldwork_snapshot(snap_compare, district_home, size, tab):
    """The ranking's leader (Enter on the first row), on one of its fieldwork tabs."""
    assert shoot_tab(snap_compare, district_home, size, tab, detail=True)


class TestTheZeroKey:
    async def test_a_zero_typed_into_a_field_stays_there(self, app, demo_home):
        """0 is also the district area's key: typed into a score cell or the search box it
        is a character (F10 switches from anywhere)."""
        from incubator.screens.scoring.screen import ScoreRow

        from .test_scoring import open_month

        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen, grid = await open_month(app, pilot, org["hub_id"], "2026-11")
            grid[org["id"]].cells[2].focus()
            await pilot.press("0")
            await pilot.pause()
            assert app.screen is screen and grid[org["id"]].cells[2].value == "0"
            assert all(isinstance(row, ScoreRow) for row in screen.query(ScoreRow))
            await pilot.press("f2", "slash", *"2020")
            await pilot.pause()
            assert app.screen.query_one("#search", Input).value == "2020"
            await pilot.press("f10")
            await settle(pilot)
            assert isinstance(app.screen, DistrictScreen)
