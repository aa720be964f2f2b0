"""A member's scope: the part of the district a device holds (partial replication).

A field laptop need not carry the whole district, only the organizations its worker
visits: its member record may name towns (街道/乡镇), villages or communities (村/社区)
and single organizations; an organization is in the scope when any of them names it.
Hubs hold the whole network (no scope). The network document and the hubs' documents
(their names and rooms, which every organization list shows) are part of every scope.

A scope is kept in the member record as its canonical text, `town:柳营街道,village:白沙村,
org:0a1b2c3d4e5f`; an empty text is the whole network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import DomainError

# the words a term may start with (English, then Chinese), → the canonical key
TERM_KEYS = {
    "town": "town", "street": "town", "街道": "town", "乡镇": "town", "镇": "town",
    "village": "village", "community": "village", "村": "village", "社区": "village",
    "org": "org", "organization": "org", "组织": "org",
}
WHOLE = ("", "all", "全部")
MAX_TERMS = 500


@dataclass(frozen=True)
class Scope:
    """Towns, villages (or communities) and organization ids; never empty."""

    towns: frozenset[str] = frozenset()
    villages: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()

    def covers(self, org_id: str, town: str | None, village: str | None,
               community: str | None) -> bool:
        """Whether an organization (by its id and where it is) is in the scope."""
        return (org_id in self.orgs or (town or "") in self.towns
                or (village or "") in self.villages or (community or "") in self.villages)

    def text(self) -> str:
        """The canonical text kept in the member record."""
        return ",".join([*(f"town:{name}" for name in sorted(self.towns)),
                         *(f"village:{name}" for name in sorted(self.villages)),
                         *(f"org:{org}" for org in sorted(self.orgs))])

    def terms(self) -> list[tuple[str, str]]:
        return [tuple(term.split(":", 1)) for term in self.text().split(",")]


def parse_terms(text: str) -> list[tuple[str, str]]:
    """(key, value) of each comma-separated term (`town:…`, `village:…`, `org:…`, or the
    Chinese words for them); [] for the whole network."""
    if text is None or text.strip() in WHOLE:
        return []
    terms = []
    for part in text.replace("，", ",").split(","):
        if not part.strip():
            continue
        key, sep, value = part.replace("：", ":").partition(":")
        canonical = TERM_KEYS.get(key.strip().lower())
        if not sep or canonical is None or not value.strip():
            raise DomainError("{term} is not a scope term: use town:NAME, village:NAME or "
                              "org:ORGANIZATION, separated by commas", term=part.strip()[:60])
        if len(value.strip()) > 120 or "," in value:
            raise DomainError("{term} is not a scope term: use town:NAME, village:NAME or "
                              "org:ORGANIZATION, separated by commas", term=part.strip()[:60])
        terms.append((canonical, value.strip()))
    if len(terms) > MAX_TERMS:
        raise DomainError("A scope has at most {count} terms", count=MAX_TERMS)
    return terms


def scope_of(terms: Iterable[tuple[str, str]]) -> Scope | None:
    """The scope of resolved terms (organizations by id); None for the whole network."""
    found: dict[str, set[str]] = {"town": set(), "village": set(), "org": set()}
    for key, value in terms:
        found[key].add(value)
    if not any(found.values()):
        return None
    return Scope(frozenset(found["town"]), frozenset(found["village"]), frozenset(found["org"]))


def stored_scope(text: object) -> Scope | None:
    """The scope a member record holds (None: the whole network). A malformed value (a
    member's other software) holds nothing beyond the network: an empty organization
    list, never the whole network."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return scope_of(parse_terms(text)) or Scope(orgs=frozenset({""}))
    except DomainError:
        return Scope(orgs=frozenset({""}))
