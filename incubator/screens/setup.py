"""The first start on a device without a replica: a new network, or joining one by
pasting a hub's card (`incubator init`, the same store calls and checks).

After joining, this device's card is shown for the hub to add it; then the app opens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from ..i18n import N_, _
from ..store.commands import Store
from ..store.identity import Card, Identity
from .actions import translate_bindings
from .sync.pairing import CardScreen
from .widgets.form import FormScreen


def new_network_form(home: Path) -> FormScreen:
    """The first hub of a new network: `init --hub-name`."""

    def create(values: dict) -> Identity:
        store = Store.init(home, values["hub"], values["device"].strip() or None)
        store.close()
        return store.identity

    form = FormScreen(_("A new network"), [
        ("hub", N_("Hub name"), Input(max_length=200)),
        ("device", N_("Device name"), Input(placeholder=_("the hub's name"), max_length=80)),
    ], create, lambda _identity: _("Created a new network in {home}").format(home=home))
    form.AUTO_FOCUS = "#hub"
    return form


def join_form(home: Path, joined: Callable[[Identity], None]) -> FormScreen:
    """Join with the card of the hub device to sync with first: `init --join`; `joined`
    hears this device's new identity."""

    def join(values: dict) -> Identity:
        card = Card.decode(values["card"])
        store = Store.join(home, card, values["device"].strip()
                           or card.name + "-" + _("device"))
        store.close()
        joined(store.identity)
        return store.identity

    form = FormScreen(_("Join a network"), [
        ("card", N_("Hub's card"), Input(placeholder="INCUBATOR1:", max_length=8000)),
        ("device", N_("Device name"), Input(placeholder=_("the card's name"), max_length=80)),
    ], join, lambda identity: _("Joined: ask a hub to add {name} with its card").format(
        name=identity.device_name))
    form.AUTO_FOCUS = "#card"  # the card is pasted at once
    return form


class WelcomeScreen(Screen[None]):
    """What this start is for, and the two ways to make a replica (Join has the focus:
    most devices join a network that a hub started)."""

    DEFAULT_CSS = """
    WelcomeScreen { align: center middle; }
    """

    def compose(self) -> ComposeResult:
        home = self.app.home  # type: ignore[attr-defined]
        with VerticalScroll(classes="form"):
            yield Label(_("Incubation centre management"), classes="area-title")
            yield Static(_("There is no replica in {home} yet. Start a new network if this "
                           "is the first hub's computer; otherwise join the network with the "
                           "card of a hub device (on the hub: 同步, c).").format(home=home),
                         markup=False)
            with Horizontal(classes="buttons"):
                yield Button(_("Quit"), id="quit", compact=True)
                yield Button(_("A new network"), id="new", compact=True)
                yield Button(_("Join a network"), variant="primary", id="join", compact=True)

    def on_mount(self) -> None:
        self.query_one("#join", Button).focus()

    @on(Button.Pressed, "#new")
    def new_network(self) -> None:
        self.app.push_screen(new_network_form(self.app.home),  # type: ignore[attr-defined]
                             lambda values: values and self.app.exit(True))

    @on(Button.Pressed, "#join")
    def join(self) -> None:
        made: list[Identity] = []
        self.app.push_screen(join_form(self.app.home, made.append),  # type: ignore[attr-defined]
                             lambda values: values and self.joined(made[0]))

    def joined(self, identity: Identity) -> None:
        """Show this device's card for the hub to add it; the app opens when it closes."""
        self.app.push_screen(CardScreen(identity), lambda _none: self.app.exit(True))

    @on(Button.Pressed, "#quit")
    def quit(self) -> None:
        self.app.exit(False)


class SetupApp(App[bool]):
    """Makes this device's replica; its result says whether one was made."""

    CSS_PATH = "app.tcss"

    def __init__(self, home: Path) -> None:
        super().__init__()
        translate_bindings(self)
        self.home = home
        self.title = _("Incubation centre management")

    def on_mount(self) -> None:
        self.push_screen(WelcomeScreen())
