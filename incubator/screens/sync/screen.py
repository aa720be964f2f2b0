"""同步: the members of the network and when each last synced; sync now, serve; pair
devices (this device's card and QR code, add and revoke members); back up.

`x` and `i` write and read USB bundles (with progress and a summary of what arrived).
`n` runs one round with every member that has an address, in a thread worker with
its own connection and event loop; the progress bar counts the devices done. `v`
serves sync to the other devices (the `SyncService` of `sync serve`, on its own event
loop in a thread worker), which also runs a round in the background every few minutes.
What the sessions write reaches this screen like any other change: the app polls
SQLite's data_version. `c` shows this device's card, `a` adds a member from its card, `r`
revokes the highlighted member after saying what that does, `b` backs up (in a thread
worker with progress) and then shows the `incubator restore` commands for the file.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Footer, Label, Static

from ...domain.device import short_device_id
from ...domain.errors import DomainError
from ...domain.membership import check_revocable
from ...i18n import N_, _
from ...present.labels import member_role_text, role_text
from ...present.paths import usable_file
from ...present.sync import (
    device_text, export_text, import_text, peer_status, round_summary, size_text, when_text,
)
from ...store import queries
from ...store.commands import Store
from ...sync.bundle import export_bundle, import_bundle
from ...sync.service import SyncService
from ...sync.transport import DEFAULT_PORT, PeerResult, reachable_members, sync_all
from ..actions import SYNC_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..widgets.chrome import AppHeader
from ..widgets.confirm import ConfirmScreen
from ..widgets.progress import PlainProgressBar
from ..widgets.tables import data_table
from .backup import BackupForm, restore_commands
from .bundles import export_form, export_request, import_form
from .folder import FolderLine
from .pairing import CardScreen, add_member_form, membership_text, revoke_text, why_not_manage

REFUSALS_SHOWN = 20

Clock = Callable[[], datetime]


@dataclass
class SyncProgress(Message):
    """`done` of `total` devices finished; `current` is being synced (None at the end)."""

    done: int
    total: int
    current: str | None


@dataclass
class SyncFinished(Message):
    results: list[dict]
    background: bool


@dataclass
class SyncFailed(Message):
    message: str
    background: bool


@dataclass
class ServeChanged(Message):
    """Serving started on `port`, or stopped (`port` None; `error` when it never started)."""

    port: int | None
    error: str | None = None


@dataclass
class ServeEvent(Message):
    line: str


@dataclass
class BundleProgress(Message):
    done: int
    total: int


@dataclass
class BackupProgress(Message):
    done: int  # pages copied
    total: int


@dataclass
class BackupDone(Message):
    """A backup was written to `path` (`error` None), or why not."""

    path: Path
    error: str | None = None


@dataclass
class BundleDone(Message):
    """A bundle was written or merged; `message` says what, in plain words."""

    message: str
    error: bool = False


class SyncScreen(AreaScreen):
    """Every device of the network, when each last synced, and what was refused."""

    CSS_PATH = "sync.tcss"
    ACTIONS = SYNC_ACTIONS
    BINDINGS = bindings(ACTIONS)
    SERVE_HOST = "0.0.0.0"
    SERVE_PORT = DEFAULT_PORT  # 0 picks a free port (tests)
    BACKGROUND_MINUTES = 5.0

    def __init__(self) -> None:
        super().__init__()
        self.syncing = False
        self.current_peer: str | None = None
        self.serving: SyncService | None = None
        self.serving_port: int | None = None
        self.last_activity = ""
        self.members: dict[str, dict] = {}

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("sync"), classes="area-title")
        yield Label("", id="membership", classes="hint", markup=False)
        yield Label("", id="serving", classes="hint", markup=False)
        yield FolderLine()
        yield data_table("devices", N_("Device"), N_("Role"), N_("Last sync"), N_("Bytes in"),
                         N_("Bytes out"), N_("Device ID"), N_("Last error"))
        with Horizontal(id="progress-row"):
            yield Label("", id="progress-label")
            yield PlainProgressBar(id="progress")
        yield Label(_("Recent refusals"), classes="section-title")
        yield Label(_("No device or document has been refused"), id="no-refusals",
                    classes="hint")
        yield data_table("refusals", N_("When"), N_("Device"), N_("Document"), N_("Reason"))
        yield Static("", id="backup-note", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress-row").display = False
        self.query_one("#backup-note").display = False
        self.show_serving()

    def on_unmount(self) -> None:
        if self.serving:
            self.serving.stop()

    # -- what the screen shows -------------------------------------------------

    def now(self) -> datetime:
        return self.store.clock()

    def refresh_data(self) -> None:
        now = self.now()
        table = self.query_one("#devices", DataTable)
        cursor = table.cursor_row
        table.clear()
        me = self.store.identity.device_id
        self.members = {member["device_id"]: member for member in queries.members(self.reader)}
        if me in self.members:
            table.add_row(self.members[me]["name"], role_text(self.members[me]["role"]),
                          _("this device"), "", "", short_device_id(me), "", key=me)
        self.query_one("#membership", Label).update(
            membership_text(self.members.get(me), self.store.identity))
        for peer in queries.sync_peers(self.reader):
            status = (_("syncing now") if peer["device_id"] == self.current_peer
                      else peer_status(peer, now))
            table.add_row(device_text(peer["name"], peer["device_id"]),
                          member_role_text(peer["role"], peer["revoked_at"]), status,
                          size_text(peer["bytes_received"]), size_text(peer["bytes_sent"]),
                          short_device_id(peer["device_id"]), peer["last_error"] or "",
                          key=peer["device_id"])
        if table.row_count:
            table.move_cursor(row=min(max(cursor, 0), table.row_count - 1))
        refusals = queries.sync_log(self.reader, REFUSALS_SHOWN, event="refused")
        shown = self.query_one("#refusals", DataTable)
        shown.clear()
        for entry in refusals:
            shown.add_row(when_text(entry["at"], now), device_text(entry["name"], entry["peer"]),
                          entry["doc_id"] or "", entry["detail"])
        shown.display = bool(refusals)
        self.query_one("#no-refusals").display = not refusals

    def show_serving(self) -> None:
        if self.serving_port is not None:
            text = _("Serving sync on port {port}; syncing with every member every {minutes} "
                     "minutes").format(port=self.serving_port,
                                       minutes=f"{self.BACKGROUND_MINUTES:g}")
            if self.last_activity:
                text += "\n" + self.last_activity
        elif self.serving is not None:
            text = _("Starting or stopping the sync server")
        else:
            text = _("Not serving: v lets the other devices sync with this one")
        self.query_one("#serving", Label).update(text)

    def show_progress(self, done: int, total: int) -> None:
        row = self.query_one("#progress-row")
        row.display = True
        self.query_one("#progress-label", Label).update(
            _("Syncing: {done} of {total} devices").format(done=done, total=total))
        self.query_one("#progress", PlainProgressBar).update(total=total or None,
                                                            progress=done)

    # -- sync now --------------------------------------------------------------

    def action_sync_now(self) -> None:
        self.start_round(background=False)

    def start_round(self, background: bool) -> None:
        if self.syncing:
            if not background:
                self.notify(_("A sync is already under way"), markup=False)
            return
        self.syncing = True
        self.show_progress(0, 0)
        self.sync_worker(self.incubator.home, self.store.clock, background)

    @work(thread=True, exclusive=True, group="sync")
    def sync_worker(self, home: Path, clock: Clock, background: bool) -> None:
        """One round, one device after the other, on this thread's own connection."""

        def progress(done: int, total: int, device: str | None) -> None:
            self.post_message(SyncProgress(done, total, device))

        try:
            store = Store.open(home, clock=clock)
            try:
                if not reachable_members(store.port):
                    raise DomainError("No device to sync with: no other member of this "
                                      "network has an address yet")
                results = [result.as_dict() for result in
                           asyncio.run(sync_all(store.port, progress=progress))]
            finally:
                store.close()
        except DomainError as error:
            self.post_message(SyncFailed(error.render(_), background))
        except (OSError, sqlite3.Error) as error:
            self.post_message(SyncFailed(str(error), background))
        else:
            self.post_message(SyncFinished(results, background))

    def on_sync_progress(self, event: SyncProgress) -> None:
        self.syncing = event.current is not None
        self.current_peer = event.current
        self.show_progress(event.done, event.total)
        self.refresh_data()

    def round_over(self) -> None:
        self.syncing = False
        self.current_peer = None
        self.query_one("#progress-row").display = False
        self.refresh_data()

    def on_sync_finished(self, event: SyncFinished) -> None:
        self.round_over()
        message, severity = round_summary(event.results)
        if event.background:
            self.last_activity = _("Background sync {when}: {outcome}").format(
                when=when_text(self.store.now_iso(), self.now()),
                outcome=message.splitlines()[0])
            self.show_serving()
            if severity == "information":
                return
        self.notify(message, severity=severity, timeout=10, markup=False)

    def on_sync_failed(self, event: SyncFailed) -> None:
        self.round_over()
        if event.background:
            self.last_activity = event.message
            self.show_serving()
        else:
            self.notify(_("Not synced: {message}").format(message=event.message),
                        severity="error", timeout=10, markup=False)

    # -- USB bundles -------------------------------------------------------------

    def action_export_bundle(self) -> None:
        members = queries.members(self.reader)
        me = self.store.identity.device_id
        self.app.push_screen(export_form(members, me, self.today), lambda values: values and
                             self.bundle_worker(self.incubator.home, self.store.clock,
                                                "export", values, members))

    def action_import_bundle(self) -> None:
        self.app.push_screen(import_form(self.today), lambda values: values and
                             self.bundle_worker(self.incubator.home, self.store.clock,
                                                "import", values, []))

    @work(thread=True, exclusive=True, group="bundle")
    def bundle_worker(self, home: Path, clock: Clock, direction: str, values: dict,
                      members: list[dict]) -> None:
        """Write or merge a bundle on this thread's own connection, reporting progress."""
        progress = lambda done, total: self.post_message(BundleProgress(done, total))  # noqa: E731
        try:
            store = Store.open(home, clock=clock)
            try:
                if direction == "export":
                    path, recipients, full = export_request(
                        values, members, store.identity.device_id)
                    message = export_text(export_bundle(store.port, recipients, path,
                                                        full=full, progress=progress))
                else:
                    arrived = import_bundle(store.port, usable_file(values["path"],
                                                                    must_exist=True),
                                            progress=progress)
                    message = import_text(arrived)
            finally:
                store.close()
        except DomainError as error:
            self.post_message(BundleDone(error.render(_), error=True))
        except (OSError, sqlite3.Error) as error:
            self.post_message(BundleDone(str(error), error=True))
        else:
            self.post_message(BundleDone(message))

    def on_bundle_progress(self, event: BundleProgress) -> None:
        row = self.query_one("#progress-row")
        row.display = True
        self.query_one("#progress-label", Label).update(
            _("Bundle: {done} of {total} documents").format(done=event.done, total=event.total))
        self.query_one("#progress", PlainProgressBar).update(total=event.total or None,
                                                            progress=event.done)

    def on_bundle_done(self, event: BundleDone) -> None:
        self.query_one("#progress-row").display = self.syncing
        self.refresh_data()
        if event.error:
            self.notify(_("Bundle refused: {message}").format(message=event.message),
                        severity="error", timeout=12, markup=False)
        else:
            self.notify(event.message, timeout=12, markup=False)

    # -- pairing ---------------------------------------------------------------

    def me(self) -> dict | None:
        """This device's member record (read now: the palette may run an action on this
        screen before its first refresh)."""
        me = self.store.identity.device_id
        return next((m for m in queries.members(self.reader) if m["device_id"] == me), None)

    def action_card(self) -> None:
        self.app.push_screen(CardScreen(self.store.identity,
                                        (self.me() or {}).get("address") or ""))

    def may_manage(self) -> bool:
        """Whether this device may add or revoke members; says why not when it may not."""
        me = self.me()
        refusal = why_not_manage(me["role"] if me else None)
        if refusal:
            self.notify(refusal, severity="warning", timeout=8, markup=False)
        return refusal is None

    def action_add_member(self) -> None:
        if self.may_manage():
            self.app.push_screen(add_member_form(self.store.add_member))

    def action_revoke(self) -> None:
        if not self.may_manage():
            return
        table = self.query_one("#devices", DataTable)
        if not table.row_count:
            return
        device = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        member = self.members.get(device)
        try:
            check_revocable(device, member, self.store.identity.device_id)
        except DomainError as error:
            self.notify(error.render(_), severity="error", timeout=8, markup=False)
            return
        self.app.push_screen(
            ConfirmScreen(_("Revoke {name} ({device})?").format(
                name=member["name"], device=short_device_id(device)),
                revoke_text(member), _("Revoke")),
            lambda yes: yes and self.save(
                lambda: self.store.revoke_member(device),
                lambda _r: _("Revoked {device}").format(device=short_device_id(device))))

    # -- backup ----------------------------------------------------------------

    def action_backup(self) -> None:
        form = BackupForm(self.today)
        self.app.push_screen(form, lambda values: values and self.backup_worker(form.path))

    @work(thread=True, exclusive=True, group="backup")
    def backup_worker(self, path: Path) -> None:
        """SQLite's online backup through the app's store (saves wait for it), reporting
        the pages copied."""
        try:
            self.store.backup(path, lambda done, total: self.post_message(
                BackupProgress(done, total)))
        except DomainError as error:
            self.post_message(BackupDone(path, error.render(_)))
        else:
            self.post_message(BackupDone(path))

    def on_backup_progress(self, event: BackupProgress) -> None:
        self.query_one("#progress-row").display = True
        self.query_one("#progress-label", Label).update(
            _("Backing up: {percent}%").format(percent=event.done * 100 // max(event.total, 1)))
        self.query_one("#progress", PlainProgressBar).update(total=event.total or None,
                                                            progress=event.done)

    def on_backup_done(self, event: BackupDone) -> None:
        self.query_one("#progress-row").display = self.syncing
        if event.error:
            self.notify(_("Not backed up: {message}").format(message=event.error),
                        severity="error", timeout=12, markup=False)
            return
        size = size_text(event.path.stat().st_size)
        self.notify(_("Backed up to {path} ({size})").format(path=event.path, size=size),
                    timeout=12, markup=False)
        note = self.query_one("#backup-note", Static)
        note.update(_("Last backup: {path} ({size})").format(path=event.path, size=size)
                    + "\n" + restore_commands(self.incubator.home, event.path))
        note.display = True

    def action_toggle_folder(self) -> None:
        self.query_one(FolderLine).toggle()

    # -- serving ---------------------------------------------------------------

    def action_toggle_serve(self) -> None:
        if self.serving is not None:
            self.serving.stop()
            self.show_serving()
            return
        try:  # its own connection, used only by the serving thread from now on
            store = Store.open(self.incubator.home, clock=self.store.clock)
        except (DomainError, OSError, sqlite3.Error) as error:
            message = error.render(_) if isinstance(error, DomainError) else str(error)
            self.notify(message, severity="error", timeout=10, markup=False)
            return
        self.serving = SyncService(
            store.port, every_minutes=self.BACKGROUND_MINUTES, announce=False,
            on_event=lambda line: self.post_message(ServeEvent(line)),
            on_round=lambda outcome: self.post_message(round_message(outcome)),
            progress=lambda done, total, device: self.post_message(
                SyncProgress(done, total, device)))
        self.serve_worker(store, self.serving, self.SERVE_HOST, self.SERVE_PORT)
        self.show_serving()

    @work(thread=True, exclusive=True, group="serve")
    def serve_worker(self, store: Store, service: SyncService, host: str, port: int) -> None:
        """Run the sync service until it is stopped, on this thread's own event loop;
        sessions, background rounds and their progress come back as messages."""
        try:
            asyncio.run(service.run(host, port, lambda bound: self.post_message(
                ServeChanged(bound))))
        except DomainError as error:
            self.post_message(ServeChanged(None, error.render(_)))
        else:
            self.post_message(ServeChanged(None))
        finally:
            store.close()

    def on_serve_changed(self, event: ServeChanged) -> None:
        self.serving_port = event.port
        if event.port is not None:
            self.notify(_("Serving sync on port {port}").format(port=event.port), markup=False)
        else:
            self.serving = None
            self.last_activity = ""
            if event.error:
                self.notify(event.error, severity="error", timeout=10, markup=False)
            else:
                self.notify(_("Stopped serving sync"), markup=False)
        self.show_serving()

    def on_serve_event(self, event: ServeEvent) -> None:
        """A session another device started (its figures arrive through data_version)."""
        self.last_activity = event.line
        self.show_serving()


def round_message(outcome: list[PeerResult] | DomainError) -> SyncFinished | SyncFailed:
    """The message a background round of the service posts to the screen."""
    if isinstance(outcome, DomainError):
        return SyncFailed(outcome.render(_), background=True)
    return SyncFinished([result.as_dict() for result in outcome], background=True)
