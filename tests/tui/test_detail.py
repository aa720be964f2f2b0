"""One organization driven through Pilot: the tabs, the profile form, conflicts."""

from textual.widgets import DataTable, Input, Label, Static, TabbedContent
from textual_plotext import PlotextPlot

from incubator.screens.organizations.detail import OrganizationDetailScreen
from incubator.screens.widgets.form import FormScreen
from incubator.store import queries

from ..store.test_replica import clone, copy_chunks
from .helpers import confirm, notices, open_store, residents, until


async def open_detail(app, pilot, org_id):
    app.open_organization(org_id)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen


class TestTabs:
    async def test_scores_chart_history_and_space(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_detail(app, pilot, org["id"])
            assert isinstance(screen, OrganizationDetailScreen)
            scores = screen.query_one("#score-table", DataTable)
            assert scores.row_count > 0
            screen.query_one(TabbedContent).active = "scores"
            await pilot.pause()
            trend = screen.query_one("#trend", PlotextPlot)
            drawn = str(trend.render())
            assert any("\u2801" <= ch <= "\u28ff" for ch in drawn)  # the line, in braille
            assert "─" in drawn  # and the warning line across the plot
            title = str(screen.query_one("#trend-title", Label).render())
            assert "月度评分" in title and "低分线 6.0" in title
            history = screen.query_one("#history-table", DataTable)
            assert any("入驻登记" in str(history.get_row_at(i)[2]) for i in range(history.row_count))
            assert "阶段：" in str(screen.query_one("#profile-text", Static).render())

    async def test_escape_goes_back_to_the_list(self, app, demo_home):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2", "enter")
            await pilot.pause()
            assert isinstance(app.screen, OrganizationDetailScreen)
            await pilot.press("escape")
            assert type(app.screen).__name__ == "OrganizationsScreen"


class TestProfileForm:
    async def test_an_invalid_phone_is_refused_and_kept_then_a_valid_one_saved(
            self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            await open_detail(app, pilot, org["id"])
            await pilot.press("e")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, FormScreen)
            phone = form.query_one("#phone", Input)
            phone.focus()
            phone.value = ""
            await pilot.press(*"call me")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is form and phone.value == "call me"
            said = str(form.query_one("#error", Label).render())
            assert said.startswith("电话 call me ") and said in notices(app)  # the domain's words
            phone.value = ""
            await pilot.press(*"13912345678", "ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, OrganizationDetailScreen)
            assert "已保存：电话" in notices(app)                    # the field's label
            assert "电话：13912345678" in str(app.screen.query_one("#profile-text").render())
        store = open_store(demo_home)
        assert queries.org_row(store.db, org["id"])["phone"] == "13912345678"
        store.close()

    async def test_escape_cancels_without_saving(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            await open_detail(app, pilot, org["id"])
            await pilot.press("e")
            await pilot.pause()
            app.screen.query_one("#contact", Input).value = "别存我"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, OrganizationDetailScreen)
            assert "别存我" not in str(app.screen.query_one("#profile-text").render())


class TestConflicts:
    async def test_a_concurrent_phone_edit_is_listed_and_resolved(self, app, demo_home, tmp_path,
                                                                 shanghai_time):
        org = residents(demo_home)[0]
        store = open_store(demo_home)
        laptop = clone(store, tmp_path / "laptop")
        store.edit_org(org["id"], {"phone": "13800000001"})
        laptop.edit_org(org["id"], {"phone": "13800000002"})
        laptop.close()
        store.close()
        copy_chunks(laptop, demo_home)
        open_store(demo_home).close()  # opening takes in the new chunks
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_detail(app, pilot, org["id"])
            conflicts = screen.query_one("#conflict-table", DataTable)
            assert conflicts.row_count == 2
            field, _device, when, _value = map(str, conflicts.get_row_at(1))
            assert (field, when) == ("电话", "2026-11-15 17:30")     # label, local time
            chosen = str(conflicts.get_row_at(1)[3])
            conflicts.move_cursor(row=1)
            await pilot.press("r")
            asked = await confirm(app, pilot)
            other = ({"13800000001", "13800000002"} - {chosen}).pop()
            assert chosen in asked and other in asked  # what is kept, what is dropped
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert f"已解决：电话 = {chosen}" in notices(app), notices(app)
            assert f"电话：{chosen}" in str(screen.query_one("#profile-text").render())
            assert screen.query_one("#conflict-table", DataTable).row_count == 0
            history = screen.query_one("#history-table", DataTable)
            await until(pilot, lambda: [tuple(map(str, history.get_row_at(n)))[::2]
                                        for n in range(min(2, history.row_count))] == [
                ("2026-11-15 17:30", "解决了 电话 上的冲突"), ("2026-11-15 17:30", "修改了 电话")])
