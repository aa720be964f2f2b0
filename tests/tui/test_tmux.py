"""End to end: the installed `incubator` in a real terminal (tmux), as a person uses it."""

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from incubator.store import queries
from incubator.store.home import replica_path

from ..conftest import NOW

INCUBATOR = Path(sys.executable).parent / "incubator"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def screen_of(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_until(what: str, holds, seconds: float = 40):
    """Poll until `holds()` returns something true (the screen, a state); return it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := holds():
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} never happened")


def wait_for(session: str, text: str, seconds: float = 40) -> str:
    """The screen, once it shows `text`."""

    def shown() -> str | None:
        screen = screen_of(session)
        return screen if text in screen else None

    try:
        return wait_until(repr(text), shown, seconds)
    except AssertionError:
        raise AssertionError(f"{text!r} never appeared; the screen was:\n"
                             f"{screen_of(session)}") from None


def searched(screen: str, name: str) -> bool:
    """The list shows only what was searched for: its count is the rows holding `name`."""
    count = re.search(r"共 (\d+) 个组织", screen)
    rows = [line for line in screen.splitlines()
            if re.match(r"\s*[0-9a-f]{12}\s", line) and name in line]  # id, then name
    return bool(count) and 0 < len(rows) == int(count[1]) < 40


def keys(session: str, *pressed: str) -> None:
    """Keys as tmux names them (Tab, BTab, Enter, C-s …) and text in «…», sent one right
    after the other: nothing waits between them."""
    for key in pressed:
        if key.startswith("«"):
            tmux("send-keys", "-t", session, "-l", key.strip("«»"))
        else:
            tmux("send-keys", "-t", session, key)


def line_of(screen: str, name: str) -> str:
    return next((line for line in screen.splitlines() if line.lstrip().startswith(name)), "")


@contextmanager
def app_in_tmux(home):
    """The installed app on `home` in a 120×40 tmux session; the session's name."""
    assert shutil.which("tmux"), "tmux is required (CI installs it: apt-get install -y tmux)"
    assert INCUBATOR.exists(), f"{INCUBATOR} is not installed"
    session = f"incubator-{uuid.uuid4().hex[:8]}"
    env = f"INCUBATOR_HOME={home} INCUBATOR_NOW={NOW.isoformat()} TERM=xterm-256color"
    # without COLUMNS and LINES (a test run may have set them): the app takes the window's
    # size, as in a person's terminal
    tmux("-u", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
         f"env -u COLUMNS -u LINES {env} {INCUBATOR}")
    try:
        wait_for(session, "首页")
        yield session
        keys(session, "q")
        wait_until("the app quitting", lambda: subprocess.run(
            ["tmux", "has-session", "-t", session], capture_output=True).returncode != 0,
            seconds=10)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def wait_shown(session: str, what: str, holds) -> None:
    """Until `holds(the screen)`; a failure shows the screen."""
    try:
        wait_until(what, lambda: holds(screen_of(session)))
    except AssertionError:
        raise AssertionError(f"{what} never happened; the screen was:\n"
                             f"{screen_of(session)}") from None


def wait_for_search(session: str, text: str, name: str) -> None:
    wait_shown(session, f"the search for {text} showing only {name}",
               lambda screen: searched(screen, name))


def test_search_open_and_quit_in_tmux(demo_home):
    """Keys go in bursts, as a person types them: no pause between the keys of the search
    and the two Enters (to the results, then open); the test waits only for what the
    screen shows."""
    with app_in_tmux(demo_home) as session:
        keys(session, "F2")
        wait_for(session, "共 40 个组织")
        keys(session, "/", "«书画社»")
        wait_for_search(session, "书画社", "书画社")
        keys(session, "Enter", "Enter")  # to the results, then open
        wait_for(session, "概况")
    assert os.path.exists(demo_home / "replica.sqlite")


NEW = "阿福书画社"  # first in pinyin order (a): the first row of its hub's grid and cases


def stored_months(home, name: str) -> list[str]:
    """The months scored for the organization called `name`, as the replica holds them
    (a toast may come and go between two looks at a busy terminal; the replica stays)."""
    reader = queries.open_reader(replica_path(home))
    try:
        org = next((row for row in queries.organizations(reader) if row["name"] == name),
                   None)
        return [] if org is None else sorted(
            s["month"] for s in queries.scores(reader, org_id=org["id"]))
    finally:
        reader.conn.close()


def test_register_score_interview_and_find_by_initials_in_tmux(demo_home):
    """A front-desk morning at full speed: every field of a form, a picker's filter and
    the Tabs between them go in one burst; the test waits only for screens to show.
    Registered (entered in July), scored 5 of 10 in three months in the grid, called in
    for the warning interview that makes, and found again by 'afshs'."""
    with app_in_tmux(demo_home) as session:
        keys(session, "F2")
        wait_for(session, "共 40 个组织")
        keys(session, "n")
        wait_for(session, "入驻登记")
        # name, Tab, the category's picker opened, filtered and chosen, three Tabs to
        # the date of entry, save: one burst
        keys(session, f"«{NEW}»", "Tab", "Enter", "«文化»", "Enter", "Tab", "Tab", "Tab",
             "«2026-07-01»", "C-s")
        shown = wait_for(session, "入驻日期：2026-07-01")
        assert f"{NEW}  (" in shown and "类别：文化艺术" in shown, shown

        keys(session, "F3")  # its hub's grid is the first hub's (公益慈善孵化中心)
        wait_shown(session, "the new organization's empty row",
                   lambda screen: "0-2" in line_of(screen, NEW))
        to_cells = ("Tab", "Tab", "Tab")  # from the hub picker: the month, Save, a cell
        for month in ("2026-10", "2026-09", "2026-08"):
            if month != "2026-10":  # back from the fifth cell to the month, typed over
                keys(session, *["BTab"] * 6, f"«{month}»")
                wait_shown(session, f"the grid of {month}", lambda screen: "0-2" in line_of(
                    screen, NEW))
                to_cells = ("Tab", "Tab")
            keys(session, *to_cells, "«1»", "Tab", "«1»", "Tab", "«1»", "Tab", "«1»", "Tab",
                 "«1»", "C-s")
            wait_shown(session, f"the scores of {month} saved", lambda screen: line_of(
                screen, NEW).split()[1:] == ["1"] * 5 + ["5/10"])
            wait_until(f"the scores of {month} in the replica",
                       lambda: month in stored_months(demo_home, NEW))

        keys(session, "F4")  # three months below 6: a case that needs an interview
        wait_shown(session, "the new case",
                   lambda screen: "需约谈提醒" in line_of(screen, NEW))
        keys(session, "i")
        wait_for(session, f"约谈提醒：{NEW}")
        keys(session, "Tab", "Tab", "«主任约谈，限期一个月整改»", "C-s")
        wait_shown(session, "the interview recorded",
                   lambda screen: "整改中" in line_of(screen, NEW))

        keys(session, "F2")  # the list still has the new organization open
        wait_for(session, f"{NEW}  (")
        keys(session, "Escape")
        wait_for(session, "共 41 个组织")
        keys(session, "/", "«afshs»")
        wait_for_search(session, "afshs", NEW)
        keys(session, "Enter", "Enter")  # to the results, then open it
        wait_for(session, f"{NEW}  (")

    reader = queries.open_reader(replica_path(demo_home))
    org = next(row for row in queries.organizations(reader) if row["name"] == NEW)
    assert (org["category"], org["entered"]) == ("culture", "2026-07-01")
    assert stored_months(demo_home, NEW) == ["2026-08", "2026-09", "2026-10"]
    assert [i["note"] for i in queries.interviews(reader, org["id"])] == [
        "主任约谈，限期一个月整改"]
