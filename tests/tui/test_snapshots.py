"""SVG snapshots of the dashboard, organizations, detail, sync and help at 80×24 and
120×40 on the demo replica with the frozen clock (the other areas snapshot in their own
test modules)."""

import pytest
from textual.widgets import Input

from incubator.screens.app import IncubatorApp

from ..conftest import NOW
from .helpers import SIZES

AREAS = {"dashboard": "1", "organizations": "2", "sync": "9"}


async def settle(pilot):
    """Let mounts, select events, the refreshes they trigger and the workers finish."""
    for _ in range(3):
        await pilot.pause()
        await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def shoot(snap_compare, home, size, *steps):
    """The app after `steps`: keys, or (key, name of the screen it must open)."""

    async def press(pilot):
        for step in steps:
            key, screen = step if isinstance(step, tuple) else (step, None)
            await pilot.press(key)
            for _ in range(50):
                await settle(pilot)
                if screen is None or screen in {k.__name__ for k in type(pilot.app.screen).__mro__}:
                    break
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the picture flaky
        await pilot.pause()

    return snap_compare(IncubatorApp(home, clock=lambda: NOW), run_before=press,
                        terminal_size=size)


DETAIL = ("2", ("enter", "OrganizationDetailScreen"))


@pytest.mark.parametrize(**SIZES)
@pytest.mark.parametrize("mode", list(AREAS))
def test_area_snapshot(snap_compare, demo_home, mode, size):
    assert shoot(snap_compare, demo_home, size, AREAS[mode])


@pytest.mark.parametrize(**SIZES)
def test_detail_snapshot(snap_compare, demo_home, size):
    assert shoot(snap_compare, demo_home, size, *DETAIL)


@pytest.mark.parametrize(**SIZES)
def test_detail_scores_snapshot(snap_compare, demo_home, size):
    assert shoot(snap_compare, demo_home, size, *DETAIL, "right", "right", "right")


@pytest.mark.parametrize(**SIZES)
def test_profile_form_snapshot(snap_compare, demo_home, size):
    assert shoot(snap_compare, demo_home, size, *DETAIL, ("e", "FormScreen"))


@pytest.mark.parametrize(**SIZES)
def test_help_snapshot(snap_compare, demo_home, size):
    assert shoot(snap_compare, demo_home, size, "2", ("question_mark", "HelpScreen"))
