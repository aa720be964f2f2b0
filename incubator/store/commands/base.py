"""What every command module shares: the replica written to, new ids, today, lookups."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime

from ...domain import rubric
from ...domain.errors import DomainError, Text
from ...domain.models import RESIDENT_STAGES, Stage, english_label
from ...domain.months import month_of
from ...domain.settings import Settings, SettingsTimeline
from .. import queries
from ..replica import Replica


def refuse_duplicate(name: str, existing: str, message: str) -> None:
    """Refuse `name` because `existing` is the same name (`message` names it); when they
    look different, say that they count as the same."""
    if name == existing:
        raise DomainError(message, name=name)
    raise DomainError("{name} counts as the same name as {existing}, which already exists",
                      name=name, existing=existing)


class Commands:
    """Base of the command mixins: validate with the domain, then write documents."""

    def __init__(self, replica: Replica, *, new_id: Callable[[], str] | None = None) -> None:
        self.replica = replica
        self._new_id = new_id or (lambda: secrets.token_hex(6))

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
        return queries.settings_timeline(self.db)

    def rubric_for(self, month: str) -> rubric.RubricVersion:
        return rubric.rubric_for(queries.rubric_versions(self.db), month)

    def _resident(self, org: str) -> str:
        """The id of a resident organization (startup or growth), else refused."""
        org_id = queries.resolve_org(self.db, org)
        row = queries.org_row(self.db, org_id)
        self._check_in_a_hub(row)
        if row["stage"] not in RESIDENT_STAGES:
            raise DomainError("{name} is not a resident organization (stage {stage})",
                              name=row["name"], stage=Text(english_label(Stage(row["stage"]))))
        return org_id

    @staticmethod
    def _check_in_a_hub(row: dict) -> None:
        """Refuse an organization of the district register alone (no hub, no stage)."""
        if row["hub_id"] is None or row["stage"] is None:
            raise DomainError("{name} is on the district register and not resident in a hub",
                              name=row["name"])
