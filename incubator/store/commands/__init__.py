"""Everything a person can do to the data: validated by the domain, written as documents.

One module per aggregate; `Store` puts them together over one replica. Each command
validates first (raising `DomainError`, which changes nothing) and then writes one or
more documents inside one replica transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...domain import organization, rubric
from ...domain.categories import resolve_category
from ...domain.docids import NETWORK
from ...domain.errors import DomainError
from ...domain.models import Role
from ...domain.settings import Settings
from .. import files
from ..identity import Card, Identity, new_identity
from ..ports import StorageError, SyncPort
from ..replica import Clock
from .categories import CategoryCommands
from .fieldwork import ActivityEntry, FieldworkCommands, VisitEntry
from .hubs import HubCommands
from .imports import ImportCommands, RosterImport, RowOutcome
from .leaving import GraduationRefused, LeavingCommands
from .network import NetworkCommands, clean_device_name, rubric_map
from .organizations import OrganizationCommands
from .portable import PortableCommands
from .base import StaleEdit
from .records import RecordCommands
from .reviews import ReviewCommands
from .rounds import RoundCommands, TimebankCommands
from .scope import PruneSummary, ScopeCommands
from .scores import ScoreCommands, ScoreEntry
from .waivers import WaiverCommands
from .warnings import ORDERED_EXIT_REASON, WarningCommands
from .writes import set_all

__all__ = ["ActivityEntry", "GraduationRefused", "ORDERED_EXIT_REASON", "PruneSummary",
           "RosterImport", "RowOutcome", "ScoreEntry", "StaleEdit", "StorageError", "Store",
           "VisitEntry"]

class Store(NetworkCommands, ImportCommands, OrganizationCommands, ScoreCommands,
            WarningCommands, LeavingCommands, HubCommands, ReviewCommands, WaiverCommands,
            RecordCommands, FieldworkCommands, CategoryCommands, PortableCommands,
            RoundCommands, TimebankCommands, ScopeCommands):
    """The replica's write API: every command, plus opening and maintaining the file."""

    @classmethod
    def open(cls, home: Path, *, clock: Clock | None = None) -> Store:
        return cls(files.open_replica(home, clock))

    @classmethod
    def init(cls, home: Path, hub_name: str, device_name: str | None = None,
             hub_category: str | None = None, *, clock: Clock | None = None,
             new_id: Callable[[], str] | None = None,
             identity_seed: bytes | None = None) -> Store:
        """A new network whose first hub is this device's."""
        name = organization.clean_name(hub_name)
        category = resolve_category(hub_category) if hub_category else None  # the defaults
        device = clean_device_name(device_name or name)
        store = cls(files.create(home, new_identity(device, identity_seed), clock), new_id=new_id)
        me = store.identity
        with store.replica.transaction():
            store.replica.change(NETWORK, "Created the network", {}, lambda ed: set_all(ed, {
                ("settings",): Settings().to_mapping(),
                ("rubrics", rubric.DEFAULT_RUBRIC.from_month): rubric_map(rubric.DEFAULT_RUBRIC),
                ("members", me.device_id): store.member_record(Card.of(me), Role.HUB, device),
            }), create=True)
            store._create_hub(name, category)
        return store

    @classmethod
    def join(cls, home: Path, card: Card, device_name: str, *,
             clock: Clock | None = None) -> Store:
        """A new, empty replica that pins the device on `card` as its first peer.

        It holds no documents until a hub has added it (`member add`) and it has
        synced; until then it refuses every edit."""
        device = clean_device_name(device_name)
        replica = files.create(home, new_identity(device), clock)
        if card.device_id == replica.identity.device_id:
            raise DomainError("This card is this device's own")
        with replica.transaction():
            replica.save_peer(card.device_id, name=card.name, certificate=card.certificate_pem,
                              address=card.address)
        return cls(replica)

    @classmethod
    def restore(cls, backup: Path, home: Path, *, replace: bool = False,
                clock: Clock | None = None) -> Store:
        """Put a backup in place as this home's replica, under a new Automerge actor."""
        return cls(files.restore(backup, home, replace=replace, clock=clock))

    def close(self) -> None:
        self.replica.close()

    @property
    def identity(self) -> Identity:
        return self.replica.identity

    @property
    def port(self) -> SyncPort:
        """What sync needs of this replica (documents, merges, its own bookkeeping)."""
        return self.replica

    def reindex(self) -> int:
        return self.replica.reindex()

    def compact(self, limit: int | None = None, *, wait: float | None = None) -> int:
        """Compact up to `limit` documents stored with change chunks (`Replica.compact`):
        what an idle moment does."""
        return self.replica.compact(limit=limit, wait=wait)

    def verify(self) -> list[str]:
        return self.replica.verify()

    def backup(self, out: Path, progress: Callable[[int, int], None] | None = None) -> None:
        self.replica.backup(out, progress)
