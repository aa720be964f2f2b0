"""规则与评分细则 (F12, or by name in the command palette): a rubric version from a month
and a settings change, written as recorded changes of the network and shown as in force
from their month on (the months before keep theirs); bad input names the field and
writes nothing."""

from __future__ import annotations

from textual import events
from textual.widgets import DataTable, Input, Label

from incubator.i18n import render_summary
from incubator.screens.app import IncubatorApp
from incubator.screens.settings.forms import RubricForm, SettingsForm
from incubator.screens.settings.screen import SettingsScreen
from incubator.store import queries
from incubator.store.commands import Store

from ..conftest import NOW
from .helpers import palette_choose, notices, rows, until
from .test_snapshots import shoot


def network_history(home) -> list[str]:
    store = Store.open(home, clock=lambda: NOW)
    try:
        return [render_summary(e.summary, e.params) for e in store.history("network")]
    finally:
        store.close()


def error_of(app) -> str:
    return str(app.screen.query_one("#error", Label).render())


async def show_month(app, pilot, month: str) -> None:
    await pilot.press("m")
    field = app.screen.query_one("#month", Input)
    assert app.focused is field
    field.clear()
    field.post_message(events.Paste(month))
    await pilot.press("enter")
    await until(pilot, lambda: month in str(app.screen.query_one("#settings-title").render()))


def shown_settings(app) -> dict[str, tuple]:
    return {row[3]: row for row in rows(app.screen.query_one("#settings", DataTable))}


def shown_rubric(app) -> list[tuple]:
    return rows(app.screen.query_one("#rubric", DataTable))


async def submit(app, pilot, form_type) -> None:
    """Save the form; wait until it closed or said (anew) what is wrong."""
    app.screen.query_one("#error", Label).update("")
    await pilot.press("ctrl+s")
    await until(pilot, lambda: not isinstance(app.screen, form_type) or error_of(app))


async def test_a_rubric_version_and_settings_from_a_month(demo_home):
    versions = queries.rubric_versions  # read through a fresh connection each time
    app = IncubatorApp(demo_home, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await palette_choose(pilot, "规则")
        await until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        assert len(shown_rubric(app)) == 5
        before = versions(app.reader)

        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RubricForm))
        form = app.screen
        assert app.focused is form.query_one("#from", Input)
        assert form.query_one("#from", Input).value == "2026-12"
        assert form.query_one("#key-5", Input).value == "party"
        # bad input, field by field: named, nothing written
        form.query_one("#max-5", Input).value = "很多"
        await submit(app, pilot, RubricForm)
        assert "评分细则项格式不对：party=很多:学习与党建" in error_of(app)
        form.query_one("#max-5", Input).value = "3"
        form.query_one("#key-6", Input).value = "安全"
        form.query_one("#label-6", Input).value = "安全管理"
        form.query_one("#max-6", Input).value = "1"
        await submit(app, pilot, RubricForm)
        assert "评分细则项的键 安全 只能用小写字母" in error_of(app)
        form.query_one("#from", Input).value = "2026-13"
        await submit(app, pilot, RubricForm)
        assert error_of(app) == "起始月份：月份格式不对：2026-13，应为 YYYY-MM"
        form.query_one("#from", Input).value = "2026-05"  # already scored with the old one
        form.query_one("#key-6", Input).value = "safety"
        await submit(app, pilot, RubricForm)
        assert "请选择更晚的月份" in error_of(app)
        assert versions(app.reader) == before

        form.query_one("#from", Input).value = "2027-01"
        await submit(app, pilot, RubricForm)
        assert isinstance(app.screen, SettingsScreen)
        assert "已保存自 2027-01 起的评分细则：6 项，满分 12.0" in notices(app)
        # the screen now shows the month the version starts
        title = app.screen.query_one("#rubric-title", Label)
        await until(pilot, lambda: "2027-01 施行的评分细则：自 2027-01 起（满分 12）"
                    in str(title.render()))
        assert shown_rubric(app)[-2:] == [("party", "学习与党建", "3"),
                                          ("safety", "安全管理", "1")]
        await show_month(app, pilot, "2026-12")
        assert "自 2000-01 起（满分 10）" in str(title.render())
        assert len(shown_rubric(app)) == 5
        assert network_history(demo_home)[0] == "设定自 2027-01 起的评分细则"

        # the settings, from next month on
        assert shown_settings(app)["warning_threshold"][1:3] == ("6", "最初")
        before = queries.settings_timeline(app.reader)

        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, SettingsForm))
        form = app.screen
        assert form.query_one("#from", Input).value == "2026-12"
        form.query_one("#warning_threshold", Input).value = "六"
        await submit(app, pilot, SettingsForm)
        assert error_of(app) == "低分线（10分制）：设置 warning_threshold 需要数字，不能是 六"
        form.query_one("#warning_threshold", Input).value = "5"
        form.query_one("#review_weight_self", Input).value = "30"  # the four no longer add up
        await submit(app, pilot, SettingsForm)
        assert error_of(app) == "年考核的四项权重不能为负，且合计须为 100"
        form.query_one("#review_weight_monthly", Input).value = "30"
        form.query_one("#from", Input).value = "2026-11"  # this month keeps its settings
        await submit(app, pilot, SettingsForm)
        assert "设置只能自下月（2026-12）或以后的月份起修改" in error_of(app)
        assert queries.settings_timeline(app.reader) == before

        form.query_one("#from", Input).value = "2026-12"
        await submit(app, pilot, SettingsForm)
        assert isinstance(app.screen, SettingsScreen)
        saved = ("自 2026-12 起修改设置：低分线（10分制）=5, 年考核：月度平均权重%=30, "
                 "年考核：自评权重%=30")
        assert saved in notices(app)
        await until(pilot, lambda: shown_settings(app)["warning_threshold"][1:3]
                    == ("5", "2026-12"))
        assert shown_settings(app)["review_weight_self"][1:3] == ("30", "2026-12")
        await show_month(app, pilot, "2026-11")
        assert shown_settings(app)["warning_threshold"][1:3] == ("6", "最初")
        recorded = network_history(demo_home)[0]
        assert recorded.startswith("自 2026-12 起修改设置：") and "warning_threshold=5" in recorded


def test_settings_area_snapshot(snap_compare, demo_home):
    """The rubric and the settings in force this month, at 80×24."""
    assert shoot(snap_compare, demo_home, (80, 24), ("f12", "SettingsScreen"))
