"""月度评分: a hub's resident organizations × the month's rubric, typed fast, saved at once."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Select

from ...domain.errors import DomainError
from ...domain.months import check_not_future, month_add, month_end, month_of, parse_month
from ...domain.rubric import RubricItem, RubricVersion, parse_item_score, rubric_for
from ...i18n import _
from ...present.labels import join_words
from ...store import queries
from ...store.commands import ScoreEntry, StaleEdit
from ..actions import FORM_FIELDS, SCORING_ACTIONS, area_title, bindings
from ..base import AreaScreen
from ..undo import ScoreBefore, Undo, scores_undo
from ..widgets.chrome import AppHeader
from ..widgets.pickers import HubSelect, MonthInput
from .grid import ColumnHeads, ScoreRow

PAGE = 20  # rows mounted at once: keeps every keystroke's layout small in a large hub


@dataclass
class Sheet:
    """One hub's month: residents, stored scores (as text), what was typed (drafts: only
    what differs from the stored text), the stored items each row was opened with (a save
    writes a row only if they are still stored: compare-and-set) and the rows a save found
    changed elsewhere (`stale`)."""

    version: RubricVersion
    residents: list[tuple[str, str]]
    stored: dict[str, dict[str, str]]
    opened: dict[str, dict[str, float]]
    drafts: dict[str, dict[str, str]] = field(default_factory=dict)
    stale: dict[str, StaleEdit] = field(default_factory=dict)

    def follow(self, old: Sheet) -> None:
        """Keep what was typed in `old`; a row nobody typed in takes the newly stored
        score (its opened items too), a typed row keeps the items it was opened with."""
        self.drafts = old.drafts  # the same dicts: rows still mounted keep writing into them
        for org_id, draft in self.drafts.items():
            if draft:
                self.opened[org_id] = old.opened.get(org_id, {})
        self.stale = {org_id: error for org_id, error in old.stale.items()
                      if self.drafts.get(org_id)}

    def typed(self, org_id: str) -> dict[str, str]:
        """Stored values overlaid by anything typed, by item key."""
        stored = self.stored.get(org_id, {})
        draft = self.drafts.setdefault(org_id, {})
        return {item.key: draft.get(item.key, stored.get(item.key, ""))
                for item in self.version.items}

    def invalid(self) -> tuple[int, str, RubricItem, DomainError] | None:
        """The first typed cell that is not a number within its item's range, and the
        domain's refusal of it."""
        for index, (org_id, _name) in enumerate(self.residents):
            typed = self.typed(org_id)
            for item in self.version.items:
                if typed[item.key]:
                    try:
                        parse_item_score(item, typed[item.key])
                    except DomainError as error:
                        return index, org_id, item, error
        return None

    def unsaved_rows(self) -> int:
        return sum(1 for draft in self.drafts.values() if draft)

    def changed(self) -> tuple[list[str], int]:
        """Org ids whose complete row differs from what is stored; how many are incomplete."""
        ready, partial = [], 0
        for org_id, _name in self.residents:
            typed = self.typed(org_id)
            if typed == {item.key: self.stored.get(org_id, {}).get(item.key, "")
                         for item in self.version.items}:
                continue
            if all(typed.values()):
                ready.append(org_id)
            else:
                partial += 1
        return ready, partial


class ScoringScreen(AreaScreen):
    """Typed scores live in a `Sheet` per (hub, month) until saved, so nothing typed is lost."""

    CSS_PATH = "scoring.tcss"
    ACTIONS = SCORING_ACTIONS
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.sheets: dict[tuple[str, str], Sheet] = {}
        self.page = 0
        self.shown: tuple | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Label(area_title("scoring"), classes="area-title")
        # a digit typed anywhere here is data, never an area key (F1-F10 still are)
        with Horizontal(classes=f"toolbar {FORM_FIELDS}"):
            yield HubSelect(self.reader, id="hub")
            yield MonthInput(month_add(month_of(self.today), -1), self.today, id="month")
            yield Button(_("Save all"), variant="primary", id="save")
            take = Button(_("Take the newer"), id="take-newer")
            take.display = False
            yield take
            yield Label("", id="pages")
        yield Label("", id="rubric", classes="hint")
        stale = Label("", id="stale", classes="error")
        stale.display = False
        yield stale
        yield Horizontal(id="heads")
        yield VerticalScroll(id="grid", classes=FORM_FIELDS, can_focus=False)
        yield Footer()

    def choice(self) -> tuple[str, str] | None:
        """The chosen hub id and a valid month, or None."""
        hub = self.query_one("#hub", Select).value
        try:
            month = parse_month(self.query_one("#month", Input).value)
            check_not_future(month, self.today)
        except DomainError:
            return None
        return None if hub == Select.NULL else (str(hub), month)

    def refresh_data(self) -> None:
        self.call_later(self.load_sheet)

    @on(Select.Changed, "#hub")
    @on(Input.Changed, "#month")
    async def choice_changed(self) -> None:
        self.page = 0
        await self.load_sheet()

    async def load_sheet(self) -> None:
        """Re-read the chosen hub's month, keeping whatever was typed, and show its page."""
        choice = self.choice()
        shown = (choice, self.incubator.data_version())
        if choice is None or shown == self.shown:
            return
        self.shown = shown
        hub, month = choice
        residents = queries.residents_of_hub(self.reader, hub, month_end(month))
        items = {s["org_id"]: s["items"] for s in queries.scores(self.reader, month=month)}
        stored = {org_id: {k: f"{v:g}" for k, v in values.items()}
                  for org_id, values in items.items()}
        version = rubric_for(queries.rubric_versions(self.reader), month)
        old = self.sheets.get(choice)
        sheet = self.sheets[choice] = Sheet(version, residents, stored, dict(items))
        if old and old.version == version:
            sheet.follow(old)
        self.show_stale(sheet)
        threshold = queries.settings(self.reader, month).warning_threshold
        self.query_one("#rubric", Label).update(
            _("Rubric from {since}: {items}. Tab moves between cells; rows below {threshold} "
              "of 10 are highlighted").format(
                since=version.from_month, threshold=f"{threshold:g}",
                items=join_words(f"{i.label} {i.maximum:g}" for i in version.items)))
        await self.show_page(threshold)

    async def show_page(self, threshold: float | None = None) -> None:
        """Mount the rows of the current page (focus stays on the same cell if it is there)."""
        choice = self.choice()
        if choice is None or choice not in self.sheets:
            return
        sheet = self.sheets[choice]
        if threshold is None:
            threshold = queries.settings(self.reader, choice[1]).warning_threshold
        pages = max(1, math.ceil(len(sheet.residents) / PAGE))
        self.page = min(max(self.page, 0), pages - 1)
        chunk = sheet.residents[self.page * PAGE:(self.page + 1) * PAGE]
        rows = [ScoreRow(org_id, name, sheet.version, sheet.typed(org_id),
                         sheet.stored.get(org_id, {}), sheet.drafts[org_id], threshold)
                for org_id, name in chunk]
        focused = self.focused.id if self.focused else None
        self.query_one("#pages", Label).update(
            _("Page {page}/{pages}, {count} organizations").format(
                page=self.page + 1, pages=pages, count=len(sheet.residents)))
        heads = self.query_one("#heads", Horizontal)
        grid = self.query_one("#grid", VerticalScroll)
        with self.replacing_widgets():
            with self.app.batch_update():
                await heads.remove_children()
                await heads.mount(ColumnHeads(sheet.version))
                await grid.remove_children()
                await grid.mount_all(rows or [Label(
                    _("No resident organizations in this hub for {month}").format(
                        month=choice[1]), classes="hint")])
            if focused and focused.startswith("cell-"):
                for cell in self.query(f"#{focused}"):
                    self.set_focus(cell)

    async def action_page(self, step: int) -> None:
        self.page += step
        await self.show_page()
        if cells := self.query(".cell"):
            self.set_focus(cells.first())

    def unsaved(self) -> str | None:
        rows = sum(sheet.unsaved_rows() for sheet in self.sheets.values())
        return _("Monthly scoring: {count} rows typed and not saved").format(count=rows) \
            if rows else None

    def show_hub(self, hub_id: str) -> None:
        self.query_one("#hub", Select).value = hub_id

    @on(Button.Pressed, "#save")
    async def action_save(self) -> None:
        """Save every complete, changed row of every page at once; an invalid cell stops all."""
        choice = self.choice()
        if choice is None or choice not in self.sheets:
            self.notify(_("Choose a hub and a month as YYYY-MM, not in the future"),
                        severity="error")
            return
        sheet = self.sheets[choice]
        if invalid := sheet.invalid():
            index, org_id, item, error = invalid
            if index // PAGE != self.page:
                self.page = index // PAGE
                await self.show_page()
            self.set_focus(self.query_one(f"#cell-{org_id}-{item.key}", Input))
            self.notify(_("{org}: {problem}").format(org=dict(sheet.residents)[org_id],
                                                      problem=error.render(_)),
                        severity="error", timeout=8)
            return
        ready, partial = sheet.changed()
        if not ready:
            self.notify(_("Nothing to save: fill in every item of a row first"),
                        severity="warning")
            return
        entries = [ScoreEntry(org_id, choice[1], {k: float(v) for k, v in
                                                  sheet.typed(org_id).items()},
                              opened=sheet.opened.get(org_id, {}))
                   for org_id in ready]

        def saved(result: tuple) -> None:
            written, stale = result
            for record in written:
                org_id = record["org_id"]
                sheet.drafts[org_id].clear()
                sheet.stale.pop(org_id, None)
                sheet.opened[org_id] = record["items"]
                sheet.stored[org_id] = {k: f"{v:g}" for k, v in record["items"].items()}
            for entry, error in stale:
                sheet.stale[entry.org] = error
                sheet.opened[entry.org] = error.newer  # saving again keeps what was typed
            self.show_stale(sheet)

        def message(result: tuple) -> str:
            written, stale = result
            text = _("Saved the scores of {count} organizations").format(count=len(written))
            if partial:
                text += " " + _("({count} incomplete rows kept, not saved)").format(count=partial)
            if stale:
                text += " " + _("({count} rows changed elsewhere since you opened them, "
                                "not saved)").format(count=len(stale))
            return text

        self.save(lambda: self.store.set_scores_unless_changed(entries), message, then=saved,
                  undo=self.undo_of(sheet, choice[1], ready))

    def undo_of(self, sheet: Sheet, month: str, ready: list[str]):
        """What ctrl+z writes back after this save: each saved row's score before it."""
        names = dict(sheet.residents)
        stored = {row["org_id"]: row for row in queries.scores(self.reader, month=month)}
        before = {}
        for org_id in ready:
            row = stored.get(org_id)
            before[org_id] = ScoreBefore(
                org_id, names[org_id], sheet.opened.get(org_id) or None,
                (row["note"] or "") if row else "",
                f"{row['total']:g}/{row['max_total']:g}" if row else "")

        def undo(result: tuple) -> Undo | None:
            written = {record["org_id"]: record["items"] for record in result[0]}
            return scores_undo(month, [before[org_id] for org_id in written], written) \
                if written else None

        return undo

    def show_stale(self, sheet: Sheet) -> None:
        """The rows a save found changed elsewhere: the newer score and who wrote it."""
        stale = self.query_one("#stale", Label)
        stale.update("\n".join([*(error.render(_) for error in sheet.stale.values()),
                                 _("Save again to keep yours, or take the newer value.")])
                     if sheet.stale else "")
        stale.display = bool(sheet.stale)
        self.query_one("#take-newer", Button).display = bool(sheet.stale)

    @on(Button.Pressed, "#take-newer")
    async def take_newer(self) -> None:
        """Drop what was typed in the rows changed elsewhere: they show the newer score."""
        choice = self.choice()
        if choice is None or choice not in self.sheets:
            return
        sheet = self.sheets[choice]
        for org_id in sheet.stale:
            sheet.drafts[org_id].clear()
        sheet.stale.clear()
        self.show_stale(sheet)
        await self.show_page()
