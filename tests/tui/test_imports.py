"""导入 in the app: the form, the preview (the CLI's dry run, row by row) and the import,
on a real replica with rosters written by openpyxl."""

import pytest
from openpyxl import Workbook
from textual.widgets import Button, Input, Label

from incubator.domain.credit_code import check_character
from incubator.screens.imports import ImportForm, ImportPreview
from incubator.screens.organizations.screen import OrganizationsScreen
from incubator.screens.widgets.confirm import ConfirmScreen

from incubator.screens.app import IncubatorApp

from ..conftest import NOW
from .helpers import SIZES, confirm, notices, open_store, rows, until
from .test_snapshots import settle, shoot

FIRST17 = "52510107MJ0000123"
CODE = FIRST17 + check_character(FIRST17)
WRONG = FIRST17 + ("0" if CODE[-1] != "0" else "1")
HEADER = ["序号", "组织名称", "类别", "登记状态", "统一社会信用代码", "成立日期", "联系人",
          "街道/乡镇"]


def write_roster(path, rows_):
    """A roster as a street office sends it: a merged title above the header."""
    book = Workbook()
    sheet = book.active
    sheet.title = "名册"
    sheet.append(["东城街道社区社会组织名册（2026年）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in rows_:
        sheet.append(row)
    book.save(path)
    return path


def organization_names(home) -> list[str]:
    store = open_store(home)
    try:
        return [row["name"] for row in store.db.query("SELECT name FROM organizations")]
    finally:
        store.close()


def errors_roster(path, home):
    """Five rows with an error each (one a full-width variant of a recorded name), and a
    good one."""
    recorded = next(name for name in organization_names(home) if "社区" in name)
    variant = recorded.replace("社区", "社　区", 1)  # an ideographic space inside
    return write_roster(path, [
        [1, "月亮湾社区合唱团", "魔法类", "", "", "", "", ""],
        [2, "星光社区志愿者协会", "志愿服务", "登记", WRONG, "", "", ""],
        [3, "晨曦社区读书会", "文化艺术", "", "", "2027-01-01", "", ""],
        [4, variant, "文化艺术", "", "", "", "", ""],
        [5, "", "文化艺术", "", "", "", "", ""],
        [6, "好人好事服务队", "志愿服务", "", "", "", "", ""],
    ]), recorded


GOOD = [
    [1, "幸福里社区广场舞队", "文体活动", "备案", "", "2024/3/1", "李秀英", "东城街道"],
    [2, "田家坝村乡贤参事会", "乡贤参事", "登记", CODE, "2023年5月1日", "王建国", "青石镇"],
]


async def open_form(app, pilot, path):
    await pilot.press("2")
    await until(pilot, lambda: isinstance(app.screen, OrganizationsScreen))
    await pilot.press("i")
    await until(pilot, lambda: isinstance(app.screen, ImportForm))
    form = app.screen
    assert form.focused is form.query_one("#kind")
    form.query_one("#path", Input).value = str(path)
    form.query_one("#sheet", Input).value = "名册"
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(app.screen, ImportPreview))
    await pilot.pause()
    return app.screen


class TestImportInTheApp:
    async def test_a_roster_with_errors_is_previewed_with_reasons_and_nothing_written(
            self, app, demo_home, tmp_path):
        path, recorded = errors_roster(tmp_path / "有错的名册.xlsx", demo_home)
        before = sorted(organization_names(demo_home))
        async with app.run_test(size=(120, 40)) as pilot:
            preview = await open_form(app, pilot, path)
            shown = {row[0]: row for row in rows(preview.query_one("#plan"))}
            reasons = {"3": "未知类别：魔法类", "4": f"应为 {CODE[-1]}", "5": "2027-01-01 晚于今天",
                       "6": f"与已有的 {recorded} 算作同一个名称", "7": "名称不能为空"}
            for row, reason in reasons.items():
                assert shown[row][1] == "拒绝" and reason in shown[row][3], shown[row]
            assert shown["8"][1] == "新建"
            assert "新建 1 个，更新 0 个，无变化 0 个，拒绝 5 个" in str(
                preview.query_one("#summary", Label).content)
            assert not preview.query("#import")  # all or nothing: no plain import
            assert preview.query_one("#skip", Button)
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, OrganizationsScreen))
        assert sorted(organization_names(demo_home)) == before

    async def test_skipping_the_invalid_rows_imports_the_others(self, app, demo_home,
                                                                tmp_path):
        path, _recorded = errors_roster(tmp_path / "有错的名册.xlsx", demo_home)
        async with app.run_test(size=(120, 40)) as pilot:
            preview = await open_form(app, pilot, path)
            preview.query_one("#skip", Button).focus()
            await pilot.press("enter")
            asked = await confirm(app, pilot)
            assert "被拒绝的 5 行不导入" in asked
            await until(pilot, lambda: not isinstance(app.screen, ImportPreview))
        names = organization_names(demo_home)
        assert "好人好事服务队" in names and "月亮湾社区合唱团" not in names

    async def test_a_good_roster_is_imported_and_shows_in_the_table(self, app, demo_home,
                                                                    tmp_path):
        path = write_roster(tmp_path / "名册.xlsx", GOOD)
        async with app.run_test(size=(120, 40)) as pilot:
            preview = await open_form(app, pilot, path)
            assert [row[:3] for row in rows(preview.query_one("#plan"))] == [
                ("3", "新建", "幸福里社区广场舞队"), ("4", "新建", "田家坝村乡贤参事会")]
            assert organization_names(demo_home).count("幸福里社区广场舞队") == 0
            await pilot.press("tab", "tab")
            assert preview.focused is preview.query_one("#import", Button)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await confirm(app, pilot)
            await until(pilot, lambda: isinstance(app.screen, OrganizationsScreen))
            assert any("已导入：新建 2 个" in notice for notice in notices(app))
            screen = app.screen
            screen.query_one("#search", Input).value = "参事会"
            table = screen.query_one("#organizations")
            await until(pilot, lambda: any("田家坝村乡贤参事会" in row for row in rows(table)))
        assert "幸福里社区广场舞队" in organization_names(demo_home)

    async def test_a_file_that_is_not_there_is_refused_in_the_form(self, app, tmp_path):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2", "i")
            await until(pilot, lambda: isinstance(app.screen, ImportForm))
            form = app.screen
            form.query_one("#path", Input).value = str(tmp_path / "没有的文件.xlsx")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: str(form.query_one("#error", Label).content))
            assert "没有的文件.xlsx" in str(form.query_one("#error", Label).content)
            assert app.screen is form


@pytest.mark.parametrize(**SIZES)
def test_import_form_snapshot(snap_compare, demo_home, size):
    assert shoot(snap_compare, demo_home, size, "2", ("i", "ImportForm"))


@pytest.mark.parametrize(**SIZES)
def test_import_preview_snapshot(snap_compare, demo_home, size, tmp_path, monkeypatch):
    """The preview of a roster with errors (the file named relative to the working
    folder, so the picture does not hold a temporary path)."""
    monkeypatch.chdir(tmp_path)
    errors_roster(tmp_path / "名册.xlsx", demo_home)

    async def preview(pilot):
        app = pilot.app
        await pilot.press("2", "i")
        await until(pilot, lambda: isinstance(app.screen, ImportForm))
        app.screen.query_one("#path", Input).value = "名册.xlsx"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ImportPreview))
        await settle(pilot)

    assert snap_compare(IncubatorApp(demo_home, clock=lambda: NOW), run_before=preview,
                        terminal_size=size)
