"""组织 driven through Pilot: live search in Chinese, filters, sorting, paging, Enter."""

import pytest
from textual import events
from textual.widgets import DataTable, Select
from textual.widgets.data_table import ColumnKey

from incubator.domain.pinyin import sort_key

from incubator.screens.organizations.detail import OrganizationDetailScreen
from incubator.screens.organizations.screen import PAGE
from incubator.store import queries

from .helpers import open_store, residents, rows


def table(app):
    return app.screen.query_one("#organizations")


class TestSearch:
    async def test_a_chinese_substring_filters_the_table_as_you_type(self, app, demo_home):
        name = residents(demo_home)[0]["name"]
        needle = name[2:5]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            everything = table(app).row_count
            await pilot.press("slash", *needle)
            await pilot.pause()
            shown = rows(table(app))
            assert 0 < len(shown) < everything
            assert all(needle in row[1] for row in shown)
            assert str(app.screen.query_one("#count").render()).startswith(f"共 {len(shown)} 个组织")
            await pilot.press("enter")  # from the search box to the results
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, OrganizationDetailScreen)
            assert needle in app.screen.org["name"]

    async def test_keys_typed_right_after_slash_land_in_the_search_box(self, app):
        """The search key moves the focus before the next key is dispatched (tmux sends a
        burst); inside the box, `/` is a character like any other."""
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            screen = app.screen
            for key in ("slash", "书", "slash", "画"):
                app.post_message(events.Key(key, key if len(key) == 1 else "/"))
            await pilot.pause()
            assert screen.query_one("#search").value == "书/画"

    async def test_a_name_with_brackets_shows_as_typed(self, app, demo_home):
        store = open_store(demo_home)
        store.add_org("[b]红岩[/b]社区合唱团", "culture", residents(demo_home)[0]["hub_id"])
        store.close()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2", "slash", *"合唱团")
            await pilot.pause()
            shown = table(app)
            drawn = "".join(segment.text for segment in shown.render_line(1))
            assert shown.row_count == 1 and "[b]红岩[/b]社区合唱团" in drawn

    async def test_full_pinyin_and_initials_find_a_name(self, app):
        """书画社 by shuhua or shs; 金桥街道 by its initials; the table shows only it."""
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2", "slash")
            for typed in ("shuhua", "shs", "jqjd", "JinQiao"):
                app.screen.query_one("#search").value = ""
                await pilot.press(*typed)
                await pilot.pause()
                assert [row[1] for row in rows(table(app))] == ["金桥街道书画社"], typed

    async def test_no_match_leaves_an_empty_table(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2", "slash", *"没有这个组织")
            await pilot.pause()
            assert table(app).row_count == 0


class TestFiltersAndSort:
    async def test_hub_and_stage_filters_combine(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            app.screen.query_one("#hub", Select).value = org["hub_id"]
            app.screen.query_one("#stage", Select).value = "startup"
            await pilot.pause()
            shown = rows(table(app))
            assert shown and {(row[3], row[4]) for row in shown} == {(org["hub"], "初创期")}

    async def test_the_flag_filter_keeps_only_flagged_organizations(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            everything = table(app).row_count
            app.screen.query_one("#flag", Select).value = "约谈"
            await pilot.pause()
            shown = rows(table(app))
            assert 0 < len(shown) < everything
            assert all("约谈" in row[8] for row in shown)

    async def test_names_sort_by_pinyin_and_s_turns_every_column_both_ways(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            names = [row[1] for row in rows(table(app))]
            assert names == sorted(names, key=sort_key) != sorted(names)  # not code points
            assert names[0].startswith("白沙")                           # bai before dong
            await pilot.press("s")
            assert [row[1] for row in rows(table(app))] == names[::-1]
            assert "按名称降序排列" in str(app.screen.query_one("#count").render())
            await pilot.press("s")                        # the next column, ascending
            assert app.screen.sort == "category" and not app.screen.descending
            categories = list(dict.fromkeys(row[2] for row in rows(table(app))))
            assert categories == sorted(categories, key=sort_key)        # by their labels
            assert categories[0] == "法律援助"                            # fa, gong, she …

    async def test_clicking_a_header_sorts_and_clicking_again_reverses(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            screen = app.screen
            screen.sort_on("last_score10", False)
            await pilot.pause()
            scores = [float(row[6]) for row in rows(table(app)) if row[6]]
            assert scores == sorted(scores)
            for column, descending in (("hub", False), ("hub", True), ("flags", False)):
                table(app).post_message(DataTable.HeaderSelected(
                    table(app), table(app).columns[ColumnKey(column)].key,
                    table(app).get_column_index(column), table(app).columns[
                        ColumnKey(column)].label))
                await pilot.pause()
                assert (screen.sort, screen.descending) == (column, descending)
                if column == "hub":
                    hubs = list(dict.fromkeys(row[3] for row in rows(table(app))))
                    assert hubs == sorted(hubs, key=sort_key, reverse=descending)
            flags = [row[8] for row in rows(table(app))]
            flagged = [f for f in flags if f]
            assert flagged and flags[:len(flagged)] == flagged          # flagged ones first
            assert "按标记升序排列" in str(screen.query_one("#count").render())

    async def test_at_80_columns_the_score_the_rating_and_the_flags_stay(self, app):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            shown = table(app)
            assert [str(c.label) for c in shown.ordered_columns] == [
                "名称", "孵化中心", "阶段", "最近得分", "星级", "标记"]
            assert sum(c.get_render_width(shown) for c in shown.ordered_columns) <= \
                shown.scrollable_content_region.width
            assert any(row[5] == "约谈" for row in rows(shown))


class TestPaging:
    @pytest.fixture(autouse=True)
    def more_than_a_page(self, demo_home):
        """PAGE more organizations: 100 in all."""
        store = open_store(demo_home)
        hub = residents(demo_home)[0]["hub_id"]
        for number in range(PAGE):
            store.add_org(f"测试社{number:03d}号", "other", hub)
        store.close()

    async def test_rows_load_as_the_cursor_moves_down(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            assert table(app).row_count == PAGE
            await pilot.press("pagedown", "pagedown")
            await pilot.pause()
            assert table(app).row_count == PAGE + 40

    async def test_rows_load_when_the_view_is_scrolled_to_the_end(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            table(app).scroll_end(animate=False, immediate=True)
            await pilot.pause()
            assert table(app).row_count == PAGE + 40
            assert table(app).cursor_row == 0

    async def test_a_page_queued_before_the_next_filter_redraw_never_mixes_filters(
            self, app, demo_home):
        """Paging follows the filters the table shows, even if a picker already changed."""
        hub = residents(demo_home)[0]["hub_id"]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            screen = app.screen
            first_page = [row[0] for row in rows(table(app))]
            screen.query_one("#hub", Select).value = hub  # its Changed not handled yet
            screen.add_page()
            ids = [row[0] for row in rows(table(app))]
            assert ids[:PAGE] == first_page and len(ids) == len(set(ids)) == PAGE + 40
            await pilot.pause()
            store = open_store(demo_home)
            in_hub = {r["id"] for r in queries.organizations(store.db, hub=hub)}
            store.close()
            shown = [row[0] for row in rows(table(app))]
            assert shown and set(shown) <= in_hub

    async def test_the_rows_follow_the_search_as_it_is_typed(self, app):
        """A search redraws the rows when the box's value changes, before any message is
        handled (the box and the table then change in one frame), and a page added after
        continues that search."""
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            screen = app.screen
            screen.query_one("#search").value = "测试社"
            assert all("测试社" in row[1] for row in rows(table(app)))
            assert table(app).row_count == PAGE
            screen.add_page()
            assert table(app).row_count == PAGE
