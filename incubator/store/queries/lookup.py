"""Resolving what a person typed (an id, an id prefix or a name) to one record."""

from __future__ import annotations

from ...domain.docids import NETWORK, hub_doc, org_doc
from ...domain.errors import DomainError
from ...domain.errors import N_
from ...domain.names import name_key
from .base import Row, rows, value

UNKNOWN = {
    "organizations": N_("Unknown organization: {value}"),
    "hubs": N_("Unknown hub: {value}"),
    "spaces": N_("Unknown space: {value}"),
}


def _several(text: str, found: list[Row]) -> DomainError:
    return DomainError("{value} matches several: {matches}", value=text,
                       matches=", ".join(f"{r['id']} {r['name']}" for r in found[:5]))


def _resolve(db, table: str, text: str, where: str = "1", params: tuple = ()) -> Row:
    """The one row whose id or name is `text`, or whose id starts with it."""
    text = (text or "").strip()
    if not text:
        raise DomainError(UNKNOWN[table], value=text)
    exact = rows(db, f"SELECT * FROM {table} WHERE ({where}) AND (id = ? OR name = ?)",
                 (*params, text, text))
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise _several(text, exact)
    prefix = rows(db, f"SELECT * FROM {table} WHERE ({where}) AND id LIKE ? LIMIT 6",
                  (*params, text.lower().replace("%", "").replace("_", "") + "%"))
    if len(prefix) == 1:
        return prefix[0]
    if len(prefix) > 1:
        raise _several(text, prefix)
    raise DomainError(UNKNOWN[table], value=text)


def resolve_org(db, text: str) -> str:
    """An organization's id from its id, an unambiguous id prefix or its exact name."""
    return resolve_org_row(db, text)["id"]


def resolve_org_row(db, text: str) -> Row:
    """The organizations row `resolve_org` finds."""
    return _resolve(db, "organizations", text)


def resolve_hub(db, text: str) -> str:
    return _resolve(db, "hubs", text)["id"]


def resolve_space(db, text: str, hub_id: str | None = None) -> Row:
    if hub_id:
        return _resolve(db, "spaces", text, "hub_id = ?", (hub_id,))
    return _resolve(db, "spaces", text)


def resolve_doc(db, text: str) -> str:
    """A document id from `network`, a hub or an organization reference."""
    if text == NETWORK:
        return NETWORK
    try:
        return org_doc(resolve_org(db, text))
    except DomainError:
        try:
            return hub_doc(resolve_hub(db, text))
        except DomainError:
            raise DomainError("Unknown organization or hub: {value}", value=text) from None


def org_row(db, org_id: str) -> Row:
    return rows(db, "SELECT * FROM organizations WHERE id = ?", (org_id,))[0]


def org_name(db, org_id: str) -> str:
    return org_row(db, org_id)["name"]


def hub_name(db, hub_id: str) -> str:
    return value(db, "SELECT name FROM hubs WHERE id = ?", (hub_id,)) or hub_id


def hub_named(db, name: str) -> str | None:
    """The name of the hub whose name is the same as `name` (`name_key`), if any."""
    return value(db, "SELECT name FROM hubs WHERE name_key = ?", (name_key(name),))


def org_named_in_hub(db, name: str, hub_id: str | None, except_id: str | None = None) -> str | None:
    """The name of another organization of the hub (of the district register, for None)
    whose name is the same as `name`."""
    return value(db, "SELECT name FROM organizations WHERE name_key = ? AND hub_id IS ? "
                     "AND id IS NOT ?", (name_key(name), hub_id, except_id))


def space_named_in_hub(db, name: str, hub_id: str, except_id: str | None = None) -> str | None:
    """The name of the hub's space (other than `except_id`) whose name is the same as
    `name`, if any."""
    return value(db, "SELECT name FROM spaces WHERE hub_id = ? AND name_key = ? AND id IS NOT ?",
                 (hub_id, name_key(name), except_id))


def first_hub(db) -> str | None:
    return value(db, "SELECT id FROM hubs ORDER BY rowid LIMIT 1")
