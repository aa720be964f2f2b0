"""Every form of the app fed empty, huge, malformed, out-of-range and non-UTF-8 text:
refused with what was typed kept and nothing written, or (for odd but legal text) saved.
Each opens on its first field, and every input has a maximum length."""

import hashlib
import sqlite3

import pytest
from textual.widgets import DataTable, Input, Select

from incubator.screens.widgets.form import FormScreen
from incubator.store.home import replica_path

from incubator.screens.spaces.screen import SpaceCard
from incubator.store.identity import Card, new_identity

from .helpers import notices, open_store, residents
from .test_warnings import choose, streak

BAD = {  # the kinds every form must refuse come first
    "empty": "",
    "huge": "名" * 5000,
    "non-UTF-8": b"\xff\xfe".decode("utf-8", "surrogateescape"),
    "malformed": "@@@!!%%",
    "negative": "-1",
    "out of range": "99999999999999999999",
}
MUST_REFUSE = {"empty", "huge", "non-UTF-8"}


def fingerprint(home) -> str:
    conn = sqlite3.connect(replica_path(home))
    try:
        return hashlib.sha256(repr(sorted(
            conn.execute("SELECT doc_id, heads FROM documents").fetchall())).encode()).hexdigest()
    finally:
        conn.close()


async def profile(app, pilot, home):
    await pilot.press("2")
    await pilot.pause()
    app.screen.query_one(DataTable).focus()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("e")


async def waiver(app, pilot, home):
    await pilot.press("f6")
    await pilot.pause()
    await pilot.press("a")


async def graduation(app, pilot, home):
    await pilot.press("f8")
    await pilot.pause()
    app.screen.query_one(DataTable).focus()
    await pilot.press("g")


def warnings_form(key: str, interviewed: bool = False):
    """The form behind `key` on the warnings screen, for a resident in a low streak."""

    async def open_form(app, pilot, home):
        org = residents(home)[0]
        streak(home, org)
        if interviewed:
            store = open_store(home)
            store.record_interview(org["id"], "2026-11-01", case="2026-08")
            store.close()
        await choose(app, pilot, org)
        await pilot.press(key)

    return open_form


async def waiver_end(app, pilot, home):
    await pilot.press("f6")
    await pilot.pause()
    table = app.screen.query_one("#waivers", DataTable)
    table.focus()
    # one that has not ended (an ended one is refused before its form opens)
    table.move_cursor(row=[w["ended_on"] for w in app.screen.listed].index(None))
    await pilot.press("e")


async def assign_space(app, pilot, home):
    org = residents(home)[0]
    await pilot.press("f5")
    app.screen.query_one("#hub", Select).value = org["hub_id"]
    await pilot.pause()
    next(card for card in app.screen.query(SpaceCard) if card.status == "free").focus()
    await pilot.press("a")
    await pilot.pause()
    app.screen.query_one("#org", Select).value = org["id"]


async def bundle_export(app, pilot, home):
    store = open_store(home)
    store.add_member(Card.of(new_identity("外勤笔记本")), "field")
    store.close()
    await pilot.press("f9")
    await pilot.pause()
    await pilot.press("x")


async def bundle_import(app, pilot, home):
    await pilot.press("f9")
    await pilot.pause()
    await pilot.press("i")


FORMS = {"profile": profile, "waiver": waiver, "graduation": graduation,
         "interview": warnings_form("i"), "close interview": warnings_form("c", True),
         "order exit": warnings_form("x", True), "dismiss": warnings_form("d"),
         "end waiver": waiver_end,
         "assign space": assign_space, "bundle export": bundle_export,
         "bundle import": bundle_import}


@pytest.mark.parametrize("form", FORMS)
async def test_every_input_of_the_form_with_bad_text(app, demo_home, form, tmp_path,
                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative file name lands here, not in the repository
    async with app.run_test(size=(120, 40)) as pilot:
        await FORMS[form](app, pilot, demo_home)
        await pilot.pause()
        assert isinstance(app.screen, FormScreen), f"the {form} form did not open"
        opened = app.screen
        assert opened.focused is opened.fields[0][2], f"the {form} form: not on its first field"
        assert all(field.max_length for field in opened.query(Input)), (
            f"the {form} form has an input without a maximum length")
        for kind, value in BAD.items():
            screen = app.screen
            assert isinstance(screen, FormScreen), f"{form}: the form closed before {kind}"
            before = fingerprint(demo_home)
            typed = {}
            for field in screen.query(Input):
                field.value = value
                typed[field.id] = field.value
            seen = len(notices(app))
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            said = notices(app)[seen:]
            if isinstance(app.screen, FormScreen):
                assert said, f"{form} with {kind} input: refused without a word"
                assert {f.id: f.value for f in app.screen.query(Input)} == typed, (
                    f"{form} with {kind} input lost what was typed")
                assert fingerprint(demo_home) == before, f"{form} with {kind} input wrote"
            else:
                assert kind not in MUST_REFUSE, f"{form} accepted {kind} input: {said}"
                print(f"{form}: accepted {kind} input as legal")
                return
