"""约谈 driven through Pilot: record an interview, close the case, dismiss it, order an exit."""

import pytest
from textual.widgets import DataTable, Input, Select

from incubator.screens.widgets.form import FormScreen
from incubator.store.commands import ScoreEntry

from .helpers import LOW, SIZES, confirm, notices, open_store, residents, rows, snapshot


def streak(home, org, months=("2026-08", "2026-09", "2026-10")):
    store = open_store(home)
    store.set_scores([ScoreEntry(org["id"], m, LOW) for m in months])
    store.close()


async def choose(app, pilot, org, kind="月度"):
    """The warnings area with the organization's case of `kind` highlighted."""
    await pilot.press("f4")
    await pilot.pause()
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=[row[:3:2] for row in rows(table)].index((org["name"], kind)))
    await pilot.pause()
    return table


async def interview_form(app, pilot, org):
    """The interview form opened (`i`) for `org` from the warnings area."""
    await choose(app, pilot, org)
    await pilot.press("i")
    await pilot.pause()
    return app.screen


async def submit(app, pilot):
    await pilot.press("ctrl+s")
    await app.workers.wait_for_complete()
    await pilot.pause()


class TestRecordInterview:
    async def test_the_deadline_follows_the_date_and_the_interview_opens(self, app, demo_home):
        org = residents(demo_home)[0]
        streak(demo_home, org)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await interview_form(app, pilot, org)
            assert isinstance(form, FormScreen)
            assert form.query_one("#deadline", Input).value == "2026-12-15"
            form.query_one("#on", Input).value = "2026-11-10"
            await pilot.pause()
            assert form.query_one("#deadline", Input).value == "2026-12-10"
            form.query_one("#note", Input).value = "负责人到场"
            await submit(app, pilot)
            assert any("已记录与" in n for n in notices(app)), notices(app)
            status = {row[:3:2]: (row[3], row[5], row[6])
                      for row in rows(app.screen.query_one(DataTable))}
            assert status[(org["name"], "月度")] == ("整改中", "2026-11-10", "2026-12-10")
            steps = str(app.screen.query_one("#steps").render())
            assert "2026-11-10  约谈提醒，整改期限 2026-12-10" in steps

    async def test_a_bad_date_is_refused_and_kept(self, app, demo_home):
        org = residents(demo_home)[0]
        streak(demo_home, org)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await interview_form(app, pilot, org)
            form.query_one("#on", Input).value = "2026-13-01"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is form and form.query_one("#on", Input).value == "2026-13-01"


class TestCloseAndExit:
    async def test_close_as_rectified_then_order_an_exit(self, app, demo_home):
        first, second = residents(demo_home)[:2]
        for org in (first, second):
            streak(demo_home, org)
        store = open_store(demo_home)
        for org in (first, second):  # an exit is ordered after an interview, not before
            store.record_interview(org["id"], "2026-11-01", case="2026-08")
        store.close()
        async with app.run_test(size=(120, 40)) as pilot:
            await choose(app, pilot, first)
            await pilot.press("c")
            await pilot.pause()
            form = app.screen
            assert form.query_one("#outcome", Select).value == "rectified"
            await submit(app, pilot)      # rectified is a person's judgement: a reason first
            assert app.screen is form and "理由" in str(form.query_one("#error").render())
            form.query_one("#reason", Input).value = "活动已恢复，区里复核"
            await submit(app, pilot)
            assert any("已办结" in n for n in notices(app)), notices(app)
            listed = [row[:3:2] for row in rows(app.screen.query_one(DataTable))]
            assert (first["name"], "月度") not in listed
            await choose(app, pilot, second)
            await pilot.press("x")
            await pilot.pause()
            app.screen.query_one("#reason", Input).value = "连续三个月不达标，拒不整改"
            await submit(app, pilot)
            asked = await confirm(app, pilot)
            assert "责令退出" in asked and "收回其空间" in asked and "终止其减免" in asked
            assert any("已责令" in n for n in notices(app)), notices(app)
            assert second["name"] not in [row[0] for row in rows(app.screen.query_one(DataTable))]

    async def test_dismiss_with_a_reason_then_find_it_among_the_dismissed(self, app, demo_home):
        org = residents(demo_home)[0]
        streak(demo_home, org)
        async with app.run_test(size=(120, 40)) as pilot:
            await choose(app, pilot, org)
            await pilot.press("d")
            await pilot.pause()
            app.screen.query_one("#reason", Input).value = "评分录入错误，已更正纸质记录"
            app.screen.query_one("#by", Input).value = "王主任"
            await submit(app, pilot)
            assert any("已撤销" in n for n in notices(app)), notices(app)
            table = app.screen.query_one(DataTable)
            assert (org["name"], "月度") not in [row[:3:2] for row in rows(table)]
            app.screen.query_one("#status", Select).value = "dismissed"
            await pilot.pause()
            dismissed = {row[:3:2]: row[3] for row in rows(table)}
            assert "王主任：评分录入错误" in dismissed[(org["name"], "月度")]


class TestStatusFilter:
    async def test_only_the_chosen_status_is_listed(self, app, demo_home):
        org = residents(demo_home)[0]
        streak(demo_home, org)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f4")
            app.screen.query_one("#status", Select).value = "needs_interview"
            await pilot.pause()
            listed = rows(app.screen.query_one(DataTable))
            assert listed and {row[3] for row in listed} == {"需约谈提醒"}


@pytest.mark.parametrize(**SIZES)
def test_snapshot(snap_compare, demo_home, size):
    assert snapshot(snap_compare, demo_home, "warnings", size)
