"""组织: every organization, searched, filtered and sorted in SQL as you type."""

from __future__ import annotations

from textual import on
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Label, Select

from ...domain.categories import category_label
from ...domain.models import LegalStatus, Stage, label
from ...i18n import _, language
from ...present.labels import rating_text, stage_text
from ...store import queries
from ..actions import ORGANIZATIONS_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..widgets.chrome import AppHeader
from ..widgets.pickers import HubSelect
from ..widgets.search import SearchBox
from .flags import FLAGS, flag_rank, organization_flags
from .table import COLUMNS, OrganizationTable

PAGE = 60
# the row's fields its cells are drawn from, and how many rows' cells are kept
ROW_FIELDS = ("id", "name", "category", "hub", "stage", "exit_ordered", "legal_status",
              "last_score10", "stars", "stars_scale")
ROW_CACHE = 4096
# up to this many matches, the next keystroke's search looks among them only, and pages
# are read by rowid (more, and scanning the table, or walking the name index, is quicker)
NARROW_WITHIN = 1000


class OrganizationsScreen(AreaScreen):
    CSS_PATH = "organizations.tcss"
    ACTIONS = ORGANIZATIONS_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.sort = "name"
        self.descending = False
        self.total = 0
        self._flags: dict[str, list[str]] = {}
        self._shown_filters: dict = {}
        self._page_filters: dict = {}  # what the pages are read with: the filters, or rowids
        # (data version, filters, rowids of every match) of the last search
        self._matches: tuple[int, dict, list[int]] | None = None
        self._categories: dict[str, tuple[str, str]] = {}
        self._row_cells: dict[tuple, list[Text]] = {}

    def compose(self) -> ComposeResult:
        self._categories = queries.categories(self.reader)
        yield AppHeader()
        yield Label(area_title("organizations"), classes="area-title")
        with Horizontal(classes="toolbar"):
            yield SearchBox(placeholder=_("Search by name, pinyin, id, community or contact"),
                            id="search", compact=True)
            yield HubSelect(self.reader, allow_all=True, id="hub", compact=True)
            yield Select([(label(s, language()), s.value) for s in Stage],
                         prompt=_("All stages"), id="stage", compact=True)
            yield Select([(category_label(k, language(), self._categories), k)
                          for k in self._categories],
                         prompt=_("All categories"), id="category", compact=True)
            yield Select([(_(flag), _(flag)) for flag in FLAGS], prompt=_("All flags"),
                         id="flag", compact=True)
        yield OrganizationTable()
        yield Label("", id="count", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OrganizationTable))
        # the rows follow the search as it is typed, not after Input.Changed has bubbled
        # up to the screen: the box and the table are then redrawn in one frame, not two
        self.watch(self.query_one("#search", SearchBox), "value", self.filters_changed,
                   init=False)

    def refresh_data(self) -> None:
        self._flags = organization_flags(self.reader, self.today, self.incubator.warning_states())
        self.show_rows()

    def _value(self, widget_id: str) -> str | None:
        value = self.query_one(f"#{widget_id}", Select).value
        return None if value == Select.NULL else str(value)

    def _filters(self) -> dict:
        flag = self._value("flag")
        return {"hub": self._value("hub"), "stage": self._value("stage"),
                "category": self._value("category"),
                "search": self.query_one("#search", Input).value,
                "ids": None if flag is None else
                [org_id for org_id, words in self._flags.items() if flag in words]}

    def show_rows(self) -> None:
        """Query with the current search, filters and sort, then redraw the first page."""
        table = self.query_one(OrganizationTable)
        highlighted = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value \
            if table.row_count else None
        table.clear()
        filters = self._filters()
        self._page_filters = self._shown_filters = filters
        if filters["search"].strip():
            # a search typed further looks only among the matches of the one before
            # (a few hundred rows after two letters, not the whole table)
            version = self.incubator.data_version()
            before = self._matches
            narrowed = (before is not None and before[0] == version
                        and len(before[2]) <= NARROW_WITHIN
                        and queries.narrows(before[1], filters))
            matches = queries.matching_rowids(
                self.reader, **filters, **({"rowids": before[2]} if narrowed else {}))
            self._matches = (version, filters, matches)
            self.total = len(matches)
            if self.total <= NARROW_WITHIN:  # a few rows: read by rowid, not found again
                self._page_filters = {"rowids": matches}
            self.add_page()
        else:
            self._matches = None
            fetched = self.add_page()
            # a first page short of PAGE holds every match: no need to count them in SQL
            self.total = fetched if fetched < PAGE else \
                queries.count_organizations(self.reader, **filters)
        if highlighted is not None and highlighted in table.rows:
            table.move_cursor(row=table.get_row_index(highlighted))
        title = _(next(c.title for c in COLUMNS if c.key == self.sort))
        order = _("descending") if self.descending else _("ascending")
        # the label's size is fixed in CSS: a new count repaints one line, no layout
        self.query_one("#count", Label).update(
            _("{count} organizations, sorted by {column} ({order})").format(
                count=self.total, column=title, order=order), layout=False)

    def add_page(self) -> int:
        """Append the next page of matches (the table grows as you move down it);
        return how many matches the page held.

        Pages follow the filters the table was filled with, not what is being typed:
        a page queued before the next keystroke's redraw must not mix two searches.
        """
        table = self.query_one(OrganizationTable)
        lang = language()
        rows = queries.organizations(
            self.reader, **self._page_filters, sort=self.sort, descending=self.descending,
            limit=PAGE, offset=table.row_count, lang=lang,
            rank=flag_rank(self._flags) if self.sort == "flags" else None)
        keys = tuple(table.shown_keys())
        table.add_keyed_rows((r["id"], self._cells(r, keys, lang)) for r in rows
                             if r["id"] not in table.rows)  # (the replica changed between pages)
        return len(rows)

    def _cells(self, r: dict, keys: tuple[str, ...], lang: str) -> list[Text]:
        """The cells shown for row `r`, made once for the same values (a search shows
        again most of the rows the keystroke before showed)."""
        flags = self._flags.get(r["id"], ())
        seen = (keys, lang, tuple(flags), *(r[field] for field in ROW_FIELDS))
        cells = self._row_cells.get(seen)
        if cells is None:
            if len(self._row_cells) >= ROW_CACHE:
                self._row_cells.clear()
            record = {
                "id": r["id"], "name": r["name"],
                "category": category_label(r["category"], lang, self._categories)
                if r["category"] else "",
                "hub": r["hub"] or "",
                "stage": stage_text(r),
                "legal_status": label(LegalStatus(r["legal_status"]), lang)
                if r["legal_status"] else "",
                "last_score10": "" if r["last_score10"] is None else f"{r['last_score10']:.1f}",
                "stars": rating_text(r["stars"], r["stars_scale"]),
                "flags": " ".join(flags)}
            cells = self._row_cells[seen] = [
                Text(record[key], no_wrap=True, end="") for key in keys]
        return cells

    @on(OrganizationTable.ColumnsChanged)
    def columns_changed(self) -> None:
        self.show_rows()

    @on(OrganizationTable.NeedMore)
    @on(DataTable.RowHighlighted)
    def more_rows(self) -> None:
        """Load the next page when the cursor or the scrolled view nears the last row."""
        table = self.query_one(OrganizationTable)
        if table.row_count < self.total and table.near_the_end():
            self.add_page()

    @on(Select.Changed)
    def filters_changed(self) -> None:
        self.show_rows()

    def action_show_results(self) -> None:
        """Enter in the search box moves to the results, before the next key is read."""
        self.set_focus(self.query_one(OrganizationTable))

    def show_hub(self, hub_id: str) -> None:
        """Show only `hub_id` (the dashboard's figures jump here)."""
        self.query_one("#hub", Select).value = hub_id

    def sort_on(self, column: str, descending: bool) -> None:
        self.sort, self.descending = column, descending
        self.show_rows()

    @on(DataTable.HeaderSelected)
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        """A click on a header sorts by it; a second click reverses the order."""
        column = str(event.column_key.value)
        self.sort_on(column, not self.descending if column == self.sort else False)

    def action_sort_next(self) -> None:
        """`s`: the shown column the other way round, and after descending the next
        column (ascending): every column both ways, one key."""
        if not self.descending:
            self.sort_on(self.sort, True)
            return
        shown = self.query_one(OrganizationTable).shown_keys()
        at = shown.index(self.sort) if self.sort in shown else -1
        self.sort_on(shown[(at + 1) % len(shown)], False)

    @on(DataTable.RowSelected)
    def open_detail(self, event: DataTable.RowSelected) -> None:
        self.incubator.open_organization(str(event.row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`/` is typed as a character while a box has the focus; Enter moves to the
        results only from the search box."""
        if action == "show_results":
            return self.focused is not None and self.focused.id == "search"
        return not (action == "focus_search" and isinstance(self.focused, Input))

    def action_focus_search(self) -> None:
        """Focus the search box now, not after the keys already queued: what is typed
        right after `/` lands in the box."""
        self.set_focus(self.query_one("#search", Input))
