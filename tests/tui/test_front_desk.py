"""The front desk in the app (issue 12): register an organization, add a hub and its
spaces, log service hours, end a waiver, correct or delete a score, and every action of
an organization on its detail screen. Each form is opened with its key (or the palette),
filled by typing, saved, and checked in SQLite and in the history; each refuses one bad
input naming the field and writing nothing."""

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Label, Select, Static

from incubator.screens.actions import DETAIL_ACTIONS
from incubator.screens.app import IncubatorApp
from incubator.screens.organizations.detail import OrganizationDetailScreen
from incubator.screens.organizations.register import RegisterForm
from incubator.screens.spaces.card import SpaceCard
from incubator.screens.widgets.confirm import ConfirmScreen
from incubator.screens.widgets.form import FormScreen
from incubator.store import queries
from incubator.store.commands import ScoreEntry

from ..conftest import NOW
from .helpers import palette_choose, SIZES, notices, open_store, residents, until
from .test_form_bad_input import fingerprint

LONG_NAME = "兴隆村川剧票友会暨乡贤参事社文化艺术志愿服务队"


def stored(home, sql, params=()):
    store = open_store(home)
    try:
        return [dict(row) for row in store.db.query(sql, params)]
    finally:
        store.close()


def history(home, ref) -> list[tuple[str, str]]:
    """(device name, summary in Chinese) of the record's history, newest first."""
    from incubator.i18n import render_summary

    store = open_store(home)
    try:
        return [(e.device_name, render_summary(e.summary, e.params)) for e in store.history(ref)]
    finally:
        store.close()


async def type_into(pilot, field: Input, text: str) -> None:
    """Focus `field`, empty it with keys and type `text`."""
    field.focus()
    await pilot.pause()
    await pilot.press("end", "ctrl+u", *text)


async def choose_option(pilot, select: Select, steps: int) -> None:
    """Open `select` with Enter and move `steps` options down (up when negative)."""
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await pilot.pause()


async def save(app, pilot) -> None:
    await pilot.press("ctrl+s")
    await app.workers.wait_for_complete()
    await pilot.pause()


def error_of(form) -> str:
    return str(form.query_one("#error", Label).render())


class TestRegister:
    async def test_the_palette_reaches_it_by_name_and_the_new_resident_opens(
            self, app, demo_home):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            await palette_choose(pilot, "入驻登记")
            await until(pilot, lambda: isinstance(app.screen, RegisterForm))
            form = app.screen
            await type_into(pilot, form.query_one("#name", Input), "兴隆村川剧票友会")
            await choose_option(pilot, form.query_one("#category", Select), 2)
            await type_into(pilot, form.query_one("#filing_number", Input), "龙备018")
            await type_into(pilot, form.query_one("#registered_on", Input), "2026-03-08")
            await type_into(pilot, form.query_one("#members", Input), "36")
            await type_into(pilot, form.query_one("#town", Input), "兴隆镇")
            await type_into(pilot, form.query_one("#leader", Input), "李德明")
            await choose_option(pilot, form.query_one("#area", Select), 2)
            hub_id = form.query_one("#hub", Select).value
            await save(app, pilot)
            await until(pilot, lambda: isinstance(app.screen, OrganizationDetailScreen))
            assert app.current_mode == "organizations"
            org_id = app.screen.org_id
        row, = stored(demo_home, "SELECT * FROM organizations WHERE id = ?", [org_id])
        assert (row["name"], row["hub_id"], row["stage"], row["legal_status"]) == (
            "兴隆村川剧票友会", hub_id, "startup", "filed")
        assert (row["filing_number"], row["registered_on"], row["members"], row["town"],
                row["leader"], row["area"], row["entered"]) == (
            "龙备018", "2026-03-08", 36, "兴隆镇", "李德明", "rural", "2026-11-15")
        assert row["category"]
        assert history(demo_home, org_id) == [("演示设备", "入驻登记：兴隆村川剧票友会")]

    async def test_from_the_list_a_bad_credit_code_is_refused_then_a_register_organization(
            self, app, demo_home):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            await pilot.press("n")
            await until(pilot, lambda: isinstance(app.screen, RegisterForm))
            form = app.screen
            await type_into(pilot, form.query_one("#name", Input), "柳溪村乡贤参事社")
            await choose_option(pilot, form.query_one("#category", Select), 1)
            await choose_option(pilot, form.query_one("#legal_status", Select), -1)
            assert form.query_one("#legal_status", Select).value == "registered"
            await type_into(pilot, form.query_one("#credit_code", Input), "51330100")
            before = fingerprint(demo_home)
            await save(app, pilot)
            assert app.screen is form and "统一社会信用代码" in error_of(form)
            assert fingerprint(demo_home) == before
            assert form.query_one("#name", Input).value == "柳溪村乡贤参事社"
            # on the district register alone: no hub, and so no stage
            await choose_option(pilot, form.query_one("#hub", Select), -1)
            assert form.query_one("#hub", Select).value == Select.NULL
            assert form.query_one("#stage", Select).disabled
            await type_into(pilot, form.query_one("#credit_code", Input), "")
            await choose_option(pilot, form.query_one("#legal_status", Select), 1)
            await save(app, pilot)
            await until(pilot, lambda: isinstance(app.screen, OrganizationDetailScreen))
            org_id = app.screen.org_id
        row, = stored(demo_home, "SELECT * FROM organizations WHERE id = ?", [org_id])
        assert (row["name"], row["hub_id"], row["stage"], row["legal_status"]) == (
            "柳溪村乡贤参事社", None, None, "filed")


class TestHubAndSpaces:
    async def test_add_a_hub_then_add_edit_and_retire_its_space(self, app, demo_home):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f5")
            await pilot.pause()
            occupied = next(c for c in app.screen.query(SpaceCard) if c.status != "free")
            occupied.focus()
            await pilot.press("x")   # a space in use is not retired
            assert isinstance(app.screen.focused, SpaceCard)
            assert f"{occupied.space['name']} 正在使用，请先收回" in notices(app)
            await pilot.press("h")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            form = app.screen
            before = fingerprint(demo_home)
            await save(app, pilot)
            assert app.screen is form and error_of(form) == "名称不能为空"
            assert fingerprint(demo_home) == before
            await type_into(pilot, form.query_one("#name", Input), "城南志愿服务孵化基地")
            await save(app, pilot)
            spaces = app.screen
            await until(pilot, lambda: spaces.query_one("#hub", Select).value == form.hub_id)
            hub_id = form.hub_id
            assert not spaces.query(SpaceCard)
            await pilot.press("n")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            form = app.screen
            await type_into(pilot, form.query_one("#name", Input), "101室")
            await type_into(pilot, form.query_one("#area", Input), "25")
            await type_into(pilot, form.query_one("#capacity", Input), "4")
            await save(app, pilot)
            await until(pilot, lambda: len(spaces.query(SpaceCard)) == 1)
            spaces.query_one(SpaceCard).focus()
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            form = app.screen
            assert form.query_one("#area", Input).value == "25"
            await type_into(pilot, form.query_one("#area", Input), "0")
            before = fingerprint(demo_home)
            await save(app, pilot)
            assert app.screen is form and "面积 0 平方米超出范围" in error_of(form)
            assert fingerprint(demo_home) == before
            await type_into(pilot, form.query_one("#area", Input), "")
            await type_into(pilot, form.query_one("#name", Input), "101会议室")
            await save(app, pilot)
            await until(pilot, lambda: spaces.query(SpaceCard)
                        and "101会议室" in str(spaces.query_one(SpaceCard).label))
            spaces.query_one(SpaceCard).focus()
            await pilot.press("x")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            await save(app, pilot)
            await until(pilot, lambda: not spaces.query(SpaceCard))
        hub, = stored(demo_home, "SELECT name FROM hubs WHERE id = ?", [hub_id])
        assert hub["name"] == "城南志愿服务孵化基地"
        space, = stored(demo_home, "SELECT * FROM spaces WHERE hub_id = ?", [hub_id])
        assert (space["name"], space["kind"], space["area"], space["capacity"],
                space["retired_on"]) == ("101会议室", "room", None, 4, "2026-11-15")
        assert history(demo_home, hub_id) == [
            ("演示设备", "停用空间 101会议室（自2026-11-15起）"), ("演示设备", "修改空间 101会议室"),
            ("演示设备", "新增空间 101室"), ("演示设备", "创建了孵化中心 城南志愿服务孵化基地")]


class TestWaivers:
    async def test_log_hours_from_the_ledger_then_end_a_waiver_once(self, app, demo_home):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f6")
            await pilot.pause()
            screen = app.screen
            ledger = screen.query_one("#ledger", DataTable)
            ledger.focus()
            row = screen.ledger_rows[ledger.cursor_row]
            await pilot.press("h")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            form = app.screen
            assert form.query_one("#org", Select).value == row["org_id"]
            assert form.query_one("#month", Input).value == "2026-10"
            await type_into(pilot, form.query_one("#hours", Input), "800")
            before = fingerprint(demo_home)
            await save(app, pilot)
            assert app.screen is form and error_of(form) == "已服务时数：时数 800.0 超出 0–744 的范围"
            assert fingerprint(demo_home) == before
            await type_into(pilot, form.query_one("#hours", Input), "7.5")
            await save(app, pilot)
            assert app.screen is screen
            shown = screen.ledger_rows[[r["id"] for r in screen.ledger_rows].index(row["id"])]
            assert shown["months"][-1]["month"] == "2026-10"
            assert shown["months"][-1]["delivered"] == 7.5
            assert shown["shortfall"] - shown["surplus"] == shown["owed"] - shown["delivered"]
            table = screen.query_one("#waivers", DataTable)
            table.focus()
            waiver = next(w for w in screen.listed if not w["ended_on"]
                          and w["last_day"] > "2026-12-01")
            table.move_cursor(row=screen.listed.index(waiver))
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            form = app.screen
            await type_into(pilot, form.query_one("#on", Input), "2026-12-01")
            await type_into(pilot, form.query_one("#reason", Input), "搬离本中心")
            await save(app, pilot)
            assert app.screen is screen
            table.move_cursor(row=[w["id"] for w in screen.listed].index(waiver["id"]))
            before = fingerprint(demo_home)
            await pilot.press("e")   # ended already: said at once, no form
            await pilot.pause()
            assert app.screen is screen and "该减免已于 2026-12-01 终止" in notices(app)
            assert fingerprint(demo_home) == before
        hours, = stored(demo_home, "SELECT hours FROM service_hours WHERE org_id = ? AND "
                                   "month = '2026-10'", [row["org_id"]])
        assert hours["hours"] == 7.5
        assert ("演示设备", "记录 2026-10 服务 7.5 小时") in history(demo_home, row["org_id"])[:2]
        ended, = stored(demo_home, "SELECT ended_on, end_reason FROM waivers WHERE id = ?",
                        [waiver["id"]])
        assert ended == {"ended_on": "2026-12-01", "end_reason": "搬离本中心"}
        assert history(demo_home, waiver["org_id"])[0][1].startswith("自 2026-12-01 起终止减免")


async def open_detail(app, pilot, org_id):
    app.open_organization(org_id)
    await until(pilot, lambda: isinstance(app.screen, OrganizationDetailScreen))
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen


class TestScores:
    async def test_correct_a_score_refuse_a_stale_one_then_delete_it_after_asking(
            self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            detail = await open_detail(app, pilot, org["id"])
            score = detail._scores[0]
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            form = app.screen
            plan = form.query_one("#item-0", Input)
            assert plan.value == f"{score['items']['plan']:g}"
            await type_into(pilot, plan, "3")
            before = fingerprint(demo_home)
            await save(app, pilot)
            assert app.screen is form and error_of(form) == "工作计划 (0–2)：工作计划 的得分 3 超出 0–2 的范围"
            assert fingerprint(demo_home) == before
            await type_into(pilot, plan, "0.5")
            await save(app, pilot)
            await until(pilot, lambda: app.screen is detail)
            corrected, = stored(demo_home, "SELECT items, total FROM scores WHERE org_id = ? "
                                           "AND month = ?", [org["id"], score["month"]])
            assert '"plan": 0.5' in corrected["items"]
            assert history(demo_home, org["id"])[0] == (
                "演示设备", f"录入 {score['month']} 月度评分：{corrected['total']}")
            # changed elsewhere while the form is open: refused, nothing written
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            form = app.screen
            other = open_store(demo_home)
            items = {**queries.scores(other.db, month=score["month"], org_id=org["id"])[0]
                     ["items"], "plan": 1.0}
            other.set_scores([ScoreEntry(org["id"], score["month"], items)])
            other.close()
            await type_into(pilot, form.query_one("#item-0", Input), "2")
            before = fingerprint(demo_home)
            await save(app, pilot)
            assert app.screen is form and "已被" in error_of(form)
            assert fingerprint(demo_home) == before
            await pilot.press("escape")
            await pilot.press("delete")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            question = str(app.screen.query_one("#consequences", Static).render())
            assert score["month"] in question and "工作计划 1" in question
            await pilot.press("enter")   # Cancel has the focus: nothing deleted
            await until(pilot, lambda: app.screen is detail)
            assert stored(demo_home, "SELECT 1 FROM scores WHERE org_id = ? AND month = ?",
                          [org["id"], score["month"]])
            await pilot.press("delete")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("tab", "enter")
            await app.workers.wait_for_complete()
            await until(pilot, lambda: score["month"] not in
                        [s["month"] for s in detail._scores])
        assert not stored(demo_home, "SELECT 1 FROM scores WHERE org_id = ? AND month = ?",
                          [org["id"], score["month"]])
        assert history(demo_home, org["id"])[0] == ("演示设备",
                                                    f"删除了 {score['month']} 的评分")


class TestDetailActions:
    def test_every_organization_action_is_in_the_registry_with_a_method(self):
        for action in DETAIL_ACTIONS:
            owner, _dot, name = action.action.rpartition(".")
            target = IncubatorApp if owner == "app" else OrganizationDetailScreen
            assert callable(getattr(target, f"action_{name.split('(')[0]}")), action

    async def test_each_key_opens_its_form_for_this_organization_and_the_palette_too(
            self, app, demo_home):
        org = residents(demo_home)[0]
        forms = {"f": "收回", "w": "新增减免", "x": "责令", "l": "自愿退出", "g": "出壳"}
        async with app.run_test(size=(120, 40)) as pilot:
            detail = await open_detail(app, pilot, org["id"])
            for key, title in forms.items():
                await pilot.press(key)
                await until(pilot, lambda: app.screen is not detail or notices(app))
                if app.screen is detail:   # (it has no space to release)
                    assert key == "f" and f"{org['name']}未使用空间" in notices(app)
                    continue
                shown = str(app.screen.query_one(".area-title", Label).render())
                assert title in shown and org["name"] in shown, (key, shown)
                await pilot.press("escape")
                await until(pilot, lambda: app.screen is detail)
            await pilot.press("a")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            await save(app, pilot)
            assert app.screen is detail
            await pilot.press("ctrl+p")
            await palette_choose(pilot, "登记服务时数")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            assert org["name"] in str(app.screen.query_one(".area-title", Label).render())
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is detail)
            await pilot.press("y")   # its annual review, in the review area
            await until(pilot, lambda: app.current_mode == "review"
                        and app.screen.query_one("#org", Select).value == org["id"])
        allocation, = stored(demo_home, "SELECT * FROM allocations WHERE org_id = ? AND "
                                        "start = '2026-11-15'", [org["id"]])
        assert allocation["end"] is None
        assert history(demo_home, allocation["hub_id"])[0][1].endswith(f"分配给 {org['name']}")


@pytest.mark.parametrize(**SIZES)
def test_register_form_snapshot_with_a_long_chinese_name(snap_compare, demo_home, size):
    async def fill(pilot):
        await pilot.press("2")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, RegisterForm))
        name = pilot.app.screen.query_one("#name", Input)
        name.focus()
        name.value = LONG_NAME
        name.cursor_blink = False
        for _ in range(3):
            await pilot.pause(0.1)

    assert snap_compare(IncubatorApp(demo_home, clock=lambda: NOW), run_before=fill,
                        terminal_size=size)
