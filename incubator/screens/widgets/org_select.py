"""A picker of resident organizations (optionally of one hub); the value is the org id."""

from __future__ import annotations

from textual.widgets import Select

from ...i18n import _


class OrgSelect(Select[str]):
    def __init__(self, reader, *, hub_id: str | None = None,
                 stages: tuple[str, ...] = ("startup", "growth"), id: str | None = None) -> None:
        marks = ", ".join("?" * len(stages))
        sql = f"SELECT id, name FROM organizations WHERE stage IN ({marks})"
        params = list(stages)
        if hub_id:
            sql += " AND hub_id = ?"
            params.append(hub_id)
        options = [(row["name"], row["id"]) for row in reader.query(sql + " ORDER BY name", params)]
        super().__init__(options, prompt=_("Choose an organization"), id=id)

    @staticmethod
    def chosen(value: object) -> str:
        """The chosen id, or "" when nothing was chosen (the store then refuses it)."""
        return "" if value == Select.NULL else str(value)
