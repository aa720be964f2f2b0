"""Tables whose cells are data, never markup, with translated columns set up front."""

from rich.text import Text
from textual.widgets import DataTable

from ...i18n import _


class PlainTable(DataTable):
    """A DataTable that shows text cells exactly as stored: an organization named
    "[b]…" must not turn bold (and no markup is parsed on every redraw)."""

    def add_row(self, *cells, **options):
        return super().add_row(*(Text(cell, no_wrap=True, end="") if isinstance(cell, str)
                                 else cell for cell in cells), **options)


def data_table(table_id: str, *headers: str) -> PlainTable:
    """A row-cursor, zebra-striped table; `headers` are msgids."""
    table = PlainTable(id=table_id, cursor_type="row", zebra_stripes=True)
    table.add_columns(*[_(header) for header in headers])
    return table
