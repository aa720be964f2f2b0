"""空间: a room map per hub; each space shows its occupant and status in words and colour."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Footer, Label, Select
from textual.widgets.select import InvalidSelectValueError

from ...domain.warnings import OPEN_STATUSES
from ...i18n import N_, _
from ...present.labels import join_words
from ...store import queries
from ..actions import SPACES_ACTIONS, SPACE_MAP_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..widgets.chrome import AppHeader
from ..widgets.form import FormScreen
from ..widgets.org_select import OrgSelect
from ..widgets.pickers import DateInput, HubSelect
from .card import IN_USE_MARK, STATUS, SpaceCard
from .forms import add_space_form, edit_space_form, retire_space_form


class SpaceMap(Grid):
    """The cards of one hub; arrow keys move between them, each from where the one before
    it left the focus (the focus moves now, not after the keys already queued)."""

    ACTIONS = SPACE_MAP_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def action_move(self, across: int, down: int) -> None:
        cards = list(self.query(SpaceCard))
        if cards and isinstance(self.screen.focused, SpaceCard):
            step = across + down * (self.styles.grid_size_columns or 1)
            index = cards.index(self.screen.focused) + step
            self.screen.set_focus(cards[max(0, min(index, len(cards) - 1))])


class SpacesScreen(AreaScreen):
    """The chosen hub's spaces; a assigns the focused free space, r releases it; n adds a
    space, e edits the focused one, x retires it; h adds a hub."""

    CSS_PATH = "spaces.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    ACTIONS = SPACES_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("spaces"), classes="area-title")
        with Horizontal(classes="toolbar"):
            yield HubSelect(self.reader, id="hub")
            yield Label("", id="occupancy")
        with VerticalScroll():
            yield SpaceMap(id="map")
        yield Label(_("Legend: {legend}; {mark} marks a space in use. Arrows choose a space; "
                      "a assigns it, r releases it").format(
                          legend=join_words(_(s) for s in STATUS.values()), mark=IN_USE_MARK),
                    classes="hint")
        yield Footer()

    def refresh_data(self) -> None:
        self.call_later(self.show_map)

    async def show_map(self) -> None:
        hub = self.query_one("#hub", Select).value
        if hub == Select.NULL:
            return
        with_waiver = queries.orgs_with_waiver(self.reader, self.today)
        warned = {org["id"] for org, state in self.incubator.warning_states()
                  if state.status in OPEN_STATUSES}
        cards = [SpaceCard(space, "free" if not space["org_id"]
                           else "warning" if space["org_id"] in warned
                           else "waiver" if space["org_id"] in with_waiver else "occupied")
                 for space in queries.spaces(self.reader, self.today, str(hub))]
        focused = self.focused.space["id"] if isinstance(self.focused, SpaceCard) else None
        space_map = self.query_one(SpaceMap)
        with self.app.batch_update():
            await space_map.remove_children()
            await space_map.mount_all(cards)
        for card in cards:
            if card.space["id"] == focused:
                self.set_focus(card)
        used = sum(1 for card in cards if card.status != "free")
        self.query_one("#occupancy", Label).update(
            _("Spaces used {occupied} / {spaces}").format(occupied=used, spaces=len(cards)))

    @on(Select.Changed, "#hub")
    async def hub_changed(self) -> None:
        await self.show_map()

    def show_hub(self, hub_id: str) -> None:
        """Show `hub_id`'s map (a hub added since the picker was filled joins it)."""
        picker = self.query_one("#hub", Select)
        try:
            picker.value = hub_id
        except InvalidSelectValueError:
            picker.set_options(queries.hub_options(self.reader))
            picker.value = hub_id

    def chosen_hub(self) -> tuple[str, str] | None:
        """(id, name) of the hub whose map is shown."""
        picker = self.query_one("#hub", Select)
        if picker.value == Select.NULL:
            self.notify(_("Choose a hub"), severity="warning")
            return None
        return str(picker.value), queries.hub_name(self.reader, str(picker.value))

    def action_add_space(self) -> None:
        if hub := self.chosen_hub():
            self.app.push_screen(add_space_form(self.store, *hub))

    def action_edit_space(self) -> None:
        if card := self.chosen():
            self.app.push_screen(edit_space_form(self.store, self.reader, card.space))

    def action_retire_space(self) -> None:
        card = self.chosen()
        if not card:
            return
        if card.status != "free":
            self.notify(_("{space} is in use; release it first").format(
                space=card.space["name"]), severity="warning")
            return
        self.app.push_screen(retire_space_form(self.store, card.space, self.today))

    def chosen(self) -> SpaceCard | None:
        if isinstance(self.focused, SpaceCard):
            return self.focused
        self.notify(_("Choose a space first"), severity="warning")
        return None

    def action_assign(self) -> None:
        card = self.chosen()
        if not card:
            return
        if card.status != "free":
            self.notify(_("{space} is in use; release it first").format(
                space=card.space["name"]), severity="warning")
            return
        space = card.space
        fields = [("org", N_("Organization"), OrgSelect(self.reader, hub_id=space["hub_id"])),
                  ("start", N_("From"), DateInput(self.today.isoformat())),
                  ("end", N_("To (empty: open-ended)"), DateInput(optional=True))]
        self.app.push_screen(FormScreen(
            _("Assign {space}").format(space=space["name"]), fields,
            lambda v: self.store.assign_space(space["id"], OrgSelect.chosen(v["org"]),
                                              v["start"], v["end"] or None),
            lambda _r: _("Assigned {space}").format(space=space["name"])))

    def action_release(self) -> None:
        card = self.chosen()
        if not card:
            return
        space = card.space
        if card.status == "free":
            self.notify(_("{space} is free already").format(space=space["name"]),
                        severity="warning")
            return
        fields = [("on", N_("First free day"), DateInput(self.today.isoformat()))]
        self.app.push_screen(FormScreen(
            _("Release {space} ({org})").format(space=space["name"], org=space["org_name"]),
            fields, lambda v: self.store.release_space(space["id"], v["on"]),
            lambda _r: _("Released {space}").format(space=space["name"])))
