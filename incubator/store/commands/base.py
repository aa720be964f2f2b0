"""What every command module shares: the replica written to, new ids, today, lookups."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ...domain import rubric
from ...domain.docids import NETWORK
from ...domain.errors import DomainError, Text
from ...domain.models import RESIDENT_STAGES, Stage, english_label
from ...domain.months import month_of
from ...domain.settings import Settings, SettingsTimeline
from .. import journal, queries
from ..replica import Replica


def refuse_duplicate(name: str, existing: str, message: str) -> None:
    """Refuse `name` because `existing` is the same name (`message` names it); when they
    look different, say that they count as the same."""
    if name == existing:
        raise DomainError(message, name=name)
    raise DomainError("{name} counts as the same name as {existing}, which already exists",
                      name=name, existing=existing)


class StaleEdit(DomainError):
    """A compare-and-set write refused: the stored value is no longer the one the form was
    opened with. `newer` is the stored value (as the form shows it), `device` and `at` say
    who wrote it and when; nothing was written for that record."""

    def __init__(self, what: str | Text, newer: Any, shown: str | Text,
                 writer: journal.Entry | None):
        self.newer = newer
        self.device = writer.device_name if writer else ""
        self.at = writer.at[:16].replace("T", " ") if writer else ""
        super().__init__("{what} was changed elsewhere to {newer} by {device} ({at}) since "
                         "you opened it: nothing was saved for it",
                         what=what, newer=shown, device=self.device, at=self.at)


class Commands:
    """Base of the command mixins: validate with the domain, then write documents."""

    def __init__(self, replica: Replica, *, new_id: Callable[[], str] | None = None) -> None:
        self.replica = replica
        self._new_id = new_id or (lambda: secrets.token_hex(6))
        self._of_network: dict[str, tuple[Any, Any]] = {}

    @property
    def db(self):
        return self.replica.db

    def transaction(self):
        """Group several commands into one durable transaction (all or nothing)."""
        return self.replica.transaction()

    @property
    def clock(self) -> Callable[[], datetime]:
        """This replica's clock (`INCUBATOR_NOW` in demos and tests)."""
        return self.replica.clock

    def today(self) -> date:
        return self.replica.clock().date()

    def now_iso(self) -> str:
        """Now, as the UTC ISO time stored in records and the sync log."""
        return self.replica.now_iso()

    def settings(self, month: str | None = None) -> Settings:
        """The settings in force in `month` (default: this month)."""
        return self.timeline().at(month or month_of(self.today()))

    def timeline(self) -> SettingsTimeline:
        return self._network_rows(queries.settings_timeline)

    def rubric_for(self, month: str) -> rubric.RubricVersion:
        return rubric.rubric_for(self.rubric_versions(), month)

    def rubric_versions(self) -> list[rubric.RubricVersion]:
        return self._network_rows(queries.rubric_versions)

    def _network_rows(self, read: Callable[[Any], Any]) -> Any:
        """`read(db)`, a read of rows the network document alone makes (settings, rubrics),
        read again only once that document changed: a score save reads both."""
        heads = self.db.execute("SELECT heads FROM documents WHERE doc_id = ?",
                                (NETWORK,)).fetchone()
        cached = self._of_network.get(read.__name__)
        if cached is None or cached[0] != heads:
            cached = self._of_network[read.__name__] = (heads, read(self.db))
        return cached[1]

    def _refuse_if_changed(self, doc_id: str, field: str, opened: Any, stored: Any,
                           what: str | Text, shown: Callable[[Any], str | Text] = str) -> None:
        """Compare-and-set: refuse (`StaleEdit`, naming the newer value and its writer)
        when `stored`, the value now in the replica, is not `opened`, the value the form
        was opened with. Call it inside the write's transaction."""
        if stored != opened:
            raise StaleEdit(what, stored, shown(stored),
                            journal.last_writer(self.replica.tree(doc_id), field))

    def _resident(self, org: str) -> str:
        """The id of a resident organization (startup or growth), else refused."""
        return self._resident_row(org)["id"]

    def _resident_row(self, org: str) -> dict:
        """The organizations row of a resident organization, else refused."""
        row = queries.resolve_org_row(self.db, org)
        self._check_in_a_hub(row)
        if row["stage"] not in RESIDENT_STAGES:
            raise DomainError("{name} is not a resident organization (stage {stage})",
                              name=row["name"], stage=Text(english_label(Stage(row["stage"]))))
        return row

    @staticmethod
    def _check_in_a_hub(row: dict) -> None:
        """Refuse an organization of the district register alone (no hub, no stage)."""
        if row["hub_id"] is None or row["stage"] is None:
            raise DomainError("{name} is on the district register and not resident in a hub",
                              name=row["name"])
