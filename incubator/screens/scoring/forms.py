"""Correct or delete one organization's monthly score (the detail screen's score list):
the same store commands as the grid (compare-and-set) and `score delete`."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from ...domain import fields as domain_fields
from ...domain.rubric import RubricItem, parse_item_score, rubric_for
from ...i18n import N_, _
from ...store import queries
from ...store.commands import ScoreEntry
from ..widgets.confirm import ConfirmScreen
from ..widgets.checks import checked_input, text_input
from ..widgets.form import Field, FormScreen


def score_input(item: RubricItem, value: str) -> Input:
    """One item's score, refused as the grid's cell and `score set` refuse it."""
    return checked_input(lambda text: parse_item_score(item, text), value, max_length=5,
                         restrict=r"[0-9.]*")


def correct_score_form(store, reader, org: dict, score: dict[str, Any]) -> FormScreen:
    """Every item of the month's rubric, filled with the stored score; saved only if the
    score is still the one the form was opened with (else `StaleEdit` names who changed it)."""
    version = rubric_for(queries.rubric_versions(reader), score["month"])
    fields: list[Field] = [
        (f"item-{n}", f"{item.label} (0–{item.maximum:g})",
         score_input(item, f"{score['items'][item.key]:g}" if item.key in score["items"]
                     else ""))
        for n, item in enumerate(version.items)]
    fields.append(("note", N_("Note"), text_input(domain_fields.NOTE, score["note"] or "")))

    def write(values: dict[str, Any]) -> list[dict[str, Any]]:
        typed = {item.key: float(values[f"item-{n}"]) if values[f"item-{n}"] else None
                 for n, item in enumerate(version.items)}
        return store.set_scores([ScoreEntry(
            org["id"], score["month"], {k: v for k, v in typed.items() if v is not None},
            note=values["note"], opened=score["items"])])

    return FormScreen(
        _("Correct the score of {name} for {month}").format(name=org["name"],
                                                            month=score["month"]),
        fields, write, lambda saved: _("Scored {month}: {total}").format(
            month=score["month"], total=f"{saved[0]['total']:g}"))


def delete_score_question(reader, org: dict, score: dict[str, Any]) -> ConfirmScreen:
    """What deleting the score does, before it is done."""
    labels = {item.key: item.label
              for item in rubric_for(queries.rubric_versions(reader), score["month"]).items}
    items = "、".join(f"{labels.get(key, key)} {value:g}" for key, value in score["items"].items())
    return ConfirmScreen(
        _("Delete the score of {name} for {month}").format(name=org["name"],
                                                           month=score["month"]),
        _("The score of {month}, {total} of {maximum} ({items}), will be deleted. The "
          "deletion is recorded in the history, with this device and the time; the month "
          "can be scored again.").format(month=score["month"], total=f"{score['total']:g}",
                                         maximum=f"{score['max_total']:g}", items=items),
        _("Delete"))
