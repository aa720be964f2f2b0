"""The organizations table: fixed columns, rows added a page at a time as you move down."""

from __future__ import annotations

from textual.message import Message

from ...i18n import N_, _
from ..widgets.tables import PlainTable

# (key, msgid, width in cells): fixed widths spare the table measuring every row
COLUMNS = (("id", N_("ID"), 12), ("name", N_("Name"), 22), ("category", N_("Category"), 8),
           ("hub", N_("Hub"), 16), ("stage", N_("Stage"), 8),
           ("legal_status", N_("Legal status"), 8), ("last_score10", N_("Last score"), 8),
           ("stars", N_("Stars"), 6), ("flags", N_("Flags"), 14))
SORTABLE = tuple(key for key, _title, _width in COLUMNS if key != "flags")


class OrganizationTable(PlainTable):
    """Row keys are organization ids; asks for more rows when scrolled near the end."""

    class NeedMore(Message):
        """The cursor or the scroll position reached the last rows loaded."""

    def __init__(self) -> None:
        super().__init__(id="organizations", cursor_type="row", zebra_stripes=True)
        for key, title, width in COLUMNS:
            self.add_column(_(title), key=key, width=width)

    def near_the_end(self) -> bool:
        """Whether the cursor or the scrolled view is within 5 rows of the last row loaded."""
        return bool(self.row_count) and (
            self.cursor_row >= self.row_count - 5
            or self.scroll_y + self.scrollable_content_region.height >= self.row_count - 5)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.near_the_end():
            self.post_message(self.NeedMore())
