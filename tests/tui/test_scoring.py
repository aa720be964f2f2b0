"""月度评分 driven through Pilot: type, see totals live, save, refuse an out-of-range cell."""

import pytest
from textual.widgets import DataTable, Input, Label, Select

from incubator.screens.scoring.screen import ScoreRow
from incubator.store import queries
from incubator.store.commands import ScoreEntry

from .helpers import LOW, SIZES, notices, open_store, residents, rows, snapshot, until


async def open_month(app, pilot, hub_id: str, month: str):
    await pilot.press("f3")
    screen = app.screen
    screen.query_one("#hub", Select).value = hub_id
    screen.query_one("#month", Input).value = month
    await pilot.pause()
    return screen, {row.org_id: row for row in screen.query(ScoreRow)}


class TestScoreAMonth:
    async def test_three_organizations_saved_with_totals_and_the_new_warning(self, app,
                                                                             demo_home):
        hub_rows = residents(demo_home, residents(demo_home)[0]["hub"])
        low, fine = hub_rows[0], hub_rows[1:3]
        store = open_store(demo_home)
        store.set_scores([ScoreEntry(low["id"], m, LOW) for m in ("2026-09", "2026-10")])
        store.close()
        async with app.run_test(size=(120, 40)) as pilot:
            screen, grid = await open_month(app, pilot, low["hub_id"], "2026-11")
            assert all(not any(cell.value.strip() for cell in row.cells) for row in grid.values())
            for org, value in [(low, "1"), (fine[0], "2"), (fine[1], "1.5")]:
                grid[org["id"]].cells[0].focus()
                for _item in LOW:
                    await pilot.press(*value, "tab")
            await pilot.pause()
            assert "low" in grid[low["id"]].classes
            assert "low" not in grid[fine[1]["id"]].classes
            assert str(grid[fine[1]["id"]].total_label.render()) == "7.5/10"
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert any("已保存 3 个组织的评分" in n for n in notices(app)), notices(app)
            saved = {org["id"]: saved_total(org, demo_home) for org in (low, *fine)}
            assert saved == {low["id"]: 5.0, fine[0]["id"]: 10.0, fine[1]["id"]: 7.5}
            totals = {row.org_id: str(row.total_label.render()) for row in screen.query(ScoreRow)}
            assert totals[fine[0]["id"]] == "10/10"
            await pilot.press("f4")
            await pilot.pause()
            warned = {row[:3:2]: row[3] for row in rows(app.screen.query_one(DataTable))}
            assert warned[(low["name"], "月度")] == "需约谈提醒"


def saved_total(org, home) -> float:
    store = open_store(home)
    total = queries.scores(store.db, month="2026-11", org_id=org["id"])[0]["total"]
    store.close()
    return total


class TestInvalidCell:
    async def test_out_of_range_is_refused_and_the_typed_text_kept(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen, grid = await open_month(app, pilot, org["hub_id"], "2026-11")
            cells = grid[org["id"]].cells
            cells[0].focus()
            await pilot.press("3", "tab", "x", "2")
            await pilot.pause()
            assert "-invalid" in cells[0].classes
            assert cells[1].value == "2"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert cells[0].value == "3" and screen.focused is cells[0]
            # the domain's words: the item, the value typed and its range
            assert any(f"{org['name']}：工作计划 的得分 3 超出 0–2 的范围" in n
                       for n in notices(app)), notices(app)
            store = open_store(demo_home)
            assert queries.scores(store.db, month="2026-11") == []
            store.close()


class TestTypedTextSurvives:
    async def test_switching_month_and_back_keeps_what_was_typed(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen, grid = await open_month(app, pilot, org["hub_id"], "2026-11")
            grid[org["id"]].cells[0].focus()
            await pilot.press("1", ".", "5")
            screen.query_one("#month", Input).value = "2026-10"
            await pilot.pause()
            screen.query_one("#month", Input).value = "2026-11"

            def shown_row():
                """The organization's row of November's sheet, once mounted and totalled."""
                sheet = screen.sheets.get((org["hub_id"], "2026-11"))
                return next((r for r in screen.query(ScoreRow) if sheet and r.org_id == org["id"]
                             and r.draft is sheet.drafts.get(org["id"]) and r.is_mounted
                             and str(r.total_label.render())), None)

            await until(pilot, lambda: shown_row() is not None)
            row = shown_row()
            assert row.cells[0].value == "1.5"
            assert str(row.total_label.render()) == "1.5/10"


class TestMonthValidation:
    async def test_a_future_month_is_shown_invalid(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f3")
            month = app.screen.query_one("#month", Input)
            assert month.value == "2026-10"
            month.value = "2027-01"
            await pilot.pause()
            assert "-invalid" in month.classes
            assert str(app.screen.query_one("#rubric", Label).render())


@pytest.mark.parametrize(**SIZES)
def test_snapshot(snap_compare, demo_home, size):
    assert snapshot(snap_compare, demo_home, "scoring", size)


class TestSheet:
    def test_invalid_cells_and_changed_rows_across_pages(self):
        from incubator.domain.rubric import DEFAULT_RUBRIC
        from incubator.screens.scoring.screen import PAGE, Sheet

        residents = [(f"org{i:02d}", f"组织{i}") for i in range(PAGE + 5)]
        sheet = Sheet(DEFAULT_RUBRIC, residents, {"org00": dict.fromkeys(LOW, "2")},
                      {"org00": dict.fromkeys(LOW, 2.0)})
        assert sheet.invalid() is None and sheet.changed() == ([], 0)
        sheet.drafts["org01"] = dict.fromkeys(LOW, "1")
        sheet.drafts["org02"] = {"plan": "1"}
        assert sheet.changed() == (["org01"], 1)
        sheet.drafts[f"org{PAGE + 3}"] = {"party": "2.5"}
        index, org_id, item, error = sheet.invalid()
        assert (index, org_id, item.key) == (PAGE + 3, f"org{PAGE + 3}", "party")
        assert error.render() == "Score 2.5 for 学习与党建 is out of range 0–2"


class TestFullDisk:
    async def test_a_save_on_a_full_disk_says_so_keeps_the_row_and_saves_once_freed(
            self, app, demo_home):
        from ..reliability.test_disk_full import fill_disk, free_disk

        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen, _grid = await open_month(app, pilot, org["hub_id"], "2026-11")

            def cells():  # the rows are mounted again after each save
                return next(row for row in screen.query(ScoreRow)
                            if row.org_id == org["id"] and row.is_attached).cells

            for cell in cells():  # typing itself is the keys tests' business
                cell.value = "2"
            await pilot.pause()
            fill_disk(app.store)
            saved = 0
            for _attempt in range(50):  # small writes may still fit in the last pages
                await pilot.press("ctrl+s")
                await app.workers.wait_for_complete()
                await pilot.pause()
                if any("磁盘已满" in n for n in notices(app)):
                    break
                saved += 1
                cells()[1].value = "1" if saved % 2 else "2"
                await pilot.pause()
            refused = [n for n in notices(app) if "磁盘已满" in n]
            assert refused and refused[0].startswith("磁盘已满，未保存"), notices(app)
            typed = [cell.value for cell in cells()]
            free_disk(app.store)
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "已保存 1 个组织的评分" in notices(app)[-1], notices(app)
        store = open_store(demo_home)
        assert store.verify() == []
        stored = queries.scores(store.db, month="2026-11", org_id=org["id"])[0]["items"]
        assert [f"{stored[key]:g}" for key in LOW] == typed
        store.close()
