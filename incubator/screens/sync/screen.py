"""同步: the members of the network; syncing itself arrives with the sync release."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Label

from ...domain.models import Role, label
from ...i18n import N_, _, language
from ...store import queries
from ..actions import area_title
from ..widgets.chrome import AppHeader
from ..base import AreaScreen
from ..widgets.tables import data_table


class SyncScreen(AreaScreen):
    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("sync"), classes="area-title")
        yield Label(_("Peer-to-peer sync and USB bundles arrive with the sync release. "
                      "Members of this network:"), classes="hint")
        yield data_table("members", N_("Device"), N_("Role"), N_("Device ID"), N_("Added"))
        yield Footer()

    def refresh_data(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for member in queries.members(self.reader):
            table.add_row(member["name"], label(Role(member["role"]), language()),
                          member["device_id"][:15], (member["added_at"] or "")[:10])
