"""Scopes: what part of the network a field or viewer device holds, and pruning what a
device no longer needs once it is safely held elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...domain.device import parse_device_id
from ...domain.docids import NETWORK
from ...domain.errors import DomainError
from ...domain.models import Role
from ...domain.scope import parse_terms, scope_of, stored_scope
from .. import queries
from .base import Commands
from .writes import set_all


@dataclass
class PruneSummary:
    """Organizations removed from this replica, and those kept because no hub is known
    to hold everything this replica has of them."""

    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"removed": self.removed, "kept": self.kept}


class ScopeCommands(Commands):
    def set_member_scope(self, device_id: str, scope: str) -> str:
        """Give a member a scope (`town:…,village:…,org:…`), or the whole network again
        (`all`, or nothing); returns the scope's canonical text ('' for everything)."""
        device = parse_device_id(device_id)
        member = next((m for m in queries.members(self.db) if m["device_id"] == device), None)
        if member is None:
            raise DomainError("No member with device ID {device_id}", device_id=device)
        if member["revoked_at"]:
            raise DomainError("{name} is already revoked", name=member["name"])
        text = self._scope_text(scope, Role(member["role"]))
        self.replica.change(
            NETWORK, "Set the scope of {name}: {scope}",
            {"name": member["name"], "scope": text or "*"},
            lambda ed: set_all(ed, {("members", device, "scope"): text}))
        return text

    def _scope_text(self, scope: str | None, role: Role) -> str:
        """A scope's canonical text, every term checked against the register (a town or
        village that names no organization is a typo); organizations are named by id,
        id prefix or name and kept by id."""
        terms = parse_terms(scope or "")
        if terms and role is Role.HUB:
            raise DomainError("A hub holds the whole network: only field and viewer devices "
                              "have a scope")
        resolved = []
        for key, value in terms:
            if key == "org":
                value = queries.resolve_org(self.db, value)
            elif not queries.scope_term_matches(self.db, key, value):
                raise DomainError("No organization is in {term}: check the name",
                                  term=f"{key}:{value}")
            resolved.append((key, value))
        found = scope_of(resolved)
        return found.text() if found else ""

    def prune(self) -> PruneSummary:
        """Remove the organizations outside this device's scope that a current hub is
        known to hold with everything this replica has of them (by the heads it last
        reported); the others are kept and listed: sync them first."""
        me = self.replica.identity.device_id
        scope = stored_scope(queries.replica_scope(self.db))
        if scope is None:
            raise DomainError("This device holds the whole network: there is nothing to prune")
        hubs = [device for device, member in self.replica.members().items()
                if member["role"] == Role.HUB.value and not member["revoked_at"]
                and device != me]
        held = [self.replica.peer_heads(hub) for hub in hubs]
        mine = self.replica.document_heads()
        summary = PruneSummary()
        outside = []
        for doc_id, org_id, town, village, community in self.replica.org_places():
            if scope.covers(org_id, town, village, community):
                continue
            heads = set(mine[doc_id].split(","))
            name = queries.org_name(self.db, org_id)
            if any(heads <= set((copy.get(doc_id) or "").split(",")) for copy in held):
                outside.append(doc_id)
                summary.removed.append(name)
            else:
                summary.kept.append(name)
        if outside:
            self.replica.remove_documents(outside)
        return summary
