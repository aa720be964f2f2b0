"""ctrl+z: the last change made in the app since it opened, written back.

Undoing writes the previous values as a new change through the store's commands, so the
history records it, by this device. It is compare-and-set: when the values written have
been changed elsewhere since, nothing is undone and the refusal names the newer value.
What can be undone this way: a profile edit, the monthly scores saved from the grid and
an annual review. Anything else (an interview, a waiver, a graduation …) is reversed by
its own command, and ctrl+z says so rather than undo an older change behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

from ..i18n import _
from ..store.commands import ScoreEntry

if TYPE_CHECKING:
    from ..store.commands import Store


@dataclass(frozen=True)
class Undo:
    what: str  # the change, translated ("the profile of 书画社: 联系人")
    restores: str  # the previous values it writes back, translated
    revert: Callable[[Store], Any]  # runs in a worker


@dataclass
class Undone(Message):
    """An undo was written; `message` says what, translated."""

    message: str


@dataclass
class UndoRefused(Message):
    """An undo was refused (changed elsewhere since) or could not be stored."""

    message: str


@dataclass(frozen=True)
class Change:
    """A change saved in the app: its notice, and how to undo it (None: not with ctrl+z)."""

    said: str
    undo: Undo | None


def shown(value: Any) -> str:
    return _("(empty)") if value in (None, "") else str(value)


def profile_undo(org_id: str, name: str, written: Mapping[str, Any],
                 before: Mapping[str, Any], titles: Mapping[str, str],
                 text: Callable[[str, Any], str]) -> Undo:
    """The fields `written` (their cleaned values) back to `before`; `titles` are their
    translated names and `text(field, value)` a value as the form shows it."""
    fields = sorted(written)
    return Undo(
        _("the profile of {name}: {fields}").format(
            name=name, fields="、".join(titles[key] for key in fields)),
        "、".join(f"{titles[key]} {shown(text(key, before[key]))}" for key in fields),
        lambda store: store.edit_org(
            org_id, {key: "" if before[key] is None else before[key] for key in fields},
            opened=dict(written)))


@dataclass(frozen=True)
class ScoreBefore:
    """One organization's score of the month before a save: None when there was none."""

    org_id: str
    name: str
    items: Mapping[str, float] | None
    note: str
    total: str  # as shown: "7.5/10"


def scores_undo(month: str, before: list[ScoreBefore],
                written: Mapping[str, Mapping[str, float]]) -> Undo:
    """The scores of `month` saved for each organization (`written`, by org id) back to
    what they were: the previous score, or none."""

    def revert(store: Store) -> None:
        with store.transaction():
            again = [ScoreEntry(row.org_id, month, row.items, note=row.note,
                                opened=written[row.org_id]) for row in before if row.items]
            if again:
                store.set_scores(again)
            for row in before:
                if not row.items:
                    store.delete_score(row.org_id, month, opened=written[row.org_id])

    return Undo(
        _("the scores of {month}: {names}").format(
            month=month, names="、".join(row.name for row in before)),
        "、".join(f"{row.name} {row.total if row.items else _('no score')}" for row in before),
        revert)


def review_undo(org_id: str, name: str, year: int, before: Mapping[str, Any],
                written: Mapping[str, Any]) -> Undo:
    """A review saved back to the one before it (`review_values`; {} for none)."""

    def revert(store: Store) -> None:
        if before:
            store.set_review(org_id, year, before["self"], before["peer"], before["public"],
                             before["party"], opened=dict(written))
        else:
            store.delete_review(org_id, year, opened=dict(written))

    restores = _("no review") if not before else _(
        "self {self}, peer {peer}, public {public}, party building {party}").format(
            self=f"{before['self']:g}", peer=f"{before['peer']:g}",
            public=f"{before['public']:g}", party=_("met") if before["party"] else _("not met"))
    return Undo(_("the review of {name} for {year}").format(name=name, year=year), restores,
                revert)
