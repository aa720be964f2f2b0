"""The organizations table: fixed columns, rows added a page at a time as you move down.

At 120 columns every column shows; on a narrow terminal (80) the id, category and legal
status columns are dropped and the hub column is shortened, so that the score, the
rating and the flags stay on screen.
"""

from __future__ import annotations

from textual.message import Message

from ...i18n import N_, _
from ..widgets.tables import PlainTable

# (key, msgid, width in cells, width on a narrow terminal or None: left out there);
# fixed widths spare the table measuring every row
COLUMNS = (("id", N_("ID"), 12, None), ("name", N_("Name"), 22, 20),
           ("category", N_("Category"), 8, None), ("hub", N_("Hub"), 16, 8),
           ("stage", N_("Stage"), 8, 8), ("legal_status", N_("Legal status"), 8, None),
           ("last_score10", N_("Last score"), 8, 8), ("stars", N_("Stars"), 6, 6),
           ("flags", N_("Flags"), 14, 11))
NARROW_BELOW = 110  # a table narrower than this (in cells) takes the narrow columns


class OrganizationTable(PlainTable):
    """Row keys are organization ids; asks for more rows when scrolled near the end."""

    class NeedMore(Message):
        """The cursor or the scroll position reached the last rows loaded."""

    class ColumnsChanged(Message):
        """The table switched between its wide and narrow columns: its rows are gone."""

    def __init__(self) -> None:
        super().__init__(id="organizations", cursor_type="row", zebra_stripes=True)
        self.narrow = False
        self._add_columns()

    def _add_columns(self) -> None:
        for key, title, width, narrow in COLUMNS:
            if not self.narrow or narrow is not None:
                self.add_column(_(title), key=key, width=narrow if self.narrow else width)

    def shown_keys(self) -> list[str]:
        """The keys of the columns shown, in order."""
        return [str(column.key.value) for column in self.ordered_columns]

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW_BELOW
        if narrow != self.narrow:
            self.narrow = narrow
            self.clear(columns=True)
            self._add_columns()
            self.post_message(self.ColumnsChanged())

    def near_the_end(self) -> bool:
        """Whether the cursor or the scrolled view is within 5 rows of the last row loaded."""
        return bool(self.row_count) and (
            self.cursor_row >= self.row_count - 5
            or self.scroll_y + self.scrollable_content_region.height >= self.row_count - 5)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.near_the_end():
            self.post_message(self.NeedMore())
