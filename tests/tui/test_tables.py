"""The shared table and search box draw exactly what Textual's own widgets draw.

PlainTable and SearchBox take short cuts (a cell cropped rather than laid out by Rich,
no screen layout per keystroke): the screen must not show the difference.
"""

from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.widgets import DataTable, Input, Label

from incubator.screens.widgets.search import SearchBox
from incubator.screens.widgets.tables import PlainTable

WIDTHS = (12, 26, 8, 16, 6, 8, 8, 4, 14)
ROWS = [(f"org-{n:04d}",
         f"[b]红岩[/b]社区合唱团第{n}分团（很长很长的名字）" if n % 3 else f"Choir {n}",
         "文化", "东城区孵化基地", "初创期", "", f"{n / 3:.1f}", "", "约谈 整改")
        for n in range(120)]


class ReferenceTable(DataTable):
    """Textual's DataTable holding the same cells as PlainTable."""

    def add_row(self, *cells, **options):
        return super().add_row(*(Text(cell, no_wrap=True, end="") for cell in cells), **options)


class OneTable(App[None]):
    def __init__(self, table_class: type[DataTable], fixed_widths: bool,
                 keyed: bool = False) -> None:
        super().__init__()
        self.table_class, self.fixed_widths, self.keyed = table_class, fixed_widths, keyed
        self.highlighted: list[str] = []

    def compose(self) -> ComposeResult:
        table = self.table_class(id="table", cursor_type="row", zebra_stripes=True)
        for number, width in enumerate(WIDTHS):
            table.add_column(f"列{number}", width=width if self.fixed_widths else None)
        if self.keyed:
            table.add_keyed_rows((row[0], row) for row in ROWS[:50])
            table.add_keyed_rows((row[0], row) for row in ROWS[50:])
        else:
            for row in ROWS:
                table.add_row(*row, key=row[0])
        yield table

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.highlighted.append(event.row_key.value)


def looks(strip) -> list[tuple[str, str]]:
    """A line as runs of text in one visible style (colours and attributes, no meta)."""
    runs: list[tuple[str, str]] = []
    for segment in strip:
        style = str(segment.style or "")
        if runs and runs[-1][1] == style:
            runs[-1] = (runs[-1][0] + segment.text, style)
        else:
            runs.append((segment.text, style))
    return runs


def drawing(table: DataTable) -> list:
    """Each line as it looks (text and style) and, for each of its cells on screen, the
    row a click there selects (under a row cursor PlainTable draws a row of plain cells
    as one segment, so the column a click carries is not compared then)."""
    lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    return [(looks(strip),
             [segment.style.meta.get("row") if segment.style else None
              for segment in strip for _cell in range(segment.cell_length)],
             None if table.cursor_type == "row" else
             [segment.style.meta.get("column") if segment.style else None
              for segment in strip for _cell in range(segment.cell_length)])
            for strip in lines]


async def frames(table_class: type[DataTable], fixed_widths: bool, keyed: bool = False) -> list:
    """What the table draws through a series of cursor, focus, scroll and mouse changes."""
    app = OneTable(table_class, fixed_widths, keyed)
    drawn = []
    async with app.run_test(size=(130, 30)) as pilot:
        table = app.query_one("#table", DataTable)
        steps = [lambda: None, lambda: table.move_cursor(row=5), table.blur, table.focus,
                 lambda: table.scroll_to(y=20, animate=False, immediate=True),
                 lambda: setattr(table, "zebra_stripes", False),
                 lambda: (setattr(table, "cursor_type", "cell"),
                          table.move_cursor(row=23, column=3))]
        for step in steps:
            step()
            await pilot.pause()
            drawn.append(drawing(table))
        await pilot.hover("#table", offset=(20, 6))
        await pilot.pause()
        drawn.append(drawing(table))
        await pilot.click("#table", offset=(40, 9))
        await pilot.pause()
        drawn.append((table.virtual_size, table.row_count, table.cursor_coordinate,
                      app.highlighted, [table.get_row_at(n) for n in range(table.row_count)]))
    return drawn


async def test_a_plain_table_draws_what_a_datatable_draws():
    """Fixed widths (the organizations list): wide characters cut at a column's edge,
    brackets shown as typed, the row cursor, zebra stripes, hover and the cell cursor."""
    assert await frames(PlainTable, True) == await frames(ReferenceTable, True)


async def test_rows_added_in_bulk_are_the_rows_added_one_by_one():
    assert await frames(PlainTable, True, keyed=True) == await frames(ReferenceTable, True)


async def test_a_plain_table_with_columns_as_wide_as_their_cells():
    assert await frames(PlainTable, False) == await frames(ReferenceTable, False)


class Toolbar(App[None]):
    CSS = """
    Horizontal { height: 1; }
    Horizontal > * { width: auto; }
    #search { width: 1fr; }
    #rest { width: 44; }
    """

    def __init__(self, box_class: type[Input]) -> None:
        super().__init__()
        self.box_class = box_class

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield self.box_class(placeholder="搜索名称、编号", id="search", compact=True)
            yield Label("·" * 44, id="rest")


async def typed(box_class: type[Input]) -> list:
    """The box's scroll, cursor and drawing as text longer than the box is typed and edited."""
    app = Toolbar(box_class)
    seen = []
    async with app.run_test(size=(60, 3)) as pilot:
        box = app.query_one("#search", Input)
        box.focus()
        for key in [*"社区书画合唱志愿abc老年服务协会中心", "home", "right", "end", "left",
                    "backspace", "backspace"]:
            await pilot.press(key)
            await pilot.pause()
            seen.append((box.scroll_x, box.cursor_position, box.value,
                         [list(Segment.simplify(strip)) for strip in
                          box.render_lines(Region(0, 0, box.size.width, 1))]))
        seen.append(app.export_screenshot())
    return seen


async def test_the_search_box_scrolls_and_draws_like_an_input():
    with_search_box, with_input = await typed(SearchBox), await typed(Input)
    assert max(scroll_x for scroll_x, *_rest in with_search_box[:-1]) > 0
    assert with_search_box == with_input
