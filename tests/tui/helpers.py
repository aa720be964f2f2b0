"""What the area tests share: notices shown, residents of the demo, a low month, snapshots."""

from textual import events

from incubator.screens.actions import AREAS
from incubator.screens.app import IncubatorApp
from incubator.screens.widgets.confirm import ConfirmScreen
from incubator.store.commands import Store

from ..conftest import NOW

LOW = {"plan": 1, "cleanliness": 1, "activities": 1, "archives": 1, "party": 1}
SIZES = {"argnames": "size", "argvalues": [(80, 24), (120, 40)], "ids": ["80x24", "120x40"]}


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def open_store(home) -> Store:
    return Store.open(home, clock=lambda: NOW)


def residents(home, hub_name=None, without_interview=True):
    """Resident organizations that entered before August 2026, by hub and name."""
    store = open_store(home)
    sql = ("SELECT o.id, o.name, h.id AS hub_id, h.name AS hub FROM organizations o "
           "JOIN hubs h ON h.id = o.hub_id WHERE o.stage IN ('startup', 'growth') "
           "AND o.entered < '2026-08-01'")
    if without_interview:
        sql += " AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.org_id = o.id)"
    rows = [dict(r) for r in store.db.query(sql + " ORDER BY h.name, o.name")]
    store.close()
    return [r for r in rows if hub_name is None or r["hub"] == hub_name]


def rows(table) -> list[tuple]:
    """The table's cells as plain strings (cells may be rich Text)."""
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


def snapshot(snap_compare, home, mode: str, size) -> bool:
    """The area `mode` on the demo replica with the frozen clock."""
    key = next(key for name, key, _t in AREAS if name == mode)
    return snap_compare(IncubatorApp(home, clock=lambda: NOW), press=[f"f{key}"],
                        terminal_size=size)


async def until(pilot, condition, seconds: float = 15) -> None:
    """Let the app run until `condition()` holds (a worker's message arrived, a screen
    finished mounting); a busy machine only makes it take longer."""
    for _step in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the condition never held")


async def palette_choose(pilot, text: str) -> None:
    """Type `text` into the open command palette and run the first hit once a hit that
    contains it is highlighted (the palette searches in the background; what it listed
    for the first characters typed may still show)."""
    from textual.command import CommandList

    def found() -> bool:
        shown = pilot.app.screen.query(CommandList)
        if not shown or shown.first().highlighted is None:
            return False
        listed = shown.first()
        return text in str(listed.get_option_at_index(listed.highlighted).prompt)

    await pilot.press(*text)
    await until(pilot, found)
    await pilot.press("enter")


async def confirm(app, pilot, *, yes: bool = True) -> str:
    """Answer the question on screen as a person does (Tab to the confirming button and
    Enter, or Esc); the question's text."""
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    asked = str(app.screen.query_one("#consequences").render())
    await pilot.press(*(("tab", "enter") if yes else ("escape",)))
    await app.workers.wait_for_complete()
    await pilot.pause()
    return asked


def key_event(key: str) -> events.Key:
    """The event a terminal's key press becomes (as `Pilot.press` makes it)."""
    return events.Key(key, key if len(key) == 1 else None)


async def type_ahead(pilot, *keys: str) -> None:
    """Keys as a terminal delivers a fast typist's burst: every one of them is queued
    before the app handles the first (`Pilot.press` waits for the app to be idle after
    each key, which no person does), then the app runs until it has handled them."""
    for key in keys:
        pilot.app.post_message(key_event(key))
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
