"""End to end: the installed `incubator` in a real terminal (tmux), as a person uses it."""

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

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


def searched(screen: str) -> bool:
    """The list shows only what 书画社 finds: its count is the rows holding 书画社."""
    count = re.search(r"共 (\d+) 个组织", screen)
    rows = [line for line in screen.splitlines()
            if re.match(r"\s*[0-9a-f]{12}\s", line) and "书画社" in line]  # id, then name
    return bool(count) and 0 < len(rows) == int(count[1]) < 40


def test_search_open_and_quit_in_tmux(demo_home):
    """Keys go in bursts, as a person types them: no pause between the keys of the search
    and the two Enters (to the results, then open); the test waits only for what the
    screen shows."""
    assert shutil.which("tmux"), "tmux is required (CI installs it: apt-get install -y tmux)"
    assert INCUBATOR.exists(), f"{INCUBATOR} is not installed"
    session = f"incubator-{uuid.uuid4().hex[:8]}"
    env = f"INCUBATOR_HOME={demo_home} INCUBATOR_NOW={NOW.isoformat()} TERM=xterm-256color"
    tmux("-u", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", f"env {env} {INCUBATOR}")
    try:
        wait_for(session, "首页")
        tmux("send-keys", "-t", session, "F2")
        wait_for(session, "共 40 个组织")
        tmux("send-keys", "-t", session, "/")
        tmux("send-keys", "-t", session, "-l", "书画社")
        wait_until("the search for the whole text", lambda: searched(screen_of(session)))
        tmux("send-keys", "-t", session, "Enter", "Enter")  # to the results, then open
        wait_for(session, "概况")
        tmux("send-keys", "-t", session, "q")
        wait_until("the app quitting", lambda: subprocess.run(
            ["tmux", "has-session", "-t", session], capture_output=True).returncode != 0,
            seconds=10)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert os.path.exists(demo_home / "replica.sqlite")
