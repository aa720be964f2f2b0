"""The command palette: screens, actions of the current screen, organizations by name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..i18n import _
from ..store import queries
from ..sheets.reports import REPORTS
from .actions import (
    AREAS, MORE_AREAS, PALETTE_ANYWHERE, area_title, function_key, palette_actions,
)
from .exports import open_export

ORGANIZATION_HITS = 20


class IncubatorCommands(Provider):
    """Finds the areas, the actions bound where the palette was opened, and organizations."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """(text, help, callback) of every area and action (one the screen and the app
        both offer, once)."""
        for mode, key, title in AREAS:
            yield (_("Go to {area}").format(area=_(title)), function_key(key).upper(),
                   partial(self.app.switch_mode, mode))
        for mode, key, title in MORE_AREAS:
            yield (_("Go to {area}").format(area=_(title)), key.upper(),
                   partial(self.app.switch_mode, mode))
        offered: set[str] = set()
        for node in (self.screen, self.app):
            for description, action in palette_actions(node):
                if description not in offered:
                    offered.add(description)
                    yield description, "", partial(node.run_action, action)
        for mode, action in PALETTE_ANYWHERE:
            if _(action.description) not in offered:
                yield (_(action.description), area_title(mode),
                       partial(self._run_in_area, mode, action.action))
        for name, report in REPORTS.items():  # the 导出 menu
            yield (_("Export: {report}").format(report=_(report.help)), name,
                   partial(open_export, self.app, name))

    async def _run_in_area(self, mode: str, action: str) -> None:
        """Open the area `mode`, then run `action` on its screen."""
        await self.app.switch_mode(mode)
        await self.app.screen.run_action(action)

    async def discover(self) -> Hits:
        for text, help_text, command in self._commands():
            yield DiscoveryHit(text, command, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, command in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text,
                          help=help_text or None)
        needle = query.strip()
        if not needle:
            return
        for org_id, name in queries.find_by_name(self.app.reader, needle, ORGANIZATION_HITS):
            text = _("Open organization {name}").format(name=name)
            yield Hit(0.9, text, partial(self.app.open_organization, org_id), text=text,
                      help=org_id)
