"""出壳 driven through Pilot: graduate one that qualifies; a refusal lists every reason."""

import pytest
from textual.widgets import DataTable, Input, Label, Static

from incubator.store import queries
from incubator.store.commands import ScoreEntry

from incubator.screens.widgets.confirm import ConfirmScreen

from .helpers import LOW, SIZES, confirm, notices, open_store, residents, rows, snapshot


def prepare(home, ready, unready):
    store = open_store(home)
    for org, status in ((ready, "registered"), (unready, "filed")):
        if queries.org_row(store.db, org["id"])["legal_status"] != status:
            store.edit_org(org["id"], {"legal_status": status})
    store.edit_org(ready["id"], {"entered": "2024-01-01"})
    store.set_scores([ScoreEntry(ready["id"], "2025-06", dict.fromkeys(LOW, 2))])
    store.set_review(ready["id"], 2025, 90, 90, 90, True)
    store.close()


async def graduate(app, pilot, org):
    table = app.screen.query_one("#candidates", DataTable)
    table.move_cursor(row=[row[0] for row in rows(table)].index(org["name"]))
    await pilot.pause()
    await pilot.press("g")
    await pilot.pause()
    app.screen.query_one("#destination", Input).value = "独立运营"
    await pilot.press("ctrl+s")
    await pilot.pause()
    if isinstance(app.screen, ConfirmScreen):  # it qualifies: asked what it will do first
        assert org["name"] in await confirm(app, pilot)
    await app.workers.wait_for_complete()
    await pilot.pause()


class TestGraduate:
    async def test_one_that_qualifies_and_a_refusal_with_reasons(self, app, demo_home):
        ready, unready = residents(demo_home)[:2]
        prepare(demo_home, ready, unready)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f8")
            await pilot.pause()
            candidates = {row[0]: row for row in rows(app.screen.query_one("#candidates"))}
            assert candidates[ready["name"]][1:] == ("达到",) * 4 + ("可出壳",)
            assert candidates[unready["name"]][3] == "未达到"
            await graduate(app, pilot, unready)
            form = app.screen
            error = str(form.query_one("#error", Label).render())
            assert "不能出壳" in error and "已登记注册" in error
            assert form.query_one("#destination", Input).value == "独立运营"
            await pilot.press("escape")
            await pilot.pause()
            await graduate(app, pilot, ready)
            assert any(f"{ready['name']}" in n and "出壳" in n for n in notices(app))
            alumni = {row[0]: row for row in rows(app.screen.query_one("#alumni", DataTable))}
            assert alumni[ready["name"]][2:] == ("2026-11-15", "独立运营")
            left = rows(app.screen.query_one("#candidates"))
            assert ready["name"] not in [row[0] for row in left]


class TestExits:
    async def test_ordered_and_voluntary_exits_are_told_apart(self, app, demo_home):
        store = open_store(demo_home)
        exited = {row["name"]: bool(row["exit_ordered"])
                  for row in queries.organizations(store.db, stage="exited")}
        store.close()
        assert set(exited.values()) == {True, False}      # the demo has both
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f8")
            await pilot.pause()
            listed = {row[0]: row[3] for row in rows(app.screen.query_one("#exits"))}
        assert listed == {name: "责令退出" if ordered else "自愿退出"
                          for name, ordered in exited.items()}


class TestCriteriaText:
    async def test_the_highlighted_candidate_shows_every_criterion_in_words(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f8")
            await pilot.pause()
            text = str(app.screen.query_one("#criteria", Static).render())
            assert "入驻满" in text and ("未达到" in text or "达到" in text)


@pytest.mark.parametrize(**SIZES)
def test_snapshot(snap_compare, demo_home, size):
    assert snapshot(snap_compare, demo_home, "graduation", size)
