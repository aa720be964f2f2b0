"""The Sync screen watches a shared folder in the background (`f`) and says what it did."""

from __future__ import annotations

from textual.widgets import Input

from incubator.screens.app import IncubatorApp
from incubator.screens.sync.folder import FolderLine
from incubator.screens.widgets.form import FormScreen
from incubator.store import queries
from incubator.sync.folder import FolderSync

from ..conftest import NOW
from ..sync.helpers import hub_and_member
from .helpers import notices, until


async def test_the_sync_screen_watches_a_folder_imports_and_stops(tmp_path):
    hub, other = hub_and_member(tmp_path, role="hub", name="西山中心")
    box = tmp_path / "Sync"
    box.mkdir()
    other_home = other.replica.path.parent
    other.close()
    app = IncubatorApp(other_home, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f9")
        line = app.screen.query_one(FolderLine)
        assert "f" in str(line.render())
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#path", Input).value = str(box)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: line.root == box)
        assert "西山中心" not in str(line.render()) and str(box) in str(line.render())
        hub_id = hub.db.conn.execute("SELECT id FROM hubs").fetchone()[0]
        await until(pilot, lambda: (box / ".stignore").exists())
        hub.add_org("东湖村书画社", "culture", hub_id, entered="2024-01-01")
        assert FolderSync(hub.port, box).run().written  # the screen's device takes part
        await until(pilot, lambda: "已导入" in str(line.render()))
        await until(pilot, lambda: [o["name"] for o in queries.organizations(app.reader)]
                    == ["东湖村书画社"])
        await pilot.press("f")
        await until(pilot, lambda: line.root is None and line.stop is None)
        assert any("已停止监视" in n for n in notices(app))
    hub.close()
