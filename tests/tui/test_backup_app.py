"""Back up now from the Sync screen: a file that restores to the same data (by the very
command the screen shows), an existing file replaced only after saying yes, folders that
cannot take the file refused in plain words with nothing written."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from textual.widgets import Input, Label, Static

from incubator.screens.app import IncubatorApp
from incubator.screens.sync.backup import BackupForm
from incubator.screens.sync.screen import SyncScreen
from incubator.screens.widgets.confirm import ConfirmScreen
from incubator.screens.widgets.progress import PlainProgressBar
from incubator.store.commands import Store

from ..cli.test_cli import run
from ..conftest import NOW
from .helpers import palette_choose, notices, until


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this user cannot write in (root writes anywhere but in /sys)."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o500)
    return folder


def query_tables(home: Path) -> dict:
    store = Store.open(home, clock=lambda: NOW)
    try:
        return store.replica.dump_query_tables()
    finally:
        store.close()


async def start_backup(app, pilot, path) -> None:
    await pilot.press("b")
    await until(pilot, lambda: isinstance(app.screen, BackupForm))
    field = app.screen.query_one("#path", Input)
    field.value = str(path)
    await pilot.press("ctrl+s")


def error_of(app) -> str:
    return str(app.screen.query_one("#error", Label).render())


async def test_backup_restores_to_the_same_data_and_overwrites_only_when_agreed(
        demo_home, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    target = tmp_path / "备份" / "前台.db"
    app = IncubatorApp(demo_home, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        # by name from the dashboard: the Sync screen opens with the form; the file is by
        # default a dated name in the home folder
        await pilot.press("ctrl+p")
        await palette_choose(pilot, "立即备份")
        await until(pilot, lambda: isinstance(app.screen, BackupForm))
        assert isinstance(app.screen_stack[-2], SyncScreen)
        assert app.focused is app.screen.query_one("#path", Input)
        assert app.screen.query_one("#path", Input).value == str(
            tmp_path / "incubator-backup-2026-11-15.db")
        await pilot.press("escape")

        # a folder that does not exist, one that takes no file: named, nothing written
        await start_backup(app, pilot, target)
        await until(pilot, lambda: "文件夹存在吗" in error_of(app))
        blocked = unwritable_folder(tmp_path)
        app.screen.query_one("#path", Input).value = str(blocked / "前台.db")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: f"无法在文件夹 {blocked} 中写入" in error_of(app))
        assert not (blocked / "前台.db").exists()
        await pilot.press("escape")

        target.parent.mkdir()
        await start_backup(app, pilot, target)
        note = app.screen.query_one("#backup-note", Static)
        await until(pilot, lambda: note.display)
        bar = app.screen.query_one(PlainProgressBar)
        assert bar.total and bar.progress == bar.total
        assert not app.screen.query_one("#progress-row").display
        shown = str(note.render())
        assert any(f"已备份到 {target}" in n for n in notices(app))
        assert (f"incubator --home {shlex.quote(str(demo_home))} restore "
                f"{shlex.quote(str(target))} --replace") in shown

        # again to the same file: asked first; No keeps the file, Yes replaces it
        target.write_bytes(b"what the person keeps there")
        await start_backup(app, pilot, target)
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # Cancel has the focus
        await until(pilot, lambda: isinstance(app.screen, BackupForm))
        assert target.read_bytes() == b"what the person keeps there"
        assert "已存在" in error_of(app)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("tab", "enter")  # from Cancel to Replace
        await until(pilot, lambda: isinstance(app.screen, SyncScreen))
        await until(pilot, lambda: target.read_bytes()[:16] == b"SQLite format 3\x00")

    # the command the screen shows, for another folder, restores the same data
    elsewhere = next(line for line in shown.splitlines() if "NEW_FOLDER" in line)
    restored = tmp_path / "restored"
    args = shlex.split(elsewhere.replace("NEW_FOLDER", shlex.quote(str(restored))))
    assert args[0] == "incubator"
    run(*args[1:])
    assert query_tables(restored) == query_tables(demo_home)
