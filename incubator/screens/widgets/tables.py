"""Tables whose cells are data, never markup, with translated columns set up front."""

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import DuplicateKey, Row, RowKey

from ...i18n import _


DRAWN_ROWS = 2048  # row lines kept across clears (a few screens' worth of searches)


class PlainTable(DataTable):
    """A DataTable that shows text cells exactly as stored: an organization named
    "[b]…" must not turn bold (and no markup is parsed on every redraw).

    Its cells are one-line, unstyled `Text`, so some of DataTable's general (and slow)
    steps are short-cut, drawing exactly what DataTable would:

    - a cell is drawn by cropping or padding its text to the column, not through
      Rich's Padding/Styled/Text pipeline (about a tenth of the time: a search redraws
      every visible cell);
    - a row's line is assembled without recomputing, for every line, styles that
      only change between frames (the table's, the zebra stripes', the header's);
    - when every column has a fixed width, new rows are not measured cell by cell
      just to set the table's size.

    Anything else (wrapped or styled cells, row labels, auto-height rows) takes
    DataTable's own path.

    And clearing the table frees its render caches at once: Textual's LRUCache keeps
    its entries in a ring of lists, which `clear()` leaves for the garbage collector;
    at every search that ring (strips, segments, row keys: ~2,000 objects) piled up
    until a full collection paused a keystroke for tens of milliseconds.
    """

    def add_row(self, *cells, **options):
        return super().add_row(*(Text(cell, no_wrap=True, end="") if isinstance(cell, str)
                                 else cell for cell in cells), **options)

    def add_keyed_rows(self, rows: Iterable[tuple[str, Sequence]]) -> list[RowKey]:
        """Append one-line rows given as (key, cells): what `add_row(*cells, key=key)`
        does for each, with the work that concerns the whole table (the column order,
        the cursor, the refresh) done once rather than once a row."""
        was_empty = not self.rows
        column_keys = [column.key for column in self.ordered_columns]
        added = []
        for key, cells in rows:
            row_key = RowKey(key)
            if row_key in self._row_locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            if len(cells) > len(column_keys):
                raise ValueError("More values provided than there are columns.")
            self._row_locations[row_key] = len(self.rows)
            self._data[row_key] = dict(zip_longest(
                column_keys, [Text(cell, no_wrap=True, end="") if isinstance(cell, str)
                              else cell for cell in cells]))
            self.rows[row_key] = Row(row_key, 1)
            self._new_rows.add(row_key)
            added.append(row_key)
        if added:
            self._require_update_dimensions = True
            self.cursor_coordinate = self.cursor_coordinate
            if was_empty and self.columns and self.show_cursor and self.cursor_type != "none":
                self._highlight_cursor()
            self._update_count += 1
            self.check_idle()
        return added

    _frame: dict | None = None  # styles worked out once per frame, while it renders

    def __init__(self, *args, **kwargs) -> None:
        # a row's line by what it is drawn from (`_plain_line_strip`): kept when the
        # table is cleared, emptied when the styles change
        self._drawn_rows: dict[tuple, Strip] = {}
        super().__init__(*args, **kwargs)

    def render_lines(self, crop):
        self._frame = {}
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _frame_style(self, key, compute):
        frame = self._frame
        if frame is None:
            return compute()
        style = frame.get(key)
        if style is None:
            style = frame[key] = compute()
        return style

    def render_line(self, y: int):
        (fixed_rows, header, scroll_x, scroll_y, plain, width, cursor, hover, show_cursor,
         show_hover) = self._frame_style("lines", self._line_state)
        if fixed_rows:
            return super().render_line(y)
        body = y >= header
        if body:
            y += scroll_y
        base_style = self._frame_style("base", lambda: self.rich_style)
        if body and not scroll_x and plain:
            strip = self._plain_line_strip(y, base_style, width, cursor, hover, show_cursor,
                                           show_hover)
            if strip is not None:
                return strip
        return self._render_line(y, scroll_x, scroll_x + width, base_style)

    def _line_state(self) -> tuple:
        """What every line of a frame is drawn with, read once a frame (a reactive costs
        a lookup through the class at every read)."""
        scroll = self.scroll_offset
        return (self.fixed_rows, self.header_height if self.show_header else 0, scroll.x,
                scroll.y, self.cursor_type == "row" and not self.fixed_columns
                and not (self._labelled_row_exists and self.show_row_labels),
                self.size.width, self.cursor_coordinate, self.hover_coordinate,
                self.show_cursor, self._show_hover_cursor)

    def _plain_line_strip(self, y: int, base_style: Style, width: int, cursor, hover,
                          show_cursor: bool, show_hover: bool) -> Strip | None:
        """Line `y` of the table (not scrolled sideways, under a row cursor, no fixed
        columns or row labels) when it is a row of plain cells: its segment and the
        filler, already the table's width, so that nothing is measured, cropped or
        joined again; None for any other line."""
        try:
            row_key, line_no = self._get_offsets(y)
        except LookupError:
            return None
        if line_no:
            return None
        cache_key = ("plain", row_key, width, cursor.row, hover.row, base_style,
                     show_cursor, show_hover, self._update_count, self._pseudo_class_state)
        strip = self._line_cache.get(cache_key)
        if strip is not None:
            return strip
        row_index = self._row_locations.get(row_key)
        texts = self._plain_texts(row_key)
        if texts is None:
            return None
        # the same text drawn in the same place and state is the same line, whatever the
        # table held before (a search typed further shows most rows where they were)
        drawn_key = (texts, row_index, cursor.row == row_index, hover.row == row_index,
                     width, base_style, show_cursor, show_hover, self._pseudo_class_state,
                     self._frame_style("columns", self._column_widths)[1],
                     self._frame_style("cells", self._cell_state), self.zebra_stripes)
        strip = self._drawn_rows.get(drawn_key)
        if strip is None:
            row_style = self._get_row_style(row_index, base_style)
            segment, table_width = self._plain_row(texts, row_index, row_style,
                                                   cursor.row == row_index,
                                                   hover.row == row_index, width)
            filler = self._filler_style(row_index, row_style, cursor, hover) \
                if table_width < width else None
            if len(self._drawn_rows) >= DRAWN_ROWS:
                self._drawn_rows.clear()
            # kept: the same Strip drawn again has its own caches spare the styling after it
            strip = self._drawn_rows[drawn_key] = _row_strip(
                segment, filler, width - table_width, width)
        self._line_cache[cache_key] = strip
        return strip

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        key = ("row", base_style, -1 if row_index == -1 else
               "fixed" if row_index < self.fixed_rows else row_index % 2)
        return self._frame_style(key, lambda: super(PlainTable, self)._get_row_style(
            row_index, base_style))

    def _render_line_in_row(self, row_key, line_no: int, base_style: Style,
                            cursor_location, hover_location):
        """DataTable's, for tables without fixed columns or row labels (the others
        take DataTable's own): the same cache, cells and filler after the last column."""
        if self.fixed_columns or (self._labelled_row_exists and self.show_row_labels):
            return super()._render_line_in_row(row_key, line_no, base_style,
                                               cursor_location, hover_location)
        cursor_type = self.cursor_type
        show_cursor = self.show_cursor
        show_hover_cursor = self._show_hover_cursor
        cache_key = (row_key, line_no, base_style, cursor_location, hover_location,
                     cursor_type, show_cursor, show_hover_cursor, self._update_count,
                     self._pseudo_class_state)
        cached = self._row_render_cache.get(cache_key)
        if cached is not None:
            return cached
        row_index = self._row_locations.get(row_key)
        if row_index is None:
            row_index = -1
        row_style = self._get_row_style(row_index, base_style)
        if cursor_type == "row":
            cursor_row = cursor_location.row == row_index
            hover_row = hover_location.row == row_index
        render_cell = self._render_cell
        padding = 2 * self.cell_padding
        scrollable_row = []
        table_width = 0
        for column_index, column in enumerate(self.ordered_columns):
            if cursor_type == "row":
                cursor, hover = cursor_row, hover_row
            else:
                cursor = self._should_highlight(cursor_location, (row_index, column_index),
                                                cursor_type)
                hover = self._should_highlight(hover_location, (row_index, column_index),
                                               cursor_type)
            width = padding + (column.content_width if column.auto_width else column.width)
            table_width += width
            scrollable_row.append(
                render_cell(row_index, column_index, row_style, width, cursor, hover)[line_no])
        # the filler to the table's right edge
        remaining_space = max(0, self.size.width - table_width)
        scrollable_row.append([Segment(" " * remaining_space, self._filler_style(
            row_index, row_style, cursor_location, hover_location))])
        row_pair = ([], scrollable_row)
        self._row_render_cache[cache_key] = row_pair
        return row_pair

    def _filler_style(self, row_index: int, row_style: Style, cursor_location,
                      hover_location) -> Style:
        """The style of a row's filler after its last column, as DataTable styles it."""
        cursor_type = self.cursor_type
        if cursor_type == "row":
            extend_style, _post = self._get_styles_to_render_cell(
                row_index == -1, False, False,
                self._should_highlight(hover_location, (row_index or 0, 0), cursor_type),
                row_index == cursor_location.row, self.show_cursor, self._show_hover_cursor,
                False, False)
            extend_style = row_style + extend_style
        elif row_style.bgcolor is not None:
            faded_color = Color.from_rich_color(row_style.bgcolor).blend(
                self.background_colors[1], factor=0.25)
            extend_style = Style.from_color(color=row_style.color,
                                            bgcolor=faded_color.rich_color)
        else:
            extend_style = Style.from_color(row_style.color, row_style.bgcolor)
        return extend_style + Style.from_meta(
            {"row": row_index, "column": 0, "out_of_bounds": True})

    def _plain_texts(self, row_key) -> tuple[str, ...] | None:
        """The texts of a one-line row of plain cells, in column order; None when a cell
        is not plain."""
        row = self.rows.get(row_key)
        if row is None or row.height != 1 or row.auto_height:
            return None
        cells = self._data[row_key]
        values = [cells.get(column.key)
                  for column in self._frame_style("columns", self._column_widths)[0]]
        if not all(map(_plain_line, values)):
            return None
        return tuple(cell.plain for cell in values)

    def _plain_row(self, texts: tuple[str, ...], row_index: int, row_style: Style,
                   cursor: bool, hover: bool, visible: int) -> tuple[Segment, int]:
        """A one-line row of plain cells (`texts`) under a row cursor, drawn as one
        segment (its cells share one style: only the mouse's column differs, and a row
        cursor has no use for it) cropped to the table's width, and its width. (Cropping
        a whole line of Chinese costs more than drawing it.)"""
        _columns, widths = self._frame_style("columns", self._column_widths)
        padding, _fixed_rows, _fixed_columns, show_cursor, css_fg, css_bg = self._frame_style(
            "cells", self._cell_state)
        drawn = _row_text(texts, widths, padding, visible)
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, show_cursor, self._show_hover_cursor,
            css_fg, css_bg)
        style = row_style + _cell_meta(row_index, 0) + component_style
        if post_style:
            style = style + post_style if style else post_style
        return Segment(drawn[0], style or None), drawn[1]

    def _column_widths(self) -> tuple[list, tuple[int, ...]]:
        """The columns in order and the width of their text (padding left out)."""
        columns = self.ordered_columns
        return columns, tuple(column.content_width if column.auto_width else column.width
                              for column in columns)

    def _cell_state(self) -> tuple:
        """What every cell of a frame is drawn with, read once a frame."""
        return (self.cell_padding, self.fixed_rows, self.fixed_columns, self.show_cursor,
                self.cursor_foreground_priority == "css",
                self.cursor_background_priority == "css")

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False):
        padding, fixed_rows, fixed_columns, show_cursor, css_fg, css_bg = self._frame_style(
            "cells", self._cell_state)
        cell = None
        if column_index >= 0 and width >= 2 * padding:
            if row_index == -1:
                if self.header_height == 1:
                    cell = self.ordered_columns[column_index].label
            else:
                row_key = self._row_locations.get_key(row_index)
                row = self.rows.get(row_key)
                if row is not None and row.height == 1 and not row.auto_height:
                    cell = self._data[row_key].get(self._column_locations.get_key(column_index))
        if not _plain_line(cell):
            return super()._render_cell(row_index, column_index, base_style, width,
                                        cursor, hover)
        # What DataTable draws through Styled(Padding(cell)) for one line of unstyled
        # text: the text cropped or padded to the column, every cell of it (padding
        # included) in the pre-style + the post-style. Not cached: drawing it again
        # costs about what a cache look-up does.
        fixed = row_index != -1 and (row_index < fixed_rows or column_index < fixed_columns)
        component_style, post_style = self._get_styles_to_render_cell(
            row_index == -1, False, fixed, hover, cursor, show_cursor,
            self._show_hover_cursor, css_fg, css_bg)
        style = base_style + _cell_meta(row_index, column_index) + component_style
        if post_style:
            style = style + post_style if style else post_style
        text = _fit(cell.plain, width - 2 * padding)
        pad = " " * padding
        return [[Segment(f"{pad}{text}{pad}", style or None)]]

    def notify_style_update(self) -> None:
        self._drawn_rows.clear()  # drawn in the styles that changed
        super().notify_style_update()

    def _clear_caches(self) -> None:
        for cache in (self._row_render_cache, self._cell_render_cache,
                      self._row_renderable_cache, self._line_cache, self._styles_cache,
                      self._offset_cache, self._ordered_row_cache):
            _unlink(cache)
        super()._clear_caches()

    def _update_dimensions(self, new_rows) -> None:
        if self._labelled_row_exists or self._new_rows_need_measuring(new_rows):
            super()._update_dimensions(new_rows)
            return
        header_height = self.header_height if self.show_header else 0
        virtual_size = Size(
            sum(column.get_render_width(self) for column in self.columns.values())
            + self._row_label_column_width,
            self._total_row_height + header_height)
        if self.styles.height is None or self.styles.height.is_auto:
            self.virtual_size = virtual_size  # the table's height follows its rows
        elif virtual_size != self.virtual_size:
            # a table sized by the screen: more or fewer rows change only what it
            # scrolls, not the screen's layout (a search at each keystroke)
            self.set_reactive(Widget.virtual_size, virtual_size)
            self._scroll_update(virtual_size)
            self.refresh()

    def _new_rows_need_measuring(self, new_rows) -> bool:
        """Whether a column's width or a row's height depends on what the new rows hold."""
        if any(column.auto_width for column in self.columns.values()):
            return True
        rows = self.rows
        return any((row := rows.get(key)) is not None
                   and (row.auto_height or row.label is not None) for key in new_rows)


@functools.lru_cache(maxsize=4096)
def _cell_meta(row_index: int, column_index: int) -> Style:
    """The style carrying a cell's coordinates (for the mouse), made once per cell."""
    return Style.from_meta({"row": row_index, "column": column_index})


def _unlink(cache) -> None:
    """Break the ring of an LRUCache's entries ([prev, next, key, value] lists), so
    that its contents are freed as soon as it is cleared."""
    entries = getattr(cache, "_cache", None)
    if isinstance(cache, LRUCache) and isinstance(entries, dict):
        for entry in entries.values():
            if isinstance(entry, list):
                entry.clear()
        cache.clear()


def _row_strip(segment: Segment, filler: Style | None, filler_width: int, width: int) -> Strip:
    """A row's line: its segment and the filler to the table's edge."""
    if filler is None:
        return Strip([segment], width)
    return Strip([segment, Segment(" " * filler_width, filler)], width)


@functools.lru_cache(maxsize=2048)
def _row_text(texts: tuple[str, ...], widths: tuple[int, ...], padding: int,
              visible: int) -> tuple[str, int]:
    """A row of one-line cells as the table draws it (each cropped or padded to its
    column between `padding` blanks), cropped to `visible` cells, and its width. Cached:
    a search shows again most of the rows the keystroke before showed."""
    pad = " " * padding
    parts = []
    table_width = 0
    for text, inner in zip(texts, widths):
        if table_width >= visible:
            break
        part = f"{pad}{_fit(text, inner)}{pad}"
        if table_width + inner + 2 * padding > visible:
            part = _fit(part, visible - table_width)
        parts.append(part)
        table_width += cell_len(part)
    return "".join(parts), table_width


def _fit(text: str, width: int) -> str:
    """`text` cropped or padded to exactly `width` cells (a wide character cut in half
    leaves a space)."""
    text = set_cell_size(text, width)
    length = cell_len(text)
    return text + " " * (width - length) if length < width else text


def _plain_line(cell) -> bool:
    """Whether `cell` is one line of unstyled text, drawn the same by cropping it."""
    return (type(cell) is Text and not cell.spans and not cell.style and cell.justify is None
            and cell.overflow is None and cell.no_wrap is not False
            and cell.plain.isprintable())


def data_table(table_id: str, *headers: str) -> PlainTable:
    """A row-cursor, zebra-striped table; `headers` are msgids."""
    table = PlainTable(id=table_id, cursor_type="row", zebra_stripes=True)
    table.add_columns(*[_(header) for header in headers])
    return table


KEEP = -1  # a Column's `narrow`: as on a wide terminal


@dataclass(frozen=True)
class Column:
    """A column of a `NarrowingTable`: its key, its title (a msgid), its width (None: as
    wide as its cells) and, on a narrow terminal, its width there (KEEP: the same; None:
    left out) and its title there."""

    key: str
    title: str
    width: int | None = None
    narrow: int | None = KEEP
    narrow_title: str | None = None


class NarrowingTable(PlainTable):
    """A table that shows fewer or narrower columns when it is narrower than
    `narrow_below` cells (an 80-column terminal): what matters stays on screen, the rest
    is left out or cropped. Rows are added as records (column key → cell), and when the
    columns change the rows are dropped and `ColumnsChanged` asks for them again."""

    class ColumnsChanged(Message):
        """The table switched between its wide and narrow columns: its rows are gone."""

    def __init__(self, columns: Sequence[Column], *, narrow_below: int = 100,
                 **options) -> None:
        super().__init__(**options)
        self.layout_columns = tuple(columns)
        self.narrow_below = narrow_below
        self.narrow = False
        self._add_columns()

    def _add_columns(self) -> None:
        for column in self.layout_columns:
            if not self.narrow:
                self.add_column(_(column.title), key=column.key, width=column.width)
            elif column.narrow is not None:
                self.add_column(_(column.narrow_title or column.title), key=column.key,
                                width=column.width if column.narrow == KEEP else column.narrow)

    def shown_keys(self) -> list[str]:
        """The keys of the columns shown, in order."""
        return [str(column.key.value) for column in self.ordered_columns]

    def record_cells(self, record: Mapping[str, object]) -> list[object]:
        """A record's cells for the columns shown."""
        return [record[key] for key in self.shown_keys()]

    def add_record(self, key: str, record: Mapping[str, object]) -> None:
        self.add_row(*self.record_cells(record), key=key)

    def on_resize(self) -> None:
        narrow = self.size.width < self.narrow_below
        if narrow != self.narrow:
            self.narrow = narrow
            self.clear(columns=True)
            self._add_columns()
            self.post_message(self.ColumnsChanged())


def narrowing_table(table_id: str, *columns: Column, narrow_below: int = 100
                    ) -> NarrowingTable:
    """A row-cursor, zebra-striped table with fewer columns when it is narrow."""
    return NarrowingTable(columns, narrow_below=narrow_below, id=table_id,
                          cursor_type="row", zebra_stripes=True)
