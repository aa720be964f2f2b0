"""空间 driven through Pilot: the map shows status in words, assign a room, release it."""

import pytest
from textual.widgets import Label, Select

from incubator.screens.spaces.screen import SpaceCard

from .helpers import SIZES, notices, residents, snapshot


def card_named(app, name) -> SpaceCard:
    return next(c for c in app.screen.query(SpaceCard) if c.space["name"] == name)


async def submit(app, pilot):
    await pilot.press("ctrl+s")
    await app.workers.wait_for_complete()
    await pilot.pause()


class TestAssignAndRelease:
    async def test_assign_a_free_room_then_release_it(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f5")
            app.screen.query_one("#hub", Select).value = org["hub_id"]
            await pilot.pause()
            card = next(c for c in app.screen.query(SpaceCard) if c.status == "free")
            name = card.space["name"]
            assert "空闲" in str(card.label)
            card.focus()
            await pilot.press("a")
            await pilot.pause()
            app.screen.query_one("#org", Select).value = org["id"]
            await submit(app, pilot)
            assert any(f"已分配{name}" in n or name in n for n in notices(app)), notices(app)
            card = card_named(app, name)
            assert card.status != "free" and org["name"] in str(card.label)
            assert app.screen.focused is card
            await pilot.press("r")
            await pilot.pause()
            await submit(app, pilot)
            assert card_named(app, name).status == "free"


class TestRefusals:
    async def test_assign_without_an_organization_keeps_the_form_open(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f5")
            app.screen.query_one("#hub", Select).value = org["hub_id"]
            await pilot.pause()
            next(c for c in app.screen.query(SpaceCard) if c.status == "free").focus()
            await pilot.press("a")
            await pilot.pause()
            form = app.screen
            await submit(app, pilot)
            assert app.screen is form
            assert str(form.query_one("#error", Label).render())


class TestArrows:
    async def test_arrow_keys_move_between_spaces(self, app):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f5")
            await pilot.pause()
            cards = list(app.screen.query(SpaceCard))
            cards[0].focus()
            await pilot.press("right", "down")
            assert app.screen.focused is cards[7]


@pytest.mark.parametrize(**SIZES)
def test_snapshot(snap_compare, demo_home, size):
    assert snapshot(snap_compare, demo_home, "spaces", size)
