"""Who may write what: the roles of member devices, checked on every change received.

Documents are of three kinds: `network` (settings, rubric, membership), `hub`
(spaces, allocations) and `org` (one organization's record). `WRITABLE` says, for each
role, which key paths of which kind of document it may write: a hub anything; a field
device, in an organization's record, the monthly scores, the service hours logged for a
waiver, the profile's notes, activities, visits, trainings, the archives checklist and its own
journal entries (field staff visit and score; registering, renaming, stage changes, graduation, exit, waivers, interviews and reviews
are a centre manager's, domain.md), a community's needs (home visits, questionnaires) and
volunteers' time-bank accounts; an evaluator (a third-party evaluation agency) the
library projects it merges needs into and the evaluations of funded projects, nothing
else; a viewer nothing. Revoked members and unknown devices write nothing. A new area
that field staff record adds its rows here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from .docids import DocKind
from .errors import N_, DomainError, Text
from .models import Role

Path = tuple[str, ...]

# Key paths, "/"-separated; "*" stands for any one key. A path covers everything below it.
WRITABLE: dict[Role, dict[DocKind, tuple[str, ...]]] = {
    Role.HUB: {kind: ("*",) for kind in DocKind},
    Role.FIELD: {DocKind.ORG: (
        "scores/*",         # monthly scores, with their notes
        "service/*",        # service-for-rent hours delivered
        "profile/notes",    # what a visit found
        "activities/*",     # activity records
        "visits/*",         # field visits, with the archive items they checked
        "trainings/*",      # trainings attended
        "archives/*",       # the archives checklist
        "log/*", "clock/*",  # the journal: who changed what, and when
    ),
        DocKind.NEEDS: ("*",),  # residents' needs gathered in the villages
        DocKind.PERSON: ("*",)},  # time-bank deposits and draws
    Role.VIEWER: {},
    Role.EVALUATOR: {
        DocKind.PROJECT: ("*",),  # the project library: needs merged into projects
        DocKind.APPLICATION: ("evaluations/*", "log/*", "clock/*"),  # the three phases
    },
}

KIND_LABELS = {
    DocKind.NETWORK: N_("network settings and membership"),
    DocKind.HUB: N_("hub spaces and allocations"),
    DocKind.ORG: N_("organization records"),
    DocKind.NEEDS: N_("residents' needs"),
    DocKind.PROJECT: N_("the project library"),
    DocKind.ROUND: N_("venture-philanthropy rounds"),
    DocKind.APPLICATION: N_("applications to a round"),
    DocKind.PERSON: N_("time-bank accounts"),
}

AREA_LABELS = {
    "profile": N_("the organization's profile"),
    "scores": N_("monthly scores"),
    "service": N_("service hours"),
    "waivers": N_("fee waivers"),
    "interviews": N_("warning interviews"),
    "reviews": N_("annual reviews"),
    "graduation": N_("graduation"),
    "exit": N_("the organization's exit"),
    "activities": N_("activity records"),
    "visits": N_("field visits"),
    "trainings": N_("trainings"),
    "archives": N_("the archives checklist"),
    "awards": N_("awards"),
}
# what the same first key means in an application's document
APPLICATION_AREA_LABELS = {
    "profile": N_("the application"),
    "reviews": N_("review scores"),
    "payments": N_("payments"),
    "recoveries": N_("funds recovered"),
    "evaluations": N_("evaluations"),
}


def _patterns(role: str | None, doc_kind: str) -> tuple[Path, ...]:
    """The paths `role` may write in a `doc_kind` document (none for a role that is not
    one: a member record's role is whatever its author stored)."""
    return _role_patterns(role, doc_kind) if isinstance(role, str) else ()


@lru_cache(maxsize=256)
def _role_patterns(role: str, doc_kind: str) -> tuple[Path, ...]:
    try:
        rows = WRITABLE[Role(role)].get(DocKind(doc_kind), ())
    except ValueError:
        return ()
    return tuple(tuple(row.split("/")) for row in rows)


def _covers(pattern: Path, path: Path) -> bool:
    return len(path) >= len(pattern) and all(
        key == "*" or key == part for key, part in zip(pattern, path))


def may_write(role: str | None, doc_kind: str) -> bool:
    """True when a member of `role` may author changes to some part of a `doc_kind`
    document."""
    return bool(_patterns(role, doc_kind))


def may_write_path(role: str | None, doc_kind: str, path: Path) -> bool:
    """True when a member of `role` may change the value at `path` (and all below it)."""
    return any(_covers(pattern, path) for pattern in _patterns(role, doc_kind))


def may_write_below(role: str | None, doc_kind: str, path: Path) -> bool:
    """True when a member of `role` may change anything inside the map at `path` (but
    not necessarily replace the map itself): no need to look inside it."""
    return may_write_path(role, doc_kind, (*path, "*"))


def whole_document(role: str | None, doc_kind: str) -> bool:
    """True when `role` may write every path of a `doc_kind` document (no path check)."""
    return may_write_below(role, doc_kind, ())


def refusal(member: Mapping | None, doc_kind: str, device: str) -> Text | None:
    """Why a change by `member` (its member record, None if unknown) to a `doc_kind`
    document is refused, or None when its role allows some change to it."""
    if member is None:
        return Text(N_("a change by {device}, which is not a member"), {"device": device})
    if member.get("revoked_at"):
        return Text(N_("a change by {device}, whose membership was revoked"), {"device": device})
    if not may_write(member.get("role"), doc_kind):
        return Text(N_("a change to {what} by {device}, a {role} device"),
                    {"what": Text(KIND_LABELS[doc_kind]), "device": device,
                     "role": str(member.get("role"))})
    return None


def path_refusal(role: str | None, doc_kind: str, paths: Iterable[Path],
                 device: str) -> Text | None:
    """Why a change by a `role` device that modified `paths` is refused (naming what it
    may not write, the organization's profile first), or None when its role allows
    every one of them."""
    labels = APPLICATION_AREA_LABELS if doc_kind == DocKind.APPLICATION else AREA_LABELS
    areas = list(labels)
    refused = sorted((path for path in paths if not may_write_path(role, doc_kind, path)),
                     key=lambda path: areas.index(path[0]) if path[0] in areas else len(areas))
    if not refused:
        return None
    area = labels.get(refused[0][0])
    return Text(N_("a change to {what} ({paths}) by {device}, a {role} device"),
                {"what": Text(area) if area else Text(KIND_LABELS[doc_kind]),
                 "paths": ", ".join("/".join(path)[:60] for path in refused[:3])
                 + (" …" if len(refused) > 3 else ""),
                 "device": device, "role": str(role)})


def check_revocable(device: str, member: Mapping | None, me: str) -> None:
    """Refuse revoking `device` (its member record `member`, None if it is not one) from
    this device `me`: nobody revokes itself, a non-member or a member twice."""
    if member is None:
        raise DomainError("No member with device ID {device_id}", device_id=device)
    if device == me:
        raise DomainError("A device cannot revoke itself")
    if member.get("revoked_at"):
        raise DomainError("{name} is already revoked", name=member.get("name", device))
