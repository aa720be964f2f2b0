"""首页 driven through Pilot: each hub's figures, and every figure jumps to its list."""

import re

from textual.widgets import Select, Switch

from incubator.screens.dashboard.screen import Figure
from incubator.store import queries

from .helpers import open_store, residents, rows, until


def figure_texts(app) -> list[str]:
    return [str(figure.label) for figure in app.screen.query(Figure)]


class TestFigures:
    async def test_every_hub_shows_its_figures(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            texts = figure_texts(app)
            assert len([t for t in texts if t.startswith("初创期")]) == 4
            for words in ("空间使用", "2026-10 缺评分", "约谈中", "30 天内到期的减免",
                          "以服务换租金有未完成时数", "本网络暂无其他副本"):
                assert any(words in text for text in texts), words

    async def test_a_missing_score_shows_after_a_change_elsewhere(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            before = figure_texts(app)
            store = open_store(demo_home)
            store.add_org("新来的社区书画社", "culture", org["hub_id"], entered="2026-09-01")
            store.close()
            await pilot.pause(1.3)
            assert figure_texts(app) != before
            assert any("2026-10 缺评分：1" in text for text in figure_texts(app))


class TestJumps:
    async def test_the_stage_figure_opens_the_organizations_of_that_hub(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            first = app.screen.query("#hubs Figure").first()  # (the district panel comes first)
            await pilot.click(first)
            await pilot.pause()
            assert type(app.screen).__name__ == "OrganizationsScreen"
            assert app.screen.query_one("#hub", Select).value == first.hub_id
            hubs = {str(row[3]) for row in map(app.screen.query_one("#organizations").get_row_at,
                                          range(app.screen.query_one("#organizations").row_count))}
            assert len(hubs) == 1

    async def test_figures_are_reached_with_the_keyboard(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            # past the district's three figures to the first hub's fourth
            await pilot.press(*["tab"] * 7)
            assert isinstance(app.screen.focused, Figure)
            assert app.screen.focused.mode == "warnings"
            await pilot.press("enter")
            await pilot.pause()
            assert type(app.screen).__name__ == "WarningsScreen"

    async def test_a_hub_s_figures_open_the_lists_of_that_hub_only(self, app):
        """约谈中 N opens N open cases of that hub, not every hub's; the waivers ending soon
        likewise."""
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            figures = list(app.screen.query("#hubs Figure"))
            shown = next(f for f in figures if f.mode == "warnings")
            hub = queries.hub_name(app.reader, shown.hub_id)
            opened, overdue = map(int, re.findall(r"\d+", str(shown.label)))
            shown.press()
            await until(pilot, lambda: type(app.screen).__name__ == "WarningsScreen"
                        and app.screen.query_one("#hub", Select).value == shown.hub_id)
            await pilot.pause()
            listed = rows(app.screen.query_one("#warnings"))
            assert len(listed) == opened + overdue > 0
            assert {row[1] for row in listed} == {hub}
            await pilot.press("f1")
            await pilot.pause()
            ending = next(f for f in app.screen.query("#hubs Figure")
                          if f.mode == "waivers" and f.tab == "expiring"
                          and f.hub_id == shown.hub_id)
            count = int(re.findall(r"\d+", str(ending.label))[-1])
            ending.press()
            await until(pilot, lambda: type(app.screen).__name__ == "WaiversScreen"
                        and app.screen.query_one("#expiring", Switch).value)
            await pilot.pause()
            listed = rows(app.screen.query_one("#waivers"))
            assert len(listed) == count > 0 and {row[1] for row in listed} == {hub}
