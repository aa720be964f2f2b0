"""USB bundles from the Sync screen: export on the hub, import on the laptop, refusals."""

from textual.widgets import Input

from incubator.screens.app import IncubatorApp
from incubator.screens.widgets.form import FormScreen
from incubator.store import queries
from incubator.store.commands import Store

from ..conftest import NOW
from ..sync.helpers import hub_and_member
from .helpers import notices


class TestBundles:
    async def wait_for(self, pilot, condition, what: str) -> None:
        for _ in range(100):
            await pilot.pause(0.1)
            if condition():
                return
        raise AssertionError(f"{what} did not happen within 10 s")

    async def run_form(self, app, pilot, key: str, path) -> None:
        await pilot.press("f9")
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#path", Input).value = str(path)
        await pilot.press("ctrl+s")

    async def test_a_bundle_goes_from_the_hub_screen_to_the_laptop_screen(self, tmp_path):
        hub, laptop = hub_and_member(tmp_path, role="field")
        hub_id = hub.db.conn.execute("SELECT id FROM hubs").fetchone()[0]
        hub.add_org("东湖村书画社", "culture", hub_id, entered="2024-01-01")
        hub_home, laptop_home = hub.replica.path.parent, laptop.replica.path.parent
        hub.close()
        laptop.close()
        stick = tmp_path / "stick.bundle"

        app = IncubatorApp(hub_home, clock=lambda: NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await self.run_form(app, pilot, "x", stick)
            await self.wait_for(pilot, lambda: any("已写入" in n for n in notices(app)),
                                "the export")
        assert stick.exists()

        app = IncubatorApp(laptop_home, clock=lambda: NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await self.run_form(app, pilot, "i", stick)
            await self.wait_for(pilot, lambda: any("已导入" in n for n in notices(app)),
                                "the import")
            message = next(n for n in notices(app) if "已导入" in n)
            assert "东湖前台" in message and "东湖村书画社" in message
        merged = Store.open(laptop_home, clock=lambda: NOW)
        assert [o["name"] for o in queries.organizations(merged.db)] == ["东湖村书画社"]
        merged.close()

    async def test_a_damaged_file_is_refused_in_plain_words(self, tmp_path):
        hub, laptop = hub_and_member(tmp_path, role="field")
        laptop_home = laptop.replica.path.parent
        hub.close()
        laptop.close()
        junk = tmp_path / "junk.bundle"
        junk.write_bytes(b"not a bundle")
        app = IncubatorApp(laptop_home, clock=lambda: NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await self.run_form(app, pilot, "i", junk)
            await self.wait_for(pilot, lambda: any("不是同步包" in n for n in notices(app)),
                                "the refusal")

    async def test_a_path_that_does_not_exist_keeps_the_form_open(self, tmp_path):
        hub, laptop = hub_and_member(tmp_path, role="field")
        laptop_home = laptop.replica.path.parent
        hub.close()
        laptop.close()
        app = IncubatorApp(laptop_home, clock=lambda: NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await self.run_form(app, pilot, "i", tmp_path / "missing.bundle")
            await self.wait_for(pilot, lambda: any("missing.bundle" in n
                                                   for n in notices(app)), "the refusal")
            assert isinstance(app.screen, FormScreen)
            assert app.screen.query_one("#path", Input).value.endswith("missing.bundle")
