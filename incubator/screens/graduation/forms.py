"""Leaving the centre: graduation (出壳) and a voluntary exit (the same store commands as
`graduate` and `exit`; an ordered exit is the warnings' form)."""

from __future__ import annotations

from datetime import date

from ...domain import fields as domain_fields
from ...i18n import N_, _
from ..widgets.checks import text_input
from ..widgets.form import FormScreen
from ..widgets.pickers import DateInput


def graduate_form(store, org: dict, today: date, *, ask: bool = True) -> FormScreen:
    """`ask`: confirm before writing (False where the criteria are known unmet: the
    store's refusal then lists what is missing)."""
    fields = [("destination", N_("Destination"), text_input(domain_fields.DESTINATION)),
              ("on", N_("Date"), DateInput(today.isoformat()))]
    return FormScreen(
        _("Graduate {name}").format(name=org["name"]), fields,
        lambda v: store.graduate(org["id"], v["on"], v["destination"]),
        lambda _r: _("{name} graduated").format(name=org["name"]),
        confirm=None if not ask else lambda v: (
            _("Graduate {name}?").format(name=org["name"]),
            _("{name} graduates on {date} (destination: {destination}): its spaces are "
              "released and its waivers end that day, its open warning cases close, and "
              "it stays visible as an alumnus. ctrl+z cannot undo it.").format(
                name=org["name"], date=v["on"],
                destination=v["destination"].strip() or _("not given"))))


def leave_form(store, org: dict, today: date) -> FormScreen:
    """A voluntary exit: its spaces are released, its waivers end, its open cases close."""
    return FormScreen(
        _("{name} leaves the centre (voluntary exit)").format(name=org["name"]),
        [("reason", N_("Reason"), text_input(domain_fields.REASON)),
         ("on", N_("Date"), DateInput(today.isoformat()))],
        lambda v: store.exit_org(org["id"], v["reason"], on=v["on"]),
        lambda _r: _("{name} left the centre").format(name=org["name"]))
