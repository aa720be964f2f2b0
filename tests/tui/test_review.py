"""年度考核 driven through Pilot: stars computed live with the reason, saved, listed."""

import pytest
from textual.widgets import Input, Select, Static

from .helpers import SIZES, notices, residents, snapshot


async def open_review(app, pilot, org, year: str = "2026"):
    """The review area with `year` and `org` chosen."""
    await pilot.press("f7")
    screen = app.screen
    screen.query_one("#year", Input).value = year
    screen.query_one("#org", Select).value = org["id"]
    await pilot.pause()
    return screen


def result(app) -> str:
    return str(app.screen.query_one("#result", Static).render())


class TestLiveStars:
    async def test_stars_follow_the_typing_and_the_party_cap(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_review(app, pilot, org)
            for key, value in (("self", "95"), ("peer", "95"), ("public", "95")):
                screen.query_one(f"#{key}", Input).value = value
            await pilot.pause()
            shown = result(app)
            assert "星" in shown and "综合得分" in shown
            await pilot.click("#party")
            await pilot.pause()
            assert "党建不达标" in result(app)
            screen.query_one("#public", Input).value = "120"
            await pilot.pause()
            assert "-invalid" in screen.query_one("#public", Input).classes
            assert "请选择年份和组织" in result(app)


class TestSaveReview:
    async def test_saved_review_is_prefilled_and_charted(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_review(app, pilot, org)
            for key in ("self", "peer", "public"):
                screen.query_one(f"#{key}", Input).value = "40"
            await pilot.pause()
            await pilot.click("#save")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert any("考核已保存" in n for n in notices(app)), notices(app)
            rectify = screen.query_one("#rectify")
            assert org["name"] in [str(rectify.get_row_at(i)[0]) for i in range(rectify.row_count)]
            screen.query_one("#self", Input).value = "70"
            screen.query_one("#org", Select).value = residents(demo_home)[1]["id"]
            await pilot.pause()
            assert screen.query_one("#self", Input).value == "70"
            screen.query_one("#org", Select).value = org["id"]
            await pilot.pause()
            assert screen.query_one("#self", Input).value == "40"


@pytest.mark.parametrize(**SIZES)
def test_snapshot(snap_compare, demo_home, size):
    assert snapshot(snap_compare, demo_home, "review", size)
