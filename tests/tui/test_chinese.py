"""Chinese the way Chinese software does it, and screens that tell the truth, through Pilot,
in one app session (each area is composed once): every screen without English, pinyin in
a picker, the room map without colour, and what an 80-column terminal keeps."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from rich.cells import cell_len
from rich.color import ColorSystem
from rich.console import Console
from textual import events
from textual.widgets import DataTable, Input, TabbedContent, TabPane
from textual.widgets._footer import FooterKey

from incubator.screens.actions import AREAS, function_key
from incubator.screens.spaces.card import IN_USE_MARK, SpaceCard
from incubator.screens.widgets.form import FormScreen
from incubator.screens.widgets.org_select import OrgSelect

from ..chinese_text import english_words
from .helpers import notices, rows


def screen_text(app) -> str:
    """What the terminal shows now, as text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


class TestEveryScreen:
    async def test_no_english_and_at_80_columns_nothing_essential_cut(self, app):
        """Every area, the keys, the palette, the theme picker, every tab of an
        organization, a form of each area, an open picker and the notices: no English word
        that is not data (ids, names, theme names, a path); on the way, the space map and
        the review's picker. Then at 80×24: the footer's keys apart, the organizations'
        score, stars and flags, the warnings' and waivers' dates whole."""
        seen: dict[str, list[str]] = {}
        async with app.run_test(size=(120, 40)) as pilot:
            data = set(app.available_themes) | {"tmp", "svg"}

            async def look(what: str, *keys: str) -> None:
                for key in keys:
                    await pilot.press(key)
                await settle(app, pilot)
                words = english_words(screen_text(app) + "\n".join(notices(app)), data)
                if words:
                    seen[f"{what} ({type(app.screen).__name__})"] = sorted(set(words))

            for _mode, key, _title in AREAS:
                await look(f"area {key}", function_key(key))
                if key == "5":
                    the_space_map_differs_without_colour_and_in_256_colours(app)
                if key == "7":
                    await the_picker_finds_a_name_by_its_initials(app, pilot)
            await look("the keys", "f2", "question_mark")
            await pilot.press("escape")
            await look("the palette", "ctrl+p")
            await pilot.press("escape")
            app.search_themes()
            await look("the theme picker")
            await pilot.press("escape")
            app.screen.set_focus(app.screen.query_one("#stage"))  # Textual's own overlay
            await look("an open picker", "enter")
            assert "关闭菜单" in screen_text(app)
            await pilot.press("escape")
            app.screen.set_focus(app.screen.query_one("#hub"))  # a name picker: a dialog
            await look("an open name picker", "enter")
            assert "输入名称的一部分" in screen_text(app)
            await pilot.press("escape")
            app.open_organization(next(iter(app.screen.query_one("#organizations").rows)).value)
            await look("an organization")
            detail = app.screen
            for pane in detail.query(TabPane):
                detail.query_one(TabbedContent).active = pane.id
                await look(f"tab {pane.id}")
            await look("the profile form", "e")
            app.screen.query_one("#contact", Input).value = "李老师"
            await look("a saved profile", "ctrl+s")
            assert "已保存：联系人" in notices(app)
            await pilot.press("escape")  # back to the list
            for area, key in (("f2", "i"), ("f4", "i"), ("f6", "a"), ("f8", "g"), ("f9", "x")):
                await look(f"form {key} of {area}", area, key)
                assert isinstance(app.screen, FormScreen), (area, key)
                await pilot.press("escape")
            await pilot.press("f5")
            next(c for c in app.screen.query(SpaceCard) if c.status == "free").focus()
            await look("form a of the space map", "a")
            assert isinstance(app.screen, FormScreen)
            await pilot.press("escape")
            await pilot.press("f10")
            app.screen.query_one(TabbedContent).active = "zombies"
            await look("the zombies")
            app.post_message(events.DeliveryComplete(key="k", path=Path("/tmp/截图.svg"),
                                                     name="screenshot"))
            await look("the screenshot notice")
            assert "截图已保存到 /tmp/截图.svg" in notices(app)
            assert seen == {}

            await pilot.resize_terminal(80, 24)
            for key in "2469":  # the longest footer (9), the tables that drop columns
                await pilot.press(function_key(key))
                await settle(app, pilot)
                keys = sorted((k.region.x, k.region.right) for k in app.screen.query(FooterKey)
                              if k.region.width)
                assert all(right <= next_left for (_l, right), (next_left, _r)
                           in zip(keys, keys[1:])), (key, keys)   # apart, none overlaid
                assert keys[-1][1] <= 80
                if key == "2":
                    shown = app.screen.query_one("#organizations", DataTable)
                    assert [str(c.label) for c in shown.ordered_columns] == [
                        "名称", "孵化中心", "阶段", "最近得分", "星级", "标记"]
                if key in "46":
                    table, dates = (("#warnings", ("约谈日期", "整改期限")) if key == "4"
                                    else ("#waivers", ("起", "止", "提前终止")))
                    shown = app.screen.query_one(table, DataTable)
                    titles = [str(column.label) for column in shown.ordered_columns]
                    width = sum(c.get_render_width(shown) for c in shown.ordered_columns)
                    assert set(dates) <= set(titles) and width <= shown.size.width, titles
                    assert any(len(row[titles.index(dates[-1])]) == 10 for row in rows(shown))


async def the_picker_finds_a_name_by_its_initials(app, pilot) -> None:
    """An organization picker (the annual review's) jumps to 金桥街道书画社 at jqjd."""
    picker = app.screen.query_one("#org", OrgSelect)
    picker.focus()
    await pilot.press("enter", *"jqjd", "enter")
    await settle(app, pilot)
    assert picker.value == next(value for prompt, value in picker.choices
                                if prompt == "金桥街道书画社")


def the_space_map_differs_without_colour_and_in_256_colours(app) -> None:
    """A space in use has its status marked and bold (monochrome); the mark is one cell
    wide in East Asian terminals too; the four colours stay four in 256 colours."""
    cards = {card.status: card for card in app.screen.query(SpaceCard)}
    assert {"free", "waiver", "warning"} <= set(cards)
    assert IN_USE_MARK not in str(cards["free"].label)
    for status in set(cards) - {"free"}:
        assert IN_USE_MARK in str(cards[status].label)
        assert cards[status].rich_style.bold and not cards["free"].rich_style.bold
    assert all(unicodedata.east_asian_width(ch) == "N" for ch in IN_USE_MARK)
    assert cell_len(IN_USE_MARK) == len(IN_USE_MARK)
    palette = {status: card.rich_style.bgcolor.downgrade(ColorSystem.EIGHT_BIT).number
               for status, card in cards.items()}
    assert len(set(palette.values())) == len(palette)
