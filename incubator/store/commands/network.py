"""The network document: members and their roles, settings, rubric versions."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

from ...domain import fields, rubric
from ...domain.device import parse_device_id
from ...domain.docids import NETWORK
from ...domain.membership import check_revocable
from ...domain.errors import DomainError
from ...domain.models import Role, parse_enum
from ...domain.months import month_add, month_of, parse_month
from ...domain.settings import Settings
from .. import queries
from ..identity import Card, protect
from .base import Commands
from .writes import replace, set_all


def rubric_map(version: rubric.RubricVersion) -> dict[str, dict[str, Any]]:
    return {item.key: {"label": item.label, "maximum": float(item.maximum), "position": i}
            for i, item in enumerate(version.items)}


def clean_device_name(name: str) -> str:
    return fields.DEVICE_NAME.clean(name, required=True)


class NetworkCommands(Commands):
    def member_record(self, card: Card, role: Role, name: str) -> dict[str, Any]:
        return {"name": name, "role": role.value, "added_by": self.replica.identity.device_id,
                "added_at": self.replica.now_iso(), "certificate": card.certificate_pem,
                "bundle_key": base64.b64encode(card.bundle_key).decode(),
                "address": card.address, "revoked_at": None}

    def add_member(self, card: Card, role: str, name: str | None = None,
                   scope: str | None = None) -> str:
        """Add (or re-add, with a new role) the device on `card`; returns its device ID.
        `scope` (`town:…,village:…,org:…`) limits what a field or viewer device holds."""
        if card.device_id == self.replica.identity.device_id:
            raise DomainError("This card is this device's own")
        member_role = parse_enum(Role, role)
        member_name = clean_device_name(name or card.name)
        record = self.member_record(card, member_role, member_name)
        record["scope"] = self._scope_text(scope, member_role)
        self.replica.change(
            NETWORK, "Added member {name} ({role})",
            {"name": member_name, "role": member_role.value},
            lambda ed: set_all(ed, {("members", card.device_id): record}))
        return card.device_id

    def revoke_member(self, device_id: str) -> None:
        """Revoke a member: its connections and its future bundles are refused."""
        device = parse_device_id(device_id)
        member = next((m for m in queries.members(self.db) if m["device_id"] == device), None)
        check_revocable(device, member, self.replica.identity.device_id)
        self.replica.change(
            NETWORK, "Revoked member {name}", {"name": member["name"]},
            lambda ed: set_all(ed, {("members", device, "revoked_at"): self.replica.now_iso()}))

    def protect_keys(self, passphrase: str) -> None:
        """Encrypt this device's private keys at rest with `passphrase`."""
        identity = self.replica.identity
        if identity.protected:
            raise DomainError("This device's keys are already protected")
        self.replica.set_keys(protect(identity.private_key_pem, passphrase),
                              protect(identity.bundle_key_pem, passphrase))

    def set_settings(self, texts: Mapping[str, str], from_month: str | None = None) -> Settings:
        """Change settings together from a month on (default and earliest: next month; the
        review weights must still add up to 100). The months up to this one keep the
        settings in force then: they may already be scored and judged."""
        if not texts:
            raise DomainError("Nothing to change")
        first = month_add(month_of(self.today()), 1)
        month = parse_month(from_month) if from_month else first
        if month < first:
            raise DomainError("Settings change from next month ({first}) or a later one: this "
                              "month and the past keep the settings in force then",
                              first=first)
        updated = self.timeline().with_change(month, texts)
        values = {key: updated.at(month).to_mapping()[key] for key in texts}
        self.replica.change(
            NETWORK, "Changed settings from {month}: {changes}",
            {"month": month, "changes": ", ".join(f"{k}={v}" for k, v in values.items())},
            lambda ed: set_all(ed, {("settings", f"{k}@{month}"): v for k, v in values.items()}))
        return updated.at(month)

    def set_rubric(self, from_month: str, items: Iterable[rubric.RubricItem]
                   ) -> rubric.RubricVersion:
        version = rubric.RubricVersion(parse_month(from_month), tuple(items))
        rubric.validate_rubric(version)
        scored_after = queries.scored_before_rubric(self.db, version.from_month)
        if scored_after:
            raise DomainError(
                "{count} monthly scores from {month} on were entered with the earlier rubric; "
                "choose a later month", count=scored_after, month=version.from_month)
        self.replica.change(
            NETWORK, "Set the rubric from {month}", {"month": version.from_month},
            lambda ed: replace(ed, ("rubrics", version.from_month), rubric_map(version)),
        )
        return version
