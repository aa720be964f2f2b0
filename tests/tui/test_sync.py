"""同步 driven through Pilot against real replicas: sync now with a real server on
127.0.0.1, an unreachable peer, serving and stopping, refusals, the dashboard figure."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest
from textual.widgets import DataTable

from incubator.i18n import _
from incubator.screens.actions import palette_actions
from incubator.screens.app import IncubatorApp
from incubator.screens.dashboard.screen import Figure
from incubator.present.sync import round_summary, size_text, when_text
from incubator.screens.sync.screen import SyncScreen
from incubator.screens.widgets.progress import PlainProgressBar
from incubator.store import queries
from incubator.sync.bundle import export_bundle, import_bundle
from incubator.sync.peers import (
    SessionStats, log_event, record_session, record_session_opened, remember_address,
)
from incubator.store.identity import Card, new_identity
from incubator.store.commands import Store
from incubator.sync.service import sync_round
from incubator.sync.transport import SyncServer

from ..conftest import NOW
from ..sync.helpers import hub_and_member
from .helpers import SIZES, notices, rows, until
from .test_snapshots import shoot

MEMBER = "外勤笔记本"


def opened(home) -> Store:
    return Store.open(home, clock=lambda: NOW)


class ServerThread:
    """A real SyncServer for the replica in `home` on 127.0.0.1 (a free port), with its
    own event loop on its own thread and its own connection."""

    def __init__(self, home) -> None:
        self.home = home
        self.port = 0
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop: asyncio.Event | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        store = opened(self.home)
        server = SyncServer(store.replica)
        try:
            _host, self.port = await server.start("127.0.0.1", 0)
            self.loop, self.stop = asyncio.get_running_loop(), asyncio.Event()
            self.ready.set()
            await self.stop.wait()
        finally:
            await server.close()
            store.close()

    def __enter__(self) -> ServerThread:
        self.thread.start()
        assert self.ready.wait(10), "the test server did not start"
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)


@pytest.fixture
def network(tmp_path):
    """(hub home, member home, member device ID): the hub added the member as a field
    device; the member has synced nothing yet."""
    hub, member = hub_and_member(tmp_path, "field", MEMBER)
    member_id = member.replica.identity.device_id
    hub_id = hub.replica.identity.device_id
    hub.close()
    member.close()
    return tmp_path / "hub", tmp_path / MEMBER, member_id, hub_id


def give_address(home, device_id: str, port: int) -> None:
    store = opened(home)
    remember_address(store.replica, device_id, f"127.0.0.1:{port}")
    store.close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def device_rows(app) -> dict[str, tuple]:
    return {row[0]: row for row in rows(app.screen.query_one("#devices", DataTable))}


async def open_sync(app, pilot) -> None:
    await pilot.press("f9")
    await pilot.pause()
    assert isinstance(app.screen, SyncScreen)


def hub_app(home) -> IncubatorApp:
    return IncubatorApp(home, clock=lambda: NOW)


class TestSyncNow:
    async def test_syncs_two_real_replicas_and_the_table_updates(self, network):
        hub_home, member_home, member_id, _hub_id = network
        with ServerThread(member_home) as server:
            give_address(hub_home, member_id, server.port)
            app = hub_app(hub_home)
            async with app.run_test(size=(120, 40)) as pilot:
                await open_sync(app, pilot)
                assert device_rows(app)[MEMBER][2] == when_text(None, NOW)
                await pilot.press("n")
                await app.workers.wait_for_complete()
                await pilot.pause()
                row = device_rows(app)[MEMBER]
                assert when_text(NOW.isoformat(), NOW) in row[2]
                assert row[3] != size_text(0) and row[4] != size_text(0)
                assert row[6] == ""
                bar = app.screen.query_one(PlainProgressBar)
                assert (bar.progress, bar.total) == (1, 1)
                assert not app.screen.query_one("#progress-row").display
                done = queries.sync_peers(app.reader)[0]
                expected, _severity = round_summary([{
                    "device_id": member_id, "name": MEMBER, "error": None, "refused": [],
                    "docs_sent": done["docs_sent"], "docs_received": done["docs_received"]}])
                assert expected in notices(app)
                assert done["docs_sent"] > 0
        member = opened(member_home)
        assert [m["name"] for m in queries.members(member.db)] == sorted(["东湖前台", MEMBER])
        member.close()

    async def test_an_unreachable_peer_is_reported_in_plain_words(self, network):
        hub_home, _member_home, member_id, _hub_id = network
        give_address(hub_home, member_id, closed_port())
        app = hub_app(hub_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_sync(app, pilot)
            await pilot.press("n")
            await app.workers.wait_for_complete()
            await pilot.pause()
            lead = _("Could not sync with {device}: {error}").format(device=MEMBER, error="")
            failed = [n for n in app._notifications if lead in str(n.message)]
            assert failed and failed[0].severity == "error", notices(app)
            assert _("Check that the other device is switched on, on the same network "
                     "and serving sync (v on its sync screen)") in str(failed[0].message)
            row = device_rows(app)[MEMBER]
            assert row[2] == when_text(None, NOW) and row[6]
            await pilot.press("f1")
            await pilot.pause()
            figure = next(f for f in app.screen.query(Figure) if MEMBER in str(f.label))
            assert figure.has_class("alert")

    async def test_without_an_address_nothing_is_tried(self, network):
        hub_home, *_rest = network
        app = hub_app(hub_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_sync(app, pilot)
            await pilot.press("n")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert any(n.severity == "error" for n in app._notifications), notices(app)
            assert app.screen.syncing is False

    async def test_sync_now_is_offered_by_the_command_palette(self, network):
        hub_home, *_rest = network
        app = hub_app(hub_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_sync(app, pilot)
            offered = dict(palette_actions(app.screen))
            assert offered[_("Sync now")] == "sync_now"
            assert offered[_("Serving on or off")] == "toggle_serve"


class TestServe:
    async def test_serve_accepts_a_member_and_stops(self, network, monkeypatch):
        hub_home, member_home, _member_id, hub_id = network
        monkeypatch.setattr(SyncScreen, "SERVE_HOST", "127.0.0.1")
        monkeypatch.setattr(SyncScreen, "SERVE_PORT", 0)
        app = hub_app(hub_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_sync(app, pilot)
            await pilot.press("v")
            await until(pilot, lambda: app.screen.serving_port is not None)
            port = app.screen.serving_port
            assert str(port) in str(app.screen.query_one("#serving").render())
            assert app.screen.serving.every_minutes == SyncScreen.BACKGROUND_MINUTES > 0

            def member_syncs() -> list[dict]:
                member = opened(member_home)
                try:
                    return [r.as_dict() for r in sync_round(
                        member.replica, hub_id, f"127.0.0.1:{port}")]
                finally:
                    member.close()

            results = await asyncio.to_thread(member_syncs)
            assert results[0]["error"] is None and results[0]["docs_received"] > 0
            # the session was written by the server's own connection: the poll shows it
            await until(pilot, lambda: when_text(NOW.isoformat(), NOW)
                        in device_rows(app)[MEMBER][2])
            await pilot.press("v")
            await until(pilot, lambda: app.screen.serving is None)
            await app.workers.wait_for_complete()
            assert app.screen.serving_port is None and app.screen.serving is None
            assert _("Stopped serving sync") in notices(app)
            with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), 2):
                pass

    async def test_a_background_round_runs_while_serving(self, network, monkeypatch):
        hub_home, member_home, member_id, _hub_id = network
        monkeypatch.setattr(SyncScreen, "SERVE_HOST", "127.0.0.1")
        monkeypatch.setattr(SyncScreen, "SERVE_PORT", 0)
        monkeypatch.setattr(SyncScreen, "BACKGROUND_MINUTES", 0.005)  # 0.3 seconds
        with ServerThread(member_home) as server:
            give_address(hub_home, member_id, server.port)
            app = hub_app(hub_home)
            async with app.run_test(size=(120, 40)) as pilot:
                await open_sync(app, pilot)
                sync = app.screen
                await pilot.press("v")
                await until(pilot, lambda: sync.serving_port is not None)
                await pilot.press("f1")  # the rounds go on while another area is shown
                # a background round's summary (the server's own start is activity too)
                finished = _("Background sync {when}: {outcome}").format(
                    when=when_text(NOW.isoformat(), NOW), outcome="")
                await until(pilot, lambda: sync.last_activity.startswith(finished))
                assert not isinstance(app.screen, SyncScreen)
                await pilot.press("f9")
                await pilot.pause()
                assert when_text(NOW.isoformat(), NOW) in device_rows(app)[MEMBER][2]
                await pilot.press("v")
                await until(pilot, lambda: sync.serving is None)


class TestRefusals:
    async def test_refusals_are_listed_newest_first(self, network):
        hub_home, _member_home, member_id, _hub_id = network
        store = opened(hub_home)
        log_event(store.replica, member_id, "refused", "第一个原因", doc_id="org:aaa")
        log_event(store.replica, member_id, "synced")
        log_event(store.replica, None, "refused", "第二个原因")
        store.close()
        app = hub_app(hub_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_sync(app, pilot)
            shown = rows(app.screen.query_one("#refusals", DataTable))
            assert [row[1:] for row in shown] == [
                (_("unknown device"), "", "第二个原因"),
                (MEMBER, "org:aaa", "第一个原因")]
            assert not app.screen.query_one("#no-refusals").display


class TestStatusTellsTheTruth:
    async def test_online_only_while_a_session_is_connected_and_a_bundle_counts(
            self, network, tmp_path, shanghai_time):
        """在线 while a session is open, not for minutes after it; a USB bundle from a
        peer is contact with it (U盘 今天 17:30), not 从未同步."""
        hub_home, member_home, member_id, hub_id = network
        app = hub_app(hub_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_sync(app, pilot)
            assert device_rows(app)[MEMBER][2] == "从未同步"
            store, member = opened(hub_home), opened(member_home)
            export_bundle(store.replica, [member_id], tmp_path / "first.bundle", full=True)
            import_bundle(member.replica, tmp_path / "first.bundle")  # (the member list)
            export_bundle(member.replica, [hub_id], tmp_path / "stick.bundle")
            member.close()
            import_bundle(store.replica, tmp_path / "stick.bundle")
            await until(pilot, lambda: device_rows(app)[MEMBER][2] == "U盘 今天 17:30")
            record_session_opened(store.replica, member_id)
            await until(pilot, lambda: device_rows(app)[MEMBER][2] == "在线")
            record_session(store.replica, member_id, SessionStats(docs_received=1), None)
            await until(pilot, lambda: device_rows(app)[MEMBER][2] == "今天 17:30")
            store.close()
            await pilot.press("f1")
            await pilot.pause()
            assert f"{MEMBER}：今天 17:30" in [str(f.label) for f in app.screen.query(Figure)]


class TestDashboardFigure:
    async def test_never_synced_then_synced_and_the_figure_opens_sync(self, network):
        hub_home, member_home, member_id, _hub_id = network
        app = hub_app(hub_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()

            def figure() -> Figure:
                return next(f for f in app.screen.query(Figure) if MEMBER in str(f.label))

            assert str(figure().label) == _("{device}: {when}").format(
                device=MEMBER, when=when_text(None, NOW))
            with ServerThread(member_home) as server:
                give_address(hub_home, member_id, server.port)
                store = opened(hub_home)
                await asyncio.to_thread(lambda: sync_round(store.replica))
                store.close()
            await until(pilot, lambda: when_text(NOW.isoformat(), NOW) in str(figure().label))
            assert not figure().has_class("alert")
            await pilot.pause()
            await pilot.click(figure())
            await pilot.pause()
            assert isinstance(app.screen, SyncScreen)


def add_snapshot_peer(home) -> None:
    """A second member (a reproducible identity) and one refused document."""
    store = opened(home)
    card = Card.of(new_identity(MEMBER, b"tui-snapshot-peer"))
    store.add_member(card, "field")
    log_event(store.replica, card.device_id, "refused",
              "外勤笔记本 may not change this hub (a field device edits only organizations)",
              doc_id="hub:demo")
    store.close()


def test_local_times_are_shown_in_the_local_zone(shanghai_time):
    assert when_text("2026-11-15T09:30:00+00:00", NOW) == _("today {time}").format(time="17:30")
    assert when_text("2026-11-14T17:00:00+00:00", NOW) == _("today {time}").format(time="01:00")
    assert when_text("2026-11-14T09:00:00+00:00", NOW) == _("yesterday {time}").format(
        time="17:00")
    assert when_text("2026-10-01T01:02:00+00:00", NOW) == "2026-10-01 09:02"
    assert when_text(None, NOW) == _("never synced")


@pytest.mark.parametrize(**SIZES)
def test_snapshot_with_a_peer(snap_compare, demo_home, size, shanghai_time):
    add_snapshot_peer(demo_home)
    assert shoot(snap_compare, demo_home, size, "9")
