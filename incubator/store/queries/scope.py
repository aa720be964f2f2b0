"""Scopes: what a field device holds of the district (partial replication)."""

from __future__ import annotations

from .base import value


def replica_scope(db) -> str | None:
    """This device's own scope as the membership states it (None: the whole network):
    counts and rankings over such a replica cover only the organizations it holds."""
    return value(db, "SELECT scope FROM members WHERE device_id = "
                     "(SELECT value FROM replica_meta WHERE key = 'device_id')") or None


def scope_term_matches(db, key: str, name: str) -> int:
    """How many organizations a town or village term names (villages: a village or a
    community)."""
    if key == "town":
        return value(db, "SELECT count(*) FROM organizations WHERE town = ?", (name,))
    return value(db, "SELECT count(*) FROM organizations WHERE village = ? OR community = ?",
                 (name, name))
