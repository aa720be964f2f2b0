"""年度考核 driven through Pilot: stars computed live with the reason, saved, listed."""

import pytest
from textual.widgets import Input, Select, Static

from .helpers import SIZES, notices, open_store, snapshot


def residents(home, entered_before="2025-01-01"):
    """Residents that entered before `entered_before` (so 2025 may be reviewed) and have no
    2025 review yet, by name."""
    store = open_store(home)
    found = [dict(r) for r in store.db.query(
        "SELECT id, name FROM organizations o WHERE stage IN ('startup', 'growth')"
        " AND entered < ? AND NOT EXISTS (SELECT 1 FROM reviews r"
        " WHERE r.org_id = o.id AND r.year = 2025) ORDER BY name", [entered_before])]
    store.close()
    return found


async def open_review(app, pilot, org, year: str = "2025"):
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
            assert "党建是否达标" in result(app)       # no silent default: it is asked
            screen.query_one("#party", Select).value = "yes"
            await pilot.pause()
            shown = result(app)
            assert "星级" in shown and "综合得分" in shown
            assert shown.splitlines()[1].startswith("党建引领")
            screen.query_one("#party", Select).value = "no"
            await pilot.pause()
            assert "党建不达标" in result(app)
            assert "三星级及以下：约谈限期整改" in str(screen.query_one("#rectify-title").render())
            screen.query_one("#public", Input).value = "120"
            await pilot.pause()
            assert "-invalid" in screen.query_one("#public", Input).classes
            assert result(app) == "群众评 120 超出 0–100 的范围"  # the domain's words


class TestSaveReview:
    async def test_saved_review_is_prefilled_and_charted(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_review(app, pilot, org)
            for key in ("self", "peer", "public"):
                screen.query_one(f"#{key}", Input).value = "40"
            screen.query_one("#party", Select).value = "yes"
            await pilot.pause()
            await pilot.click("#save")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert any("考核已保存" in n for n in notices(app)), notices(app)
            rectify = screen.query_one("#rectify")
            listed = {str(rectify.get_row_at(i)[0]): str(rectify.get_row_at(i)[3])
                      for i in range(rectify.row_count)}
            assert listed[org["name"]] == "需约谈提醒"    # the annual case it opened
            screen.query_one("#self", Input).value = "70"
            other = residents(demo_home, entered_before="2026-08-01")[1]
            assert other["id"] != org["id"]
            screen.query_one("#org", Select).value = other["id"]
            await pilot.pause()
            assert screen.query_one("#self", Input).value == "70"
            screen.query_one("#org", Select).value = org["id"]
            await pilot.pause()
            assert screen.query_one("#self", Input).value == "40"


class TestRefusals:
    async def test_the_current_year_is_refused_before_its_opening_day(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_review(app, pilot, org, "2026")
            for key in ("self", "peer", "public"):
                screen.query_one(f"#{key}", Input).value = "80"
            screen.query_one("#party", Select).value = "yes"
            await pilot.pause()
            assert "2026 年度考核自 2026-12-01 开始" in result(app)


@pytest.mark.parametrize(**SIZES)
def test_snapshot(snap_compare, demo_home, size):
    assert snapshot(snap_compare, demo_home, "review", size)
