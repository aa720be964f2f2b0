"""Leaving the centre: graduation (出壳) and a voluntary exit (the same store commands as
`graduate` and `exit`; an ordered exit is the warnings' form)."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from ...i18n import N_, _
from ..widgets.form import FormScreen
from ..widgets.pickers import DateInput


def graduate_form(store, org: dict, today: date) -> FormScreen:
    fields = [("destination", N_("Destination"), Input(max_length=100)),
              ("on", N_("Date"), DateInput(today.isoformat()))]
    return FormScreen(
        _("Graduate {name}").format(name=org["name"]), fields,
        lambda v: store.graduate(org["id"], v["on"], v["destination"]),
        lambda _r: _("{name} graduated").format(name=org["name"]))


def leave_form(store, org: dict, today: date) -> FormScreen:
    """A voluntary exit: its spaces are released, its waivers end, its open cases close."""
    return FormScreen(
        _("{name} leaves the centre (voluntary exit)").format(name=org["name"]),
        [("reason", N_("Reason"), Input(max_length=500)),
         ("on", N_("Date"), DateInput(today.isoformat()))],
        lambda v: store.exit_org(org["id"], v["reason"], on=v["on"]),
        lambda _r: _("{name} left the centre").format(name=org["name"]))
