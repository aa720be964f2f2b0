"""减免 driven through Pilot: filter those ending soon, totals per hub, add a waiver."""

import pytest
from textual.widgets import DataTable, Input, Label, Select, Switch

from .helpers import SIZES, notices, residents, rows, snapshot


async def submit(app, pilot):
    await pilot.press("ctrl+s")
    await app.workers.wait_for_complete()
    await pilot.pause()


class TestListAndFilter:
    async def test_expiring_filter_totals_and_ledger(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f6")
            await pilot.pause()
            screen = app.screen
            everything = screen.query_one("#waivers", DataTable).row_count
            screen.query_one("#expiring", Switch).value = True
            await pilot.pause()
            soon = rows(screen.query_one("#waivers", DataTable))
            assert 0 < len(soon) < everything
            assert all("2026-11-15" <= row[4] <= "2026-12-15" for row in soon)
            totals = rows(screen.query_one("#totals", DataTable))
            assert len(totals) == 4
            assert all(float(row[5]) == sum(float(v) for v in row[1:5]) for row in totals)
            ledger = rows(screen.query_one("#ledger", DataTable))
            # owed − delivered = shortfall − surplus, for every row
            assert ledger and all(float(r[1]) - float(r[2]) == float(r[3]) - float(r[4])
                                  for r in ledger)


class TestAddWaiver:
    async def test_a_missing_hours_figure_is_refused_then_the_waiver_saved(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f6")
            await pilot.pause()
            before = app.screen.query_one("#waivers", DataTable).row_count
            await pilot.press("a")
            await pilot.pause()
            form = app.screen
            form.query_one("#org", Select).value = org["id"]
            form.query_one("#kind", Select).value = "service-for-rent"
            form.query_one("#end", Input).value = "2027-06-30"
            form.query_one("#value", Input).value = "900"
            form.query_one("#approved", Input).value = "李主任"
            await submit(app, pilot)
            assert app.screen is form and str(form.query_one("#error", Label).render())
            assert form.query_one("#value", Input).value == "900"
            form.query_one("#hours", Input).value = "20"
            form.query_one("#approved", Input).value = ""
            await submit(app, pilot)   # a waiver needs the person who approved it
            assert app.screen is form and "批准人" in str(form.query_one("#error").render())
            form.query_one("#approved", Input).value = "李主任"
            await submit(app, pilot)
            assert any("减免已保存" in n for n in notices(app)), notices(app)
            for _ in range(20):  # the list refreshes once the form has closed
                if app.screen.query_one("#waivers", DataTable).row_count == before + 1:
                    break
                await pilot.pause(0.1)
            assert app.screen.query_one("#waivers", DataTable).row_count == before + 1


@pytest.mark.parametrize(**SIZES)
def test_snapshot(snap_compare, demo_home, size):
    assert snapshot(snap_compare, demo_home, "waivers", size)
