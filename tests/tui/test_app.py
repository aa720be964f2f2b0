"""The app shell driven through Pilot: keys, help, command palette, live refresh, language."""

import asyncio
import gc
import time
import weakref

from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Input

from incubator import i18n
from incubator.screens.app import IncubatorApp
from incubator.screens.organizations.detail import OrganizationDetailScreen
from incubator.store import queries
from incubator.store.commands import ScoreEntry

from ..conftest import NOW

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
from .helpers import open_store, palette_choose, residents, until


class TestNavigation:
    async def test_function_keys_reach_every_area_even_while_typing(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2", "slash", "1", "2")
            assert app.screen.query_one("#search", Input).value == "12"
            await pilot.press("f9")
            assert type(app.screen).__name__ == "SyncScreen"
            await pilot.press("1")
            assert type(app.screen).__name__ == "DashboardScreen"

    async def test_a_title_change_while_a_header_is_torn_down_does_not_crash(self, app):
        """Seen under load: a mode switch changed the title while a screen's header had
        already lost its title widget, and Textual's watcher raised NoMatches."""
        from textual.widgets._header import HeaderTitle

        async with app.run_test(size=(120, 40)) as pilot:
            await app.screen.query_one(HeaderTitle).remove()
            app.title = "另一个标题"
            await pilot.pause()
            await pilot.press("2")
            assert app.is_running and type(app.screen).__name__ == "OrganizationsScreen"

    async def test_q_quits(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running


class TestThemes:
    @staticmethod
    def list_styles(app) -> tuple:
        table = app.screen.query_one("#organizations", DataTable)
        return (app.screen.styles.background, table.styles.background, table.styles.color,
                table.get_component_rich_style("datatable--header"))

    async def test_an_area_is_drawn_in_the_theme_chosen_before_or_while_it_was_away(
            self, demo_home):
        """A new area is styled as it mounts, without the restyling Textual does at a
        mode's first switch: opened for the first time after a theme change, or shown
        again after one made elsewhere, it looks as when the theme changes under it."""
        orders = {"theme, then the list": ["theme", "f2"],
                  "theme and the list at once": ["theme at once", "f2"],
                  "the list, then theme": ["f2", "theme"],
                  "the list, away, theme, back": ["f2", "f1", "theme", "f2"]}
        seen = {}
        for order, steps in orders.items():
            app = IncubatorApp(demo_home, clock=lambda: NOW)
            async with app.run_test(size=(120, 40)) as pilot:
                dark = app.screen.styles.background
                for step in steps:
                    if step.startswith("theme"):
                        app.theme = "textual-light"
                    else:
                        await pilot.press(step)
                    if step != "theme at once":
                        await pilot.pause()
                await until(pilot, lambda: type(app.screen).__name__ == "OrganizationsScreen")
                await pilot.pause()
                seen[order] = self.list_styles(app)
                assert app.screen.styles.background != dark
        assert len(set(seen.values())) == 1, seen


class TestHelp:
    async def test_help_lists_every_key_in_chinese(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2", "question_mark")
            await pilot.pause()
            table = app.screen.query_one("#keys", DataTable)
            rows = dict(tuple(reversed([str(c) for c in table.get_row_at(i)])) for i in range(table.row_count))
            assert rows["前往月度评分"] == "F3/3"
            assert rows["排序：升序、降序、下一列"] == "s"
            assert "退出" in rows and "下一个部件" in rows and "命令" in rows
            await pilot.press("escape")
            assert type(app.screen).__name__ == "OrganizationsScreen"


class TestCommandPalette:
    async def test_finds_an_organization_by_name(self, app, demo_home):
        org = residents(demo_home)[1]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            assert app.screen.query_one(Input).placeholder == "搜索页面、组织和操作…"
            await palette_choose(pilot, org["name"][:4])
            await pilot.pause()
            assert isinstance(app.screen, OrganizationDetailScreen)
            assert app.screen.org_id == org["id"]

    async def test_system_commands_and_screen_actions_are_translated(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert {"主题", "退出", "按键", "截图"} <= set(titles)
            await pilot.press("ctrl+p")
            await palette_choose(pilot, "排序")
            await pilot.pause()
            assert (app.screen.sort, app.screen.descending) == ("name", True)

    async def test_finds_an_organization_by_pinyin_initials(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+p", *"jqjdshs")
            await until(pilot, lambda: app.screen.query_one(CommandList).option_count == 1)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, OrganizationDetailScreen)
            assert app.screen.org["name"] == "金桥街道书画社"


class TestLiveRefresh:
    async def test_a_change_made_by_another_connection_appears(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            other = open_store(demo_home)
            other.edit_org(org["id"], {"name": "改了名字的书画社"})
            other.close()
            table = app.screen.query_one(DataTable)
            for _ in range(25):
                await pilot.pause(0.1)
                if "改了名字的书画社" in [str(row[1]) for row in map(table.get_row_at,
                                                               range(table.row_count))]:
                    break
            else:
                raise AssertionError("the new name did not appear within 2.5 s")

    def test_the_poll_skips_a_tick_while_no_screen_is_on_the_stack(self, app):
        """A mode switch briefly empties the stack; the poll timer must not crash the app."""
        assert app.screen_stack == []
        app.refresh_active()


class TestIdleCompaction:
    async def test_an_idle_moment_compacts_what_another_program_wrote_and_a_key_waits_it(
            self, app, demo_home):
        org = residents(demo_home)[0]
        other = open_store(demo_home)  # a CLI or sync writing while the app is open
        for month in ("2026-07", "2026-08", "2026-09"):
            other.set_scores([ScoreEntry(org["id"], month, FULL)])
        doc_id = f"org:{org['id']}"

        def kinds() -> list[str]:
            return [kind for kind, in other.db.conn.execute(
                "SELECT kind FROM chunks WHERE doc_id = ? ORDER BY id", (doc_id,))]

        async with app.run_test(size=(120, 40)) as pilot:
            before = app._last_key
            await pilot.press("2")
            await pilot.pause()
            assert app._last_key > before  # a key counts as not idle
            count = str(app.screen.query_one("#count").render())
            app._last_key = time.monotonic()
            app.compact_when_idle()
            assert not app._compacting and kinds()[1:] == ["changes"] * 3
            app._last_key = time.monotonic() - app.IDLE_SECONDS  # no key since
            await until(pilot, lambda: kinds() == ["snapshot"])
            await until(pilot, lambda: not app._compacting)
            assert str(app.screen.query_one("#count").render()) == count
            assert app.screen_stack and app.is_running
        other.close()
        again = open_store(demo_home)
        assert again.replica.verify() == [] and again.replica.grown() == []
        assert {row["month"] for row in queries.scores(again.db, org_id=org["id"])} >= {
            "2026-07", "2026-08", "2026-09"}
        again.close()


class _Cycle:
    """Garbage only a full collection frees: it refers to itself."""

    def __init__(self) -> None:
        self.me = self


class TestCollectionAtRest:
    async def test_full_collections_wait_for_the_keys_to_stop(self, app):
        """Python's full collection (100 ms before start-up's objects are frozen, 15-30 ms
        after, on a district's list) waits while keys come and runs at the first tick after
        they stop: once to freeze what start-up made, then when Python would have run it.
        Python's thresholds come back at the end."""
        python_thresholds = gc.get_threshold()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2", "slash", "h")
            assert gc.get_threshold()[2] == app.TYPING_FULL_COLLECTION
            app._last_key = time.monotonic() + 3600  # keys keep coming
            await until(pilot, lambda: app.warmed_up)  # pypinyin loaded: start-up is over
            app.collect_at_rest()
            assert not app._frozen
            app._last_key = time.monotonic() - app.REST_SECONDS  # no key since
            await until(pilot, lambda: app._frozen)
            garbage = _Cycle()
            freed = weakref.ref(garbage)
            gc.collect(1)  # it outlives the young collections: only a full one frees it
            del garbage
            for _ in range(python_thresholds[2]):
                gc.collect(1)  # as many young collections as Python waits for
            await pilot.press("e")
            app.collect_at_rest()
            assert freed() is not None  # a key was just typed: the collection waits
            app._last_key = time.monotonic() - app.REST_SECONDS
            await until(pilot, lambda: freed() is None)
            assert app.screen.query_one("#search", Input).value == "he"
        assert gc.get_threshold() == python_thresholds


def test_the_app_opens_in_english_with_lang_en(demo_home):
    """`lang="en"` switches every label, the footer's included."""
    app = IncubatorApp(demo_home, clock=lambda: NOW, lang="en")

    async def run():
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            count = str(app.screen.query_one("#count").render())
            keys = {active.binding.description for active in app.screen.active_bindings.values()}
            return count, keys

    try:
        count, keys = asyncio.run(run())
        assert count == "40 organizations, sorted by Name (ascending)"
        assert {"Search", "Quit", "Help"} <= keys
    finally:
        i18n.set_language("zh")
