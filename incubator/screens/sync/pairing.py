"""Pairing devices from the Sync screen: this device's card and its QR code, adding a
member with the card of its device, and what revoking one does.

The same store calls as `device card`, `member add` and `member revoke`."""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from ...domain.device import short_device_id
from ...domain.docids import DocKind
from ...domain.errors import DomainError
from ...domain.membership import may_write
from ...domain.models import Role, parse_enum
from ...i18n import N_, _
from ...present.labels import enum_label, role_text
from ...present.qr import qr_matrix
from ...store.identity import Card, Identity
from ...sync.transport import parse_address
from ..actions import CARD_ACTIONS, bindings, translate_bindings
from ..widgets.form import FormScreen

DARK = Style(color="black", bgcolor="black")
LIGHT = Style(color="white", bgcolor="white")
TYPING_PAUSE = 0.3  # seconds without a key before the card shown follows the address
UPPER_HALF = "\u2580"  # ▀: East Asian width "ambiguous" (see `QrCode`)


def why_not_manage(role: str | None) -> str | None:
    """Why this device (of `role`, None when it is not a member yet) may not add or
    revoke members, or None when it may: the rule that judges every network change."""
    if role is None:
        return _("This device is not a member of a network yet: sync with the hub that "
                 "added it first")
    if not may_write(role, DocKind.NETWORK):
        return _("Only a hub device may add or revoke members: this device is a {role} "
                 "device").format(role=role_text(role))
    return None


def membership_text(me: dict | None, identity: Identity) -> str:
    """The line under the Sync screen's title: who this device is and what it may do."""
    who = _("This device: {name} ({device}), {role}").format(
        name=identity.device_name, device=short_device_id(identity.device_id),
        role=role_text(me["role"] if me else None))
    refusal = why_not_manage(me["role"] if me else None)
    if refusal is None:
        return who + "\n" + _("c its card and QR code, a adds a member from its card, "
                              "r revokes the highlighted one, b backs up")
    return who + "\n" + refusal + "  " + _("c shows this device's card for a hub to add it")


def revoke_text(member: dict) -> str:
    """What revoking `member` does, for the confirmation: what the device can and cannot
    do afterwards, in the words of the membership rules."""
    return _(
        "From its next connection on, every replica that knows of the revocation refuses "
        "{name}:\n"
        "- it can no longer sync with any device of the network, nor send it bundles;\n"
        "- nothing it writes after it hears of the revocation is accepted anywhere;\n"
        "- what it wrote before stays: revoking does not undo its work;\n"
        "- it keeps the copy it already holds: its person can still read that copy on its "
        "own disk, but never receives anything new;\n"
        "- a hub can add it again later with its card.\n"
        "Replicas that have not heard of the revocation still accept it until they sync "
        "with a device that has: sync with them soon.").format(name=member["name"])


def add_member_form(add: Callable[[Card, str, str | None], str]) -> FormScreen:
    """Paste a device's card, choose its role (and a name): `member add`."""
    roles = [(enum_label(role.value), role.value) for role in Role]
    fields = [
        ("card", N_("Device card"), Input(placeholder="INCUBATOR1:", max_length=8000)),
        ("role", N_("Role"), Select(roles, value=Role.FIELD.value, allow_blank=False)),
        ("name", N_("Device name"), Input(placeholder=_("the card's name"), max_length=80)),
    ]

    def write(values: dict) -> tuple[Card, str]:
        card = Card.decode(values["card"])
        add(card, values["role"], values["name"].strip() or None)
        return card, values["role"]

    form = FormScreen(_("Add a member to the network"), fields, write,
                      lambda added: _("Added member {device} as {role}").format(
                          device=short_device_id(added[0].device_id),
                          role=enum_label(parse_enum(Role, added[1]).value)))
    form.AUTO_FOCUS = "#card"  # the card is pasted at once
    return form


class QrCode(Widget):
    """A QR code drawn two modules a cell: the upper half block ▀ in the top module's
    colour on the bottom module's, black on white whatever the theme.

    ▀ is the only glyph that draws square modules one column wide, and it is East Asian
    "ambiguous" width: a terminal set to draw ambiguous glyphs wide garbles the code (and
    only the code: it has a screen of its own). Cells whose two modules agree are spaces,
    no glyph at all. The card's text, beside it, is the way that always works."""

    def __init__(self, text: str, **options) -> None:
        super().__init__(**options)
        self.matrix = qr_matrix(text)
        if len(self.matrix) % 2:
            self.matrix.append([False] * len(self.matrix[0]))

    @property
    def cells(self) -> tuple[int, int]:
        """(columns, rows) the code needs."""
        return len(self.matrix[0]), len(self.matrix) // 2

    def get_content_width(self, container, viewport) -> int:
        return self.cells[0]

    def get_content_height(self, container, viewport, width) -> int:
        return self.cells[1]

    def render_line(self, y: int) -> Strip:
        if y >= self.cells[1]:
            return Strip.blank(self.size.width)
        top, bottom = self.matrix[2 * y], self.matrix[2 * y + 1]
        segments = []
        for upper, lower in zip(top, bottom):
            if upper == lower:
                segments.append(Segment(" ", DARK if upper else LIGHT))
            else:
                segments.append(Segment(UPPER_HALF, Style(
                    color="black" if upper else "white", bgcolor="black" if lower else "white")))
        return Strip(segments, self.cells[0])


class CardScreen(ModalScreen[None]):
    """This device's card (one line, to copy or select), with the address another device
    reaches it at, and its QR code on a screen of its own."""

    ACTIONS = CARD_ACTIONS
    BINDINGS = bindings(ACTIONS)
    DEFAULT_CSS = """
    CardScreen #card-text { margin: 1 0; }
    """

    def __init__(self, identity: Identity, address: str = "") -> None:
        super().__init__()
        translate_bindings(self)
        self.identity = identity
        self.address = address
        self._shown = None

    @property
    def card(self) -> str:
        """The card with the address typed (without it while the address is invalid)."""
        return Card.of(self.identity, self.valid_address()[0]).encode()

    def valid_address(self) -> tuple[str, str]:
        """(the address typed if it is a HOST:PORT, else ""; why it is not)."""
        address = (self.query_one("#address", Input).value if self.is_mounted
                   else self.address).strip()
        try:
            if address:
                parse_address(address)
        except DomainError as refused:
            return "", refused.render(_)
        return address, ""

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form card", can_focus=False):
            yield Label(_("This device's card: {name} ({device})").format(
                name=self.identity.device_name,
                device=short_device_id(self.identity.device_id)),
                classes="area-title", markup=False)
            with Horizontal(classes="field"):
                yield Label(_("Address"), classes="field-label")
                yield Input(self.address, placeholder=_("HOST:PORT where it serves sync"),
                            id="address", max_length=80, compact=True)
            yield Label("", id="error", classes="error")
            yield Static(self.card, id="card-text", markup=False)
            yield Static(_("Another device joins with this card (incubator init --join CARD); "
                           "a hub adds this device with it (a on its Sync screen)."),
                         classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(_("Close"), id="close", compact=True)
                yield Button(_("QR code"), id="qr", compact=True)
                yield Button(_("Copy"), variant="primary", id="copy", compact=True)

    def on_mount(self) -> None:
        self.query_one("#address", Input).focus()

    @on(Input.Changed, "#address")
    def address_changed(self) -> None:
        """The card shown follows the address once typing pauses (Copy and the QR code
        always take the address as typed)."""
        if self._shown is not None:
            self._shown.stop()
        self._shown = self.set_timer(TYPING_PAUSE, self.show_card)

    def show_card(self) -> None:
        self.query_one("#error", Label).update(self.valid_address()[1])
        self.query_one("#card-text", Static).update(self.card)

    @on(Button.Pressed, "#copy")
    def copy(self) -> None:
        self.app.copy_to_clipboard(self.card)
        self.notify(_("The card is on the clipboard (if this terminal allows it; otherwise "
                      "select its text)"), markup=False)

    @on(Button.Pressed, "#qr")
    def show_qr(self) -> None:
        self.app.push_screen(QrScreen(self.card, self.identity.device_name))

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


class QrScreen(ModalScreen[None]):
    """The card as a QR code, alone on the screen; says so when the window is too small
    to show all of it (a phone must see the whole code)."""

    ACTIONS = CARD_ACTIONS
    BINDINGS = bindings(ACTIONS)
    DEFAULT_CSS = """
    QrScreen { align: center top; background: $surface; }
    QrScreen #qr-title { padding: 0 1; }
    QrScreen #qr-fit { padding: 0 1; height: auto; }
    QrScreen #qr-area { width: auto; height: 1fr; }
    QrScreen QrCode { width: auto; height: auto; }
    """

    def __init__(self, card: str, name: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.card = card
        self.device_name = name

    def compose(self) -> ComposeResult:
        yield Label(_("QR code of {name}'s card (Esc closes)").format(name=self.device_name),
                    id="qr-title", markup=False)
        yield Static("", id="qr-fit", classes="error", markup=False)
        with VerticalScroll(id="qr-area"):
            yield QrCode(self.card, id="qr")

    def on_mount(self) -> None:
        self.show_fit()

    def on_resize(self) -> None:
        self.show_fit()

    def show_fit(self) -> None:
        columns, rows = self.query_one(QrCode).cells
        width, height = self.app.size
        fits = columns <= width and rows + 2 <= height
        label = self.query_one("#qr-fit", Static)
        label.display = not fits
        label.update("" if fits else _(
            "The window is too small for the whole code: it needs {columns}×{rows} "
            "characters. Enlarge the window or make the font smaller, or copy the card's "
            "text instead.").format(columns=columns, rows=rows + 2))

    def action_close(self) -> None:
        self.dismiss(None)
