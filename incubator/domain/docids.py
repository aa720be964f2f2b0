"""The one document-id format: `network`, `hub:<id>`, `org:<id>`, and the documents of
venture-philanthropy rounds and the time bank: `needs:<id>` (one community's needs),
`project:<id>` (a library project), `round:<id>`, `application:<id>`, `person:<id>` (a
volunteer's time-bank account).

Every replica names its Automerge documents this way; the sync protocol, bundles,
the store and the query tables all read and write ids through these functions.
"""

from __future__ import annotations

import re
from enum import StrEnum


class DocKind(StrEnum):
    NETWORK = "network"
    HUB = "hub"
    ORG = "org"
    NEEDS = "needs"
    PROJECT = "project"
    ROUND = "round"
    APPLICATION = "application"
    PERSON = "person"


NETWORK = DocKind.NETWORK.value
ENTITY_ID = r"[\w-]{1,64}"
_ENTITY_KINDS = "|".join(kind.value for kind in DocKind if kind is not DocKind.NETWORK)
DOC_ID = re.compile(rf"^({NETWORK}|(?:{_ENTITY_KINDS}):{ENTITY_ID})$")


def doc_id(kind: DocKind, entity: str) -> str:
    return f"{kind.value}:{entity}"


def org_doc(org_id: str) -> str:
    return doc_id(DocKind.ORG, org_id)


def hub_doc(hub_id: str) -> str:
    return doc_id(DocKind.HUB, hub_id)


def needs_doc(needs_id: str) -> str:
    return doc_id(DocKind.NEEDS, needs_id)


def project_doc(project_id: str) -> str:
    return doc_id(DocKind.PROJECT, project_id)


def round_doc(round_id: str) -> str:
    return doc_id(DocKind.ROUND, round_id)


def application_doc(application_id: str) -> str:
    return doc_id(DocKind.APPLICATION, application_id)


def person_doc(person_id: str) -> str:
    return doc_id(DocKind.PERSON, person_id)


def kind_of(document: str) -> DocKind:
    """The kind of a document id; ValueError for anything that is not one."""
    try:
        return DocKind(document.split(":", 1)[0])
    except ValueError:
        raise ValueError(f"unknown document id {document!r}") from None


def entity_id(document: str) -> str:
    """The entity's id inside its document id (hub, organization, round …)."""
    return document.split(":", 1)[1] if ":" in document else document


def is_doc_id(text: object) -> bool:
    """True for a well-formed document id (the check applied to ids from the wire)."""
    return isinstance(text, str) and DOC_ID.fullmatch(text) is not None


def network_first(document: str) -> tuple[bool, str]:
    """Sort key: the network document (membership, settings) before every other."""
    return document != NETWORK, document


_HEAD = re.compile(r"^[0-9a-f]{64}$")


def is_head(text: object) -> bool:
    """True for a change hash as documents' heads are written: 64 lowercase hex digits."""
    return isinstance(text, str) and _HEAD.fullmatch(text) is not None
