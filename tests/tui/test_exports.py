"""The 导出 menu: a report chosen in the command palette, written from the export form."""

from openpyxl import load_workbook
from textual.command import CommandPalette
from textual.widgets import Input, Label, Select

from incubator.screens.exports import ExportForm

from .helpers import notices, until


class TestExportForm:
    async def test_the_palette_opens_the_form_and_it_writes_the_report(self, app, tmp_path):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+p", *"导出：当月评分表")
            await pilot.pause(0.5)
            assert isinstance(app.screen, CommandPalette)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ExportForm))
            form = app.screen
            assert form.query_one("#report", Select).value == "score-sheet"
            assert form.focused is form.query_one("#report", Select)
            path = form.query_one("#path", Input)
            assert path.value.endswith("score-sheet-2026-11-15.xlsx")
            form.query_one("#report", Select).value = "warnings"
            await pilot.pause()
            assert path.value.endswith("warnings-2026-11-15.xlsx")  # it follows the report
            form.query_one("#report", Select).value = "score-sheet"
            form.query_one("#month", Input).value = "2027-01"
            path.value = str(tmp_path / "评分表.xlsx")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: str(form.query_one("#error", Label).content))
            assert "2027-01" in str(form.query_one("#error", Label).content)
            assert app.screen is form and not (tmp_path / "评分表.xlsx").exists()
            form.query_one("#month", Input).value = "2026-10"
            await pilot.press("ctrl+s")
            await until(pilot, lambda: not isinstance(app.screen, ExportForm))
            assert any("已写入" in notice for notice in notices(app))
        book = load_workbook(tmp_path / "评分表.xlsx")
        assert len(book.sheetnames) == 4
        assert book.worksheets[0]["A1"].value.startswith("月度规范评分表 2026-10")
