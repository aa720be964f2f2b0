"""`?`: every key of the current screen and of the app, in the current language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ..i18n import N_, _
from .actions import AREAS, HELP_ACTIONS, MORE_AREAS, bindings, function_key
from .widgets.tables import data_table

AREA_ACTIONS = ("switch_mode", "area_key")  # listed first, as "go to" rows


def key_rows(nodes: list[DOMNode]) -> list[tuple[str, str]]:
    """(keys, description) of the described bindings of `nodes`, one row per action.

    Area switches are left out: the help lists them first, as "go to" rows.
    """
    keys: dict[tuple[str, str], list[str]] = {}
    for node in nodes:
        for key, found in node._bindings.key_to_bindings.items():
            for binding in found:
                if binding.description and not binding.action.startswith(AREA_ACTIONS):
                    shown = binding.key_display or node.app.get_key_display(binding)
                    keys.setdefault((binding.action, binding.description), []).append(shown)
    return [(" ".join(dict.fromkeys(shown)), description)
            for (_action, description), shown in keys.items()]


class HelpScreen(ModalScreen[None]):
    ACTIONS = HELP_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Label(_("Keys"), classes="area-title")
            yield data_table("keys", N_("Key"), N_("Action"))
            yield Label(_("Press Esc to close"), classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_rows((f"{function_key(key).upper()}/{key}", _("Go to {area}").format(area=_(title)))
                       for _mode, key, title in AREAS)
        table.add_rows((key.upper(), _("Go to {area}").format(area=_(title)))
                       for _mode, key, title in MORE_AREAS)
        underneath = self.app.screen_stack[-2]
        table.add_rows(key_rows([underneath, self.app]))
