"""USB bundles from the Sync screen: the two small forms that ask where and for whom."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from textual.widgets import Input, Select

from ...domain.device import short_device_id
from ...domain.errors import DomainError
from ...i18n import N_, _
from ...present.paths import PATH_MAX_CHARS, usable_file
from ..widgets.form import FormScreen

EVERY_MEMBER = "*"


def default_bundle_path(today: date) -> str:
    return str(Path.home() / f"incubator-{today.isoformat()}.bundle")


def recipients_of(members: list[dict], me: str) -> list[tuple[str, str]]:
    """(label, device ID) of every member a bundle can be written for."""
    return [(f"{member['name']} ({short_device_id(member['device_id'])})", member["device_id"])
            for member in members if member["device_id"] != me and not member["revoked_at"]]


def export_request(values: dict[str, Any], members: list[dict],
                   me: str) -> tuple[Path, list[str], bool]:
    """(file, recipients, full) from the export form's values, checked."""
    whole = {member["device_id"] for member in members if not member.get("scope")}
    others = [device for _label, device in recipients_of(members, me) if device in whole]
    recipients = others if values["recipient"] == EVERY_MEMBER else [values["recipient"]]
    if not recipients:
        raise DomainError("There is no other member to write a bundle for")
    return usable_file(values["path"], must_exist=False), recipients, values["full"] == "full"


def export_form(members: list[dict], me: str, today: date) -> FormScreen:
    """Where to write a bundle, for whom, and whether to put in everything."""
    choices = [(_("Every other member holding the whole network"), EVERY_MEMBER),
               *recipients_of(members, me)]
    fields = [
        ("path", N_("File"), Input(value=default_bundle_path(today), max_length=PATH_MAX_CHARS)),
        ("recipient", N_("For"), Select(choices, value=EVERY_MEMBER, allow_blank=False)),
        ("full", N_("Contents"), Select([(_("What they lack"), "changes"),
                                         (_("Everything"), "full")],
                                        value="changes", allow_blank=False)),
    ]

    return FormScreen(_("Export a sync bundle"), fields,
                      lambda values: export_request(values, members, me),
                      lambda _request: _("Writing the bundle…"))


def import_form(today: date) -> FormScreen:
    fields = [("path", N_("File"), Input(value=default_bundle_path(today),
                                          max_length=PATH_MAX_CHARS))]
    return FormScreen(_("Import a sync bundle"), fields,
                      lambda values: usable_file(values["path"], must_exist=True),
                      lambda _path: _("Reading the bundle…"))
