"""A change made behind a form's back (another Store on the same file, as the CLI or a
sync writes) survives the next save: the scoring grid and the profile form save only what
the person changed, and only if it is still stored as the form was opened
(compare-and-set); what the person did not touch follows the change within the app's poll;
a refused row or field shows the newer value and who wrote it, and the person chooses."""

import time

from textual.widgets import Button, Input, Label, Select

from incubator.screens.organizations.detail import OrganizationDetailScreen
from incubator.screens.scoring.screen import ScoreRow
from incubator.screens.widgets.form import FormScreen
from incubator.store import queries
from incubator.store.commands import ScoreEntry

from .helpers import LOW, notices, open_store, residents
from .test_review import residents as reviewable

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
MONTH = "2026-11"


async def until(pilot, condition, what: str, deadline: float = 20.0) -> None:
    """Wait (no fixed sleep) until `condition()` holds; fail after a generous deadline."""
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        await pilot.pause(0.05)


def grid_rows(screen) -> dict[str, ScoreRow]:
    return {row.org_id: row for row in screen.query(ScoreRow) if row.is_attached}


async def open_month(app, pilot, hub_id: str):
    await pilot.press("f3")
    screen = app.screen
    screen.query_one("#hub", Select).value = hub_id
    screen.query_one("#month", Input).value = MONTH
    await until(pilot, lambda: screen.shown and screen.shown[0] == (hub_id, MONTH)
                and grid_rows(screen), "the grid of the month")
    return screen


async def type_row(pilot, screen, org_id: str, value: str) -> None:
    """Type `value` into every cell of a row, each cell focused before it is typed in."""
    for index in range(len(LOW)):
        def focused(index=index) -> bool:  # a remount at the poll replaces the cells
            cell = grid_rows(screen)[org_id].cells[index]
            if screen.focused is not cell:
                cell.focus()
                return False
            return True

        await until(pilot, focused, "the cell's focus")
        await pilot.press(*value)
    await until(pilot, lambda: [c.value for c in grid_rows(screen)[org_id].cells]
                == [value] * len(LOW), "the typed row")


def shown(screen, org_id: str) -> list[str] | None:
    """The row's cells as shown; None while the grid is being laid out again."""
    row = grid_rows(screen).get(org_id)
    return None if row is None or not hasattr(row, "cells") else [c.value for c in row.cells]


def stored(home, org_id: str) -> tuple[dict, str]:
    """The stored items of the month and who wrote the organization's last change."""
    store = open_store(home)
    try:
        found = queries.scores(store.db, month=MONTH, org_id=org_id)
        last = store.history(org_id)[0]
        return (found[0]["items"] if found else {}), last.summary
    finally:
        store.close()


async def save(app, pilot) -> None:
    await pilot.press("ctrl+s")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def row_refused(app, pilot, home, org: dict):
    """The person types a row; another Store scores it; the poll keeps what was typed;
    the save leaves the row out."""
    screen = await open_month(app, pilot, org["hub_id"])
    await type_row(pilot, screen, org["id"], "1")
    elsewhere = open_store(home)
    elsewhere.set_scores([ScoreEntry(org["id"], MONTH, FULL)])
    elsewhere.close()
    await until(pilot, lambda: screen.shown[1] == app.data_version(), "the poll")
    await until(pilot, lambda: shown(screen, org["id"]) == ["1"] * 5,
                "what was typed to stay")  # (the grid may be laid out again first)
    await save(app, pilot)
    return screen


class TestScoringGrid:
    async def test_a_score_set_elsewhere_survives_the_next_save_of_another_row(self, app,
                                                                               demo_home):
        hub = residents(demo_home)[0]["hub"]
        first, second = residents(demo_home, hub)[:2]
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_month(app, pilot, first["hub_id"])
            await type_row(pilot, screen, first["id"], "1")
            await save(app, pilot)
            await until(pilot, lambda: stored(demo_home, first["id"])[0] == LOW, "the save")
            elsewhere = open_store(demo_home)  # the CLI's `score set`, on the same file
            elsewhere.set_scores([ScoreEntry(first["id"], MONTH, FULL, "外面改的")])
            elsewhere.close()
            # the row nobody typed in since follows the change at the app's poll
            await until(pilot, lambda: shown(screen, first["id"]) == ["2"] * 5,
                        "the grid to show the score set elsewhere")
            await type_row(pilot, screen, second["id"], "1")
            await save(app, pilot)
            await until(pilot, lambda: stored(demo_home, second["id"])[0] == LOW, "the save")
        assert stored(demo_home, first["id"])[0] == FULL  # not written back with 1s

    async def test_a_row_changed_elsewhere_while_typed_is_refused_then_the_person_chooses(
            self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await row_refused(app, pilot, demo_home, org)
            assert stored(demo_home, org["id"])[0] == FULL  # nothing written for the row
            stale = str(screen.query_one("#stale", Label).render())
            assert f"{org['name']} {MONTH} 的评分在您打开之后已被演示设备" in stale, stale
            assert "改为 10/10" in stale and "再次保存则保留您填写的值" in stale
            take = screen.query_one("#take-newer", Button)
            assert take.display
            # keep yours: saving again writes what was typed over the newer score
            await save(app, pilot)
            assert stored(demo_home, org["id"])[0] == LOW
            assert not take.display

    async def test_take_the_newer_drops_what_was_typed(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await row_refused(app, pilot, demo_home, org)
            screen.query_one("#take-newer", Button).press()
            await until(pilot, lambda: shown(screen, org["id"]) == ["2"] * 5, "the newer score")
            assert not screen.sheets[(org["hub_id"], MONTH)].drafts[org["id"]]
        assert stored(demo_home, org["id"])[0] == FULL


async def open_profile_form(app, pilot, org_id: str) -> FormScreen:
    app.open_organization(org_id)
    await until(pilot, lambda: isinstance(app.screen, OrganizationDetailScreen)
                and app.screen.org, "the organization")
    await app.workers.wait_for_complete()
    await pilot.press("e")
    await until(pilot, lambda: isinstance(app.screen, FormScreen), "the profile form")
    return app.screen


def profile(home, org_id: str) -> dict:
    store = open_store(home)
    try:
        return queries.org_row(store.db, org_id)
    finally:
        store.close()


async def phone_refused(app, pilot, home, org_id: str) -> FormScreen:
    """The person types a phone; another Store sets another one; the save is refused."""
    form = await open_profile_form(app, pilot, org_id)
    form.query_one("#phone", Input).value = "13911111111"
    elsewhere = open_store(home)
    elsewhere.edit_org(org_id, {"phone": "13800000009"})
    elsewhere.close()
    await pilot.press("ctrl+s")
    await app.workers.wait_for_complete()
    await until(pilot, lambda: form.query_one("#take-newer", Button).display, "the refusal")
    return form


class TestProfileForm:
    async def test_a_field_changed_elsewhere_follows_and_survives_the_save(self, app,
                                                                         demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_profile_form(app, pilot, org["id"])
            elsewhere = open_store(demo_home)  # `org edit --phone`, on the same file
            elsewhere.edit_org(org["id"], {"phone": "13800000009"})
            elsewhere.close()
            await until(pilot, lambda: form.query_one("#phone", Input).value == "13800000009",
                        "the form to show the phone set elsewhere")
            form.query_one("#contact", Input).value = "李老师"
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await until(pilot, lambda: not isinstance(app.screen, FormScreen), "the save")
        row = profile(demo_home, org["id"])
        assert (row["phone"], row["contact"]) == ("13800000009", "李老师")

    async def test_a_field_changed_elsewhere_while_typed_is_refused_then_kept(self, app,
                                                                              demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            form = await phone_refused(app, pilot, demo_home, org["id"])
            assert app.screen is form and profile(demo_home, org["id"])["phone"] == "13800000009"
            error = str(form.query_one("#error", Label).render())
            assert "电话在您打开之后已被演示设备" in error and "改为 13800000009" in error, error
            assert form.query_one("#phone", Input).value == "13911111111"
            await pilot.press("ctrl+s")  # keep mine
            await app.workers.wait_for_complete()
            await until(pilot, lambda: not isinstance(app.screen, FormScreen), "the save")
        assert profile(demo_home, org["id"])["phone"] == "13911111111"

    async def test_take_the_newer_shows_it_and_writes_nothing(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            form = await phone_refused(app, pilot, demo_home, org["id"])
            form.query_one("#take-newer", Button).press()
            await until(pilot, lambda: form.query_one("#phone", Input).value == "13800000009",
                        "the newer phone")
        assert profile(demo_home, org["id"])["phone"] == "13800000009"


def review_2025(home, org_id: str) -> dict:
    store = open_store(home)
    try:
        return queries.review_values(queries.review_of(store.db, org_id, 2025))
    finally:
        store.close()


def review_elsewhere(home, org_id: str, value: float) -> None:
    elsewhere = open_store(home)  # `review set`, on the same file
    elsewhere.set_review(org_id, 2025, value, value, value, True)
    elsewhere.close()


async def open_reviewed(app, pilot, home):
    """The review area on an organization whose 2025 review (60s) was saved before."""
    org = reviewable(home)[0]
    review_elsewhere(home, org["id"], 60)
    await pilot.press("f7")
    screen = app.screen
    screen.query_one("#year", Input).value = "2025"
    screen.query_one("#org", Select).value = org["id"]
    await until(pilot, lambda: screen.query_one("#self", Input).value == "60", "the review")
    return screen, org


class TestReviewEntry:
    async def test_a_review_changed_elsewhere_shows_when_nothing_was_typed(self, app,
                                                                         demo_home):
        async with app.run_test(size=(120, 40)) as pilot:
            screen, org = await open_reviewed(app, pilot, demo_home)
            review_elsewhere(demo_home, org["id"], 80)
            await until(pilot, lambda: screen.query_one("#self", Input).value == "80",
                        "the review set elsewhere")

    async def test_a_review_changed_elsewhere_while_typed_is_refused_then_kept(self, app,
                                                                               demo_home):
        async with app.run_test(size=(120, 40)) as pilot:
            screen, org = await open_reviewed(app, pilot, demo_home)
            screen.query_one("#self", Input).value = "50"
            review_elsewhere(demo_home, org["id"], 80)
            screen.query_one("#save", Button).press()
            await app.workers.wait_for_complete()
            await until(pilot, lambda: any("在您打开之后已被" in n for n in notices(app)),
                        "the refusal")
            assert review_2025(demo_home, org["id"])["self"] == 80.0  # nothing overwritten
            assert screen.query_one("#self", Input).value == "50"  # what was typed stays
            screen.query_one("#save", Button).press()  # keep yours
            await app.workers.wait_for_complete()
            await until(pilot, lambda: review_2025(demo_home, org["id"])["self"] == 50.0,
                        "the review kept over the newer one")
