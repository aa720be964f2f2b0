"""Small inputs shared by several areas: a hub picker, a vocabulary picker, a month and a
date field."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from textual.widgets import Input, Select

from ...domain.models import label
from ...domain.months import check_not_future, parse_date, parse_month
from ...i18n import _, language
from ...store import queries
from .checks import DomainCheck
from .choice import Choice

MONTH_CHARS, DATE_CHARS = len("YYYY-MM"), len("YYYY-MM-DD")


class HubSelect(Choice):
    """Every hub by name; the value is the hub id."""

    def __init__(self, reader, *, allow_all: bool = False, id: str | None = None,
                 compact: bool = False) -> None:
        hubs = queries.hub_options(reader)
        super().__init__(hubs, prompt=_("All hubs") if allow_all else _("Choose a hub"),
                         allow_blank=allow_all, id=id, compact=compact,
                         value=Select.NULL if allow_all or not hubs else hubs[0][1])


def enum_select(members: tuple[Enum, ...] | type[Enum], value: Any = Select.NULL, *,
                prompt: str | None = None) -> Choice:
    """A picker of a domain vocabulary in the current language; with `prompt`, it may be
    left blank ("not recorded")."""
    lang = language()
    return Choice([(label(m, lang), m.value) for m in members], value=value,
                  allow_blank=prompt is not None, prompt=prompt or _("Choose"))


class MonthInput(Input):
    """A `YYYY-MM` month that is not in the future."""

    def __init__(self, value: str, today: date, *, id: str | None = None) -> None:
        super().__init__(value, placeholder="YYYY-MM", id=id, max_length=MONTH_CHARS,
                         validators=[DomainCheck(
                             lambda text: check_not_future(parse_month(text), today))])


class DateInput(Input):
    """A `YYYY-MM-DD` date (may be left empty when `optional`)."""

    def __init__(self, value: str = "", *, optional: bool = False, id: str | None = None) -> None:
        super().__init__(value, placeholder="YYYY-MM-DD", id=id, max_length=DATE_CHARS,
                         valid_empty=optional, validators=[DomainCheck(parse_date)])


def is_valid(field: Input) -> bool:
    """Whether the input's current value passes its validators (empty may be allowed)."""
    result = field.validate(field.value)
    return result is None or result.is_valid
