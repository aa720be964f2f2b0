"""The organizations table: fixed columns, rows added a page at a time as you move down.

At 120 columns every column shows; on a narrow terminal (80) the id, category and legal
status columns are left out and the name, hub and flags columns are narrower, so that the
score, the rating and the flags stay on screen.
"""

from __future__ import annotations

from textual.message import Message

from ...i18n import N_
from ..widgets.tables import KEEP, Column, NarrowingTable

# fixed widths (in cells) spare the table measuring every row
COLUMNS = (Column("id", N_("ID"), 12, None), Column("name", N_("Name"), 22, 20),
           Column("category", N_("Category"), 8, None), Column("hub", N_("Hub"), 16, 8),
           Column("stage", N_("Stage"), 8, KEEP),
           Column("legal_status", N_("Legal status"), 8, None),
           Column("last_score10", N_("Last score"), 8, KEEP),
           Column("stars", N_("Stars"), 6, KEEP), Column("flags", N_("Flags"), 14, 11))


class OrganizationTable(NarrowingTable):
    """Row keys are organization ids; asks for more rows when scrolled near the end."""

    class NeedMore(Message):
        """The cursor or the scroll position reached the last rows loaded."""

    def __init__(self) -> None:
        super().__init__(COLUMNS, narrow_below=110, id="organizations", cursor_type="row",
                         zebra_stripes=True)

    def near_the_end(self) -> bool:
        """Whether the cursor or the scrolled view is within 5 rows of the last row loaded."""
        return bool(self.row_count) and (
            self.cursor_row >= self.row_count - 5
            or self.scroll_y + self.scrollable_content_region.height >= self.row_count - 5)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.near_the_end():
            self.post_message(self.NeedMore())
