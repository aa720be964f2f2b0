"""Pairing devices through the app, on two real replicas in temporary homes: the hub's
card shown (and its QR code), pasted into a new laptop's first start, the laptop's card
pasted into the hub's "add a member" form with a role, a sync, then a revocation after
its confirmation, and the revoked laptop's next sync refused. A device without the role
sees why it may not add or revoke; bad cards change nothing."""

from __future__ import annotations

from textual import events
from textual.widgets import DataTable, Input, Label, Select, Static

from incubator.domain.device import short_device_id
from incubator.domain.models import Role
from incubator.present.labels import role_text
from incubator.present.qr import qr_matrix
from incubator.screens.app import IncubatorApp
from incubator.screens.setup import SetupApp
from incubator.screens.sync.pairing import CardScreen, QrCode, QrScreen, UPPER_HALF
from incubator.screens.sync.screen import SyncScreen
from incubator.screens.widgets.confirm import ConfirmScreen
from incubator.screens.widgets.form import FormScreen
from incubator.store import queries
from incubator.store.commands import Store
from incubator.store.home import replica_path
from incubator.store.identity import Card
from incubator.sync.transport import sync_all

from ..conftest import NOW
from .helpers import notices, until
from .test_snapshots import shoot
from .test_sync import ServerThread, add_snapshot_peer

LAPTOP = "外勤笔记本"
FAILED = "未能与 东湖前台"  # the start of a failed round's notice


def opened(home) -> Store:
    return Store.open(home, clock=lambda: NOW)


def members(home) -> dict[str, dict]:
    store = opened(home)
    try:
        return {m["name"]: m for m in queries.members(store.db)}
    finally:
        store.close()


def queries_peer_error(home, device_id: str) -> str | None:
    """The last error this replica recorded for its session with `device_id`."""
    store = opened(home)
    try:
        return next(p["last_error"] for p in queries.sync_peers(store.db)
                    if p["device_id"] == device_id)
    finally:
        store.close()


async def sync_laptop(home) -> list[dict]:
    """One round from the laptop with every member it knows an address for."""
    store = opened(home)
    try:
        return [r.as_dict() for r in await sync_all(store.port)]
    finally:
        store.close()


def drawn_modules(code: QrCode) -> list[list[bool]]:
    """The modules the widget draws, read back from its cells: two a cell, the upper one
    the glyph's colour, the lower one the background (a space: both the background);
    nothing but spaces and the upper half block. An odd last row is drawn over a light
    one."""
    columns, rows = code.cells
    modules: list[list[bool]] = []
    for y in range(rows):
        upper, lower = [], []
        for segment in code.render_line(y):
            assert segment.text in (" ", UPPER_HALF)
            below = segment.style.bgcolor.name == "black"
            above = segment.style.color.name == "black" if segment.text == UPPER_HALF else below
            upper.append(above)
            lower.append(below)
        assert len(upper) == columns
        modules += [upper, lower]
    return modules


async def paste(pilot, selector: str, text: str) -> None:
    """Paste `text` into the emptied field, as a terminal's bracketed paste delivers it."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.clear()
    field.post_message(events.Paste(text))
    await until(pilot, lambda: field.value == text)


async def open_sync(app, pilot) -> None:
    await pilot.press("f9")
    await until(pilot, lambda: isinstance(app.screen, SyncScreen)
                and app.screen.query_one("#devices", DataTable).row_count)


async def save_form(app, pilot) -> None:
    """Save the form; wait until it closed or said (anew) what is wrong."""
    app.screen.query_one("#error", Label).update("")
    await pilot.press("ctrl+s")
    await until(pilot, lambda: not isinstance(app.screen, FormScreen)
                or str(app.screen.query_one("#error", Label).render()))


def error_of(app) -> str:
    return str(app.screen.query_one("#error", Label).render())


async def test_two_replicas_pair_and_a_revoked_laptop_is_refused(tmp_path):
    hub_home, laptop_home = tmp_path / "hub", tmp_path / "laptop"
    hub_store = Store.init(hub_home, "东湖孵化园", "东湖前台", clock=lambda: NOW)
    hub_id = hub_store.identity.device_id
    hub_store.close()
    with ServerThread(hub_home) as server:
        # the hub shows its card, with the address it serves on, and its QR code
        hub = IncubatorApp(hub_home, clock=lambda: NOW)
        async with hub.run_test(size=(120, 40)) as pilot:
            await open_sync(hub, pilot)
            await pilot.press("c")
            await until(pilot, lambda: isinstance(hub.screen, CardScreen))
            assert hub.focused is hub.screen.query_one("#address", Input)
            await paste(pilot, "#address", f"127.0.0.1:{server.port}")
            hub_card = hub.screen.card
            assert Card.decode(hub_card).address == f"127.0.0.1:{server.port}"
            shown = hub.screen.query_one("#card-text", Static)
            await until(pilot, lambda: str(shown.render()).replace("\n", "") == hub_card)
            await pilot.click("#qr")
            await until(pilot, lambda: isinstance(hub.screen, QrScreen))
            code = hub.screen.query_one(QrCode)
            expected = qr_matrix(hub_card)
            drawn = drawn_modules(code)
            assert drawn[:len(expected)] == expected  # the code, module for module
            assert not any(module for row in drawn[len(expected):] for module in row)
            too_small = str(hub.screen.query_one("#qr-fit", Static).render())
            assert f"{code.cells[0]}×{code.cells[1] + 2}" in too_small  # 120×40 is too small

        # a new laptop's first start: join by pasting the hub's card; it shows its own
        setup = SetupApp(laptop_home)
        async with setup.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")  # Join has the focus
            await until(pilot, lambda: isinstance(setup.screen, FormScreen))
            assert setup.focused is setup.screen.query_one("#card", Input)
            await paste(pilot, "#card", "INCUBATOR1:这不是一张卡")
            await save_form(setup, pilot)
            assert "设备名片已损坏" in error_of(setup) and not replica_path(laptop_home).exists()
            await paste(pilot, "#card", hub_card)
            await pilot.press("tab", *LAPTOP)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(setup.screen, CardScreen))
            laptop_card = setup.screen.card
            await pilot.press("escape")
            await until(pilot, lambda: setup.return_value is not None)
        assert setup.return_value is True  # the replica was made: the app opens next
        assert Card.decode(laptop_card).name == LAPTOP

        hub = IncubatorApp(hub_home, clock=lambda: NOW)
        async with hub.run_test(size=(120, 40)) as pilot:
            await open_sync(hub, pilot)
            table = hub.screen.query_one("#devices", DataTable)
            # bad cards: named, nothing written
            await pilot.press("a")
            await until(pilot, lambda: isinstance(hub.screen, FormScreen))
            assert hub.focused is hub.screen.query_one("#card", Input)  # paste at once
            await paste(pilot, "#card", "not a card")
            await save_form(hub, pilot)
            assert error_of(hub) == "这不是设备名片（应以 INCUBATOR1: 开头）"
            await paste(pilot, "#card", hub_card)
            await save_form(hub, pilot)
            assert error_of(hub) == "这是本设备自己的名片"
            assert list(members(hub_home)) == ["东湖前台"]
            # the laptop's card, as a field device
            await paste(pilot, "#card", laptop_card)
            assert hub.screen.query_one("#role", Select).value == Role.FIELD
            await save_form(hub, pilot)
            assert not isinstance(hub.screen, FormScreen)
            await until(pilot, lambda: table.row_count == 2)
            assert str(table.get_row_at(1)[1]) == role_text("field")
            assert members(hub_home)[LAPTOP]["role"] == "field"

            assert [r["error"] for r in await sync_laptop(laptop_home)] == [None]
            assert members(laptop_home)[LAPTOP]["role"] == "field"

            await pilot.press("r")  # this device's own row: refused before any question
            await until(pilot, lambda: "设备不能撤销自己" in notices(hub))
            table.move_cursor(row=1)
            await pilot.press("r")
            await until(pilot, lambda: isinstance(hub.screen, ConfirmScreen))
            said = str(hub.screen.query_one("#consequences", Static).render())
            assert LAPTOP in said and "不能再与本网络的任何设备同步" in said
            assert "之前写下的内容保留" in said
            await pilot.press("enter")  # Cancel has the focus: nothing happens
            await until(pilot, lambda: isinstance(hub.screen, SyncScreen))
            assert members(hub_home)[LAPTOP]["revoked_at"] is None
            await pilot.press("r")
            await until(pilot, lambda: isinstance(hub.screen, ConfirmScreen))
            await pilot.press("tab", "enter")  # from Cancel to Revoke
            await until(pilot, lambda: "已撤销" in str(table.get_row_at(1)[1]))
            assert f"已撤销 {short_device_id(Card.decode(laptop_card).device_id)}" in notices(hub)
        assert members(hub_home)[LAPTOP]["revoked_at"] == NOW.isoformat()

        # the laptop, not told of its revocation: its next sync (n) is refused by the hub,
        # and as a field device it is told why it may not add or revoke members
        laptop = IncubatorApp(laptop_home, clock=lambda: NOW)
        async with laptop.run_test(size=(120, 40)) as pilot:
            await open_sync(laptop, pilot)
            why = "只有孵化中心设备可以添加或撤销成员：本设备是{role}设备".format(
                role=role_text("field"))
            assert why in str(laptop.screen.query_one("#membership", Label).render())
            await pilot.press("a")
            await pilot.press("r")
            await until(pilot, lambda: notices(laptop).count(why) == 2)
            assert isinstance(laptop.screen, SyncScreen)
            await pilot.press("n")
            await until(pilot, lambda: any(FAILED in n for n in notices(laptop)))
        assert queries_peer_error(laptop_home, hub_id)


def test_revoke_confirmation_snapshot(snap_compare, demo_home, shanghai_time):
    """What revoking does, asked at 80×24 over the Sync screen."""
    add_snapshot_peer(demo_home)
    assert shoot(snap_compare, demo_home, (80, 24), "9", "down", ("r", "ConfirmScreen"))


async def test_a_first_start_makes_a_new_network(tmp_path):
    home = tmp_path / "front-desk"
    setup = SetupApp(home)
    async with setup.run_test(size=(80, 24)) as pilot:
        await pilot.click("#new")
        await until(pilot, lambda: isinstance(setup.screen, FormScreen))
        await save_form(setup, pilot)
        assert "名称" in error_of(setup) and not replica_path(home).exists()
        await paste(pilot, "#hub", "东湖孵化园")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: setup.return_value is not None)
    assert setup.return_value is True
    store = opened(home)
    try:
        assert [m["role"] for m in queries.members(store.db)] == ["hub"]
        assert [name for name, _id in queries.hub_options(store.db)] == ["东湖孵化园"]
    finally:
        store.close()
