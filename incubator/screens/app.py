"""The Textual app: one mode per area, reading SQLite and writing through the store."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from datetime import date, datetime
from importlib import import_module
from pathlib import Path

from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen

from .. import i18n
from ..i18n import _
from ..store import queries
from ..store.commands import Store
from ..store.home import replica_path
from .actions import APP_ACTIONS, ROUNDS_MODE, bindings, translate_bindings
from .base import AreaScreen
from .commands import IncubatorCommands

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

    def today(self) -> date:
        return self.store.today()

    def on_mount(self) -> None:
        self.switch_mode("dashboard")
        self.set_interval(self.POLL_SECONDS, self.refresh_active)
        self.call_after_refresh(self._freeze_startup_objects)

    @staticmethod
    def _freeze_startup_objects() -> None:
        """Move what start-up built out of the collector's way, so that later
        collections (mid-keystroke) scan only new objects: halves the search p95 tail."""
        gc.collect()
        gc.freeze()

    def on_unmount(self) -> None:
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

        The stack is briefly empty while a mode switch is under way: skip that tick."""
        stack = self.screen_stack
        if stack and isinstance(stack[-1], AreaScreen):
            stack[-1].refresh_if_stale()

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
