"""The Textual app: one mode per area, reading SQLite and writing through the store."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import date, datetime
from importlib import import_module
from pathlib import Path

from textual import events
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.theme import ThemeProvider
from textual.screen import Screen

from .. import i18n
from ..domain.errors import DomainError
from ..domain.pinyin import search_query
from ..i18n import _
from ..store import queries
from ..store.commands import StorageError, Store
from ..store.home import replica_path
from .actions import APP_ACTIONS, ROUNDS_MODE, bindings, takes_typing, translate_bindings
from .base import AreaScreen
from .commands import IncubatorCommands
from .keyorder import KeyInFlight
from .undo import Change, Undo, Undone, UndoRefused
from .widgets.confirm import ConfirmScreen

# mode -> (module under incubator.screens, class): imported when the area is first shown
SCREENS = {
    "dashboard": ("dashboard.screen", "DashboardScreen"),
    "organizations": ("organizations.screen", "OrganizationsScreen"),
    "scoring": ("scoring.screen", "ScoringScreen"),
    "warnings": ("warnings.screen", "WarningsScreen"),
    "spaces": ("spaces.screen", "SpacesScreen"),
    "waivers": ("waivers.screen", "WaiversScreen"),
    "review": ("review.screen", "ReviewScreen"),
    "graduation": ("graduation.screen", "GraduationScreen"),
    "sync": ("sync.screen", "SyncScreen"),
    "district": ("district.screen", "DistrictScreen"),
    "settings": ("settings.screen", "SettingsScreen"),
    ROUNDS_MODE: ("rounds.screen", "RoundsScreen"),
}


def _area_factory(mode: str) -> Callable[[], Screen]:
    """Import an area's screen only when it is first shown."""

    def make() -> Screen:
        module, name = SCREENS[mode]
        return getattr(import_module(f"{__package__}.{module}"), name)()

    return make


class IncubatorApp(App[None]):
    """孵化中心管理: the centre manager's daily tasks, from the keyboard."""

    CSS_PATH = "app.tcss"
    MODES = {mode: _area_factory(mode) for mode in SCREENS}
    ACTIONS = APP_ACTIONS
    BINDINGS = bindings(ACTIONS)
    COMMANDS = App.COMMANDS | {IncubatorCommands}
    POLL_SECONDS = 1.0
    # After this long without a key, a tick compacts up to IDLE_COMPACT_DOCUMENTS documents
    # (`Store.compact`: ~1.5 ms each) in a thread, so saves never wait for it.
    IDLE_SECONDS = 3.0
    IDLE_COMPACT_DOCUMENTS = 16
    # Python's full collection scans every object the app keeps (15-30 ms with the lists'
    # caches, 100 ms before start-up's objects are frozen) and fell inside one keystroke in
    # thirty: while keys come it waits (up to TYPING_FULL_COLLECTION young collections, a
    # hundred times the default), and a tick REST_SECONDS after the last key runs it when
    # the default would have, or once to freeze what start-up made.
    REST_SECONDS = 1.0
    TYPING_FULL_COLLECTION = 1000
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # the screens' classes

    def __init__(self, home: Path, *, clock: Callable[[], datetime] | None = None,
                 lang: str | None = None) -> None:
        if lang:
            i18n.set_language(lang)
        super().__init__()
        translate_bindings(self)
        self.home = home
        self.store = Store.open(home, clock=clock)
        self.reader = queries.open_reader(replica_path(home))
        self.title = _("Incubation centre management")
        self._warnings_cache: tuple[int, list] | None = None
        self.areas: weakref.WeakSet[AreaScreen] = weakref.WeakSet()  # shown at least once
        self.last_change: Change | None = None  # the last change saved here (ctrl+z)
        self.held_keys: list[events.Key] = []  # typed, not yet delivered
        self.key_in_flight: KeyInFlight | None = None  # delivered, not yet handled
        self._scope_version: int | None = None
        self._last_key = time.monotonic()
        self._compacting = False  # a worker compacts now
        self._compacted_at: int | None = None  # the data version nothing was left to compact
        self._gc_thresholds = gc.get_threshold()  # Python's, given back when the app ends
        self.warmed_up = False  # pypinyin is loaded (in a thread): start-up is over
        self._frozen = False  # start-up's objects were frozen

    def today(self) -> date:
        return self.store.today()

    async def on_event(self, event: events.Event) -> None:
        """Keys are delivered one at a time, each once the one before it is handled
        (`KeyInFlight`): a save typed before a move to another month saves the month
        typed in. Keys typed while a screen just pushed is still being mounted wait for
        it (and for the field it focuses), in order: Enter on a picker then a name typed
        at once go into the picker's filter, not nowhere. So do keys typed while a
        screen replaces its widgets (the scoring grid's rows): they go to the cell
        focused again, not to whatever held the focus for a moment."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._last_key = time.monotonic()
            self.held_keys.append(event)
            if len(self.held_keys) == 1 and self.key_in_flight is None:
                await self.release_keys()
            return
        await super().on_event(event)

    async def release_keys(self) -> None:
        """Deliver the next held key while the screen is mounted; a screen that takes
        keys as they are read (`take_key`: a picker's filter) takes them first. Until a
        new screen is mounted, look again after the messages waiting now; a screen
        replacing its widgets releases them itself when it is done."""
        while (self.held_keys and self.key_in_flight is None and self.screen.is_mounted
               and not getattr(self.screen, "rebuilding", False)):
            event = self.held_keys[0]
            take = getattr(self.screen, "take_key", None)
            try:
                if not (take and take(event)):
                    target = self.focused or self.screen
                    await super().on_event(event)
                    if event.is_forwarded:
                        self.key_in_flight = KeyInFlight(event, target, self._key_handled)
                        self.key_in_flight.start()
            finally:
                self.held_keys.pop(0)
        if (self.held_keys and self.key_in_flight is None
                and not getattr(self.screen, "rebuilding", False)):
            self.call_next(self.release_keys)

    def _key_handled(self) -> None:
        self.key_in_flight = None
        self.call_next(self.release_keys)

    def on_mount(self) -> None:
        self.show_scope()
        self.switch_mode("dashboard")
        self.set_interval(self.POLL_SECONDS, self.refresh_active)
        gc.set_threshold(*self._gc_thresholds[:2], self.TYPING_FULL_COLLECTION)
        self.set_timer(self.PINYIN_WARM_UP_SECONDS, self._warm_up_pinyin)

    PINYIN_WARM_UP_SECONDS = 1.0

    def _warm_up_pinyin(self) -> None:
        """Load pypinyin (~0.5 s) in a thread once the app is up, so that the first
        Chinese characters typed in a search do not wait for it; start-up is then over."""
        def warm_up() -> None:
            search_query("孵化")
            self.warmed_up = True

        self.run_worker(warm_up, thread=True, group="warm-up")

    def quiet_for(self) -> float:
        """Seconds since the last key."""
        return time.monotonic() - self._last_key

    def collect_at_rest(self) -> None:
        """The full collection deferred while keys came, once none came for
        `REST_SECONDS`: when as many young collections ran as Python waits for, and once
        start-up is over, to freeze what it made (pypinyin's dictionaries too) out of the
        way of every later collection."""
        if self.quiet_for() < self.REST_SECONDS:
            return
        if self.warmed_up and not self._frozen:
            gc.collect()
            gc.freeze()
            self._frozen = True
        elif gc.get_count()[2] >= self._gc_thresholds[2]:
            gc.collect()

    def on_unmount(self) -> None:
        gc.set_threshold(*self._gc_thresholds)
        self.reader.conn.close()
        self.store.close()

    def data_version(self) -> int:
        """Changes whenever another connection (CLI, sync, a save worker) commits."""
        return queries.data_version(self.reader)

    def warning_states(self) -> list:
        """Every warning case (with its organization), computed once per change of the
        replica."""
        version = self.data_version()
        if self._warnings_cache is None or self._warnings_cache[0] != version:
            states = queries.warning_states(self.reader, self.today())
            self._warnings_cache = (version, states)
        return self._warnings_cache[1]

    def refresh_active(self) -> None:
        """Refresh the active screen if the replica changed since it last looked.

        The stack is briefly empty while a mode switch is under way: skip that tick; and
        the poll may still fire while the app shuts down."""
        if not self.is_running:
            return
        if self.key_in_flight is not None:
            self.key_in_flight.look_again()
        stack = self.screen_stack
        if stack and isinstance(stack[-1], AreaScreen):
            stack[-1].refresh_if_stale()
        self.show_scope()
        self.collect_at_rest()
        self.compact_when_idle()

    def compact_when_idle(self) -> None:
        """Once no key was typed for `IDLE_SECONDS`, compact a few documents in a thread
        (one worker at a time); a busy replica or a full disk only waits for the next
        idle moment."""
        version = self.data_version()
        if (self._compacting or version == self._compacted_at
                or self.quiet_for() < self.IDLE_SECONDS):
            return
        self._compacting = True

        def compact() -> None:
            try:
                if not self.store.compact(self.IDLE_COMPACT_DOCUMENTS, wait=0):
                    self._compacted_at = version
            except DomainError:
                pass
            finally:
                self._compacting = False

        self.run_worker(compact, thread=True, group="compact")

    def show_scope(self) -> None:
        """The header says when this replica holds only part of the network (a field
        laptop's villages): every count and ranking then covers only that part."""
        version = self.data_version()
        if version != self._scope_version:
            self._scope_version = version
            scope = queries.replica_scope(self.reader)
            self.sub_title = _("Partial replica: {scope}").format(scope=scope) if scope else ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A digit switches areas only where nothing takes typing (`takes_typing`)."""
        if action == "area_key":
            return not takes_typing(self.screen)
        return True

    def action_area_key(self, mode: str) -> None:
        self.switch_mode(mode)

    async def action_quit(self) -> None:
        """Quit; when typed work is not saved (rows of the scoring grid), ask first."""
        unsaved = [said for area in list(self.areas) if (said := area.unsaved())]
        if not unsaved:
            self.exit()
            return
        self.push_screen(ConfirmScreen(
            _("Quit without saving?"),
            "\n".join([*unsaved, _("Quitting now loses what was typed there; cancel and "
                                   "press ctrl+s there to keep it.")]),
            confirm=_("Quit and lose it")), lambda confirmed: self.exit() if confirmed else None)

    def remember(self, change: Change) -> None:
        """A change was saved in the app: the one ctrl+z now refers to."""
        self.last_change = change

    def action_undo(self) -> None:
        """Ask, then write the previous values of the last change back (see `undo`)."""
        change = self.last_change
        if change is None:
            self.notify(_("Nothing to undo: no change was made in the app since it opened"),
                        severity="warning")
            return
        if change.undo is None:
            self.notify(_("The last change cannot be undone with ctrl+z: {change}. Only a "
                          "profile edit, the monthly scores and an annual review can; the "
                          "others have their own command.").format(change=change.said),
                        severity="warning", timeout=8)
            return
        undo = change.undo
        self.push_screen(ConfirmScreen(
            _("Undo the last change?"),
            _("Undo {what}: writes back {restores}, as a new change by this device, recorded "
              "in the history. If someone changed it since, nothing is undone and you are "
              "told the newer value.").format(what=undo.what, restores=undo.restores),
            confirm=_("Undo")), lambda confirmed: self.undo_now(undo) if confirmed else None)

    def undo_now(self, undo: Undo) -> None:
        """Write it back in a worker, which posts `Undone` or `UndoRefused`."""

        def work() -> None:
            try:
                undo.revert(self.store)
            except StorageError as error:
                self.post_message(UndoRefused(error.render(_)))
            except DomainError as error:
                self.post_message(UndoRefused(_("Not undone: {message}").format(
                    message=error.render(_))))
            else:
                self.post_message(Undone(_("Undone: {what}").format(what=undo.what)))

        self.run_worker(work, thread=True, exclusive=True, group="undo")

    def on_undone(self, event: Undone) -> None:
        self.last_change = None
        self.notify(event.message)
        self.refresh_active()

    def on_undo_refused(self, event: UndoRefused) -> None:
        self.notify(event.message, severity="error", timeout=10)

    def action_help(self) -> None:
        from .help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def open_organization(self, org_id: str) -> None:
        from .organizations.detail import OrganizationDetailScreen

        self.push_screen(OrganizationDetailScreen(org_id))

    def action_register_organization(self) -> None:
        """入驻登记 from anywhere; once saved, the new organization opens over the list."""
        from .organizations.register import RegisterForm

        form = RegisterForm(self.store, self.reader, self.today())

        def registered(values: dict | None) -> None:
            if values is not None and form.org_id:
                self.switch_mode("organizations")
                self.call_after_refresh(self.open_organization, form.org_id)

        self.push_screen(form, registered)

    def action_import_sheet(self) -> None:
        """导入 from anywhere: a roster, a month's score sheet or activity records."""
        from .imports import open_import

        open_import(self)

    def action_add_hub(self) -> None:
        """A new hub; once saved, the space map shows it, ready for its spaces."""
        from .spaces.forms import HubForm

        form = HubForm(self.store, self.reader)

        def added(values: dict | None) -> None:
            if values is not None and form.hub_id:
                self.switch_mode("spaces")
                self.call_after_refresh(self.screen.show_hub, form.hub_id)

        self.push_screen(form, added)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's system commands, in the current language."""
        yield SystemCommand(_("Theme"), _("Change the colour theme"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Quit the application"), self.action_quit)
        yield SystemCommand(_("Keys"), _("Show every key of this screen"), self.action_help)
        if screen.maximized is not None:
            yield SystemCommand(_("Minimize"), _("Restore the maximized widget"),
                                screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(_("Maximize"), _("Maximize the focused widget"),
                                screen.action_maximize)
        yield SystemCommand(_("Screenshot"), _("Save an SVG screenshot of this screen"),
                            lambda: self.set_timer(0.1, self.deliver_screenshot))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Textual's own widgets show keys too (an open Select's "Dismiss menu"): their
        descriptions in the current language once they take the focus."""
        translate_bindings(event.widget)

    def search_themes(self) -> None:
        """Textual's theme picker, with its placeholder in the current language."""
        self.push_screen(CommandPalette(providers=[ThemeProvider],
                                        placeholder=_("Search themes…")))

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        """Textual's notice of a saved screenshot, in the current language."""
        if event.name == "screenshot":
            event.prevent_default()
            self.notify(_("Saved the screenshot to {path}").format(path=event.path)
                        if event.path else _("Saved the screenshot"),
                        title=_("Screenshot"), markup=False)

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        if event.name == "screenshot":
            event.prevent_default()
            self.notify(_("Could not save the screenshot"), title=_("Screenshot"),
                        severity="error")

    def action_command_palette(self) -> None:
        """The command palette, with its placeholder in the current language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(
                id="--command-palette",
                placeholder=_("Search screens, organizations and actions…")))


def first_run(home: Path) -> bool:
    """On a device without a replica: make one (a new network, or joining one with a
    hub's card) in a small app of its own; True when one was made."""
    from .setup import SetupApp

    return bool(SetupApp(home).run())
