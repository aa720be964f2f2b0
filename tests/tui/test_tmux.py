"""End to end: the installed `incubator` in a real terminal (tmux), as a person uses it."""

import os
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


def wait_for(session: str, text: str, seconds: float = 40) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def test_search_open_and_quit_in_tmux(demo_home):
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
        screen = wait_for(session, "个组织")
        deadline = time.monotonic() + 30
        while "共 40 个组织" in screen and time.monotonic() < deadline:
            time.sleep(0.2)
            screen = tmux("capture-pane", "-p", "-t", session)
        rows = [line for line in screen.splitlines() if "书画社" in line]
        assert rows and "共 40 个组织" not in screen
        tmux("send-keys", "-t", session, "Enter")  # from the search box to the results
        for _attempt in range(3):  # the focus moves asynchronously: retry the second Enter
            time.sleep(0.5)
            tmux("send-keys", "-t", session, "Enter")
            try:
                wait_for(session, "概况", seconds=8)
                break
            except AssertionError:
                continue
        wait_for(session, "概况")
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(["tmux", "has-session", "-t", session],
                              capture_output=True).returncode != 0:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the app did not quit")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert os.path.exists(demo_home / "replica.sqlite")
