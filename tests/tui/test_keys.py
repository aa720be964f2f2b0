"""Keys, focus and forms, as a fast typist meets them: bursts of keys with no pause land
where they were meant, digits are area keys only where nothing takes typing, every form
opens on its first field and refuses field by field in the domain's words, inputs stop at
the domain's maximum, destructive actions ask first, q asks over unsaved rows and ctrl+z
writes the last change back."""

import asyncio
import importlib
import inspect
import pkgutil
import time

from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Select

import incubator.screens
from incubator.screens.app import IncubatorApp
from incubator.domain.organization import NAME_MAX_CHARS
from incubator.screens.spaces.card import SpaceCard
from incubator.screens.widgets.choice import ChoiceScreen
from incubator.screens.widgets.confirm import ConfirmScreen
from incubator.screens.widgets.form import FormScreen
from incubator.store import queries

from ..conftest import NOW
from .helpers import LOW, confirm, notices, open_store, residents, type_ahead, until
from .test_detail import open_detail
from .test_form_bad_input import fingerprint
from .test_review import open_review, residents as unreviewed
from .test_scoring import open_month
from incubator.screens.scoring.grid import ScoreRow
from .test_warnings import choose, streak


class TestTypeAhead:
    async def test_bursts_after_tab_and_arrows_land_where_they_were_meant(self, app, demo_home):
        org = residents(demo_home)[0]
        reviewed = unreviewed(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            # the scoring grid: "1 Tab 1 Tab 1 Tab 1" typed in one burst
            screen, grid = await open_month(app, pilot, org["hub_id"], "2026-11")
            cells = grid[org["id"]].cells
            screen.set_focus(cells[0])
            await type_ahead(pilot, "1", "tab", "1", "tab", "1", "tab", "1")
            assert [cell.value for cell in cells] == ["1", "1", "1", "1", ""]
            # the review form: 17, 16 and 95 with Tabs between, in one burst
            screen = await open_review(app, pilot, reviewed)
            screen.set_focus(screen.query_one("#self", Input))
            await type_ahead(pilot, "1", "7", "tab", "1", "6", "tab", "9", "5")
            assert [screen.query_one(f"#{key}", Input).value
                    for key in ("self", "peer", "public")] == ["17", "16", "95"]
            # the room map: three quick Right presses move three cards
            await pilot.press("f5")
            app.screen.query_one("#hub", Select).value = org["hub_id"]
            await pilot.pause()
            cards = list(app.screen.query(SpaceCard))
            app.screen.set_focus(cards[0])
            await type_ahead(pilot, "right", "right", "right")
            assert app.screen.focused is cards[3]

    async def test_keys_typed_while_the_grid_is_rebuilt_go_where_the_focus_returns(
            self, app, demo_home):
        """A save (or a change from elsewhere) mounts the grid's rows again: Shift+Tab to
        the month and a new month typed meanwhile went, while the focused cell was gone,
        to the hub and then into another row's cell (seen in tmux under load)."""
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen, _grid = await open_month(app, pilot, org["hub_id"], "2026-10")
            cells = next(iter(screen.query(ScoreRow))).cells  # the first row's
            screen.set_focus(cells[-1])
            await pilot.pause()
            # what a save does once written, under way as the burst arrives
            rebuilt = asyncio.ensure_future(screen.show_page())
            await type_ahead(pilot, *["shift+tab"] * (len(cells) + 1), *"2026-09")
            await rebuilt
            await until(pilot, lambda: screen.query_one("#month", Input).value == "2026-09")
            assert screen.focused is screen.query_one("#month", Input)
            assert not any(cell.value for row in screen.query(ScoreRow) for cell in row.cells
                           if cell.value not in row.stored.values())

    async def test_a_save_typed_before_the_move_to_another_month_saves_the_month_typed(
            self, app, demo_home):
        """A row typed in, ctrl+s, Shift+Tab back to the month and another month, in one
        burst: the save ran only once its key had bubbled up to the app, after the month
        had already changed, and the row typed in was never saved (seen in tmux)."""
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen, grid = await open_month(app, pilot, org["hub_id"], "2026-11")
            row = next(iter(screen.query(ScoreRow)))  # the first row, which Shift+Tab leaves
            screen.set_focus(row.cells[0])
            await pilot.pause()
            chain = screen.focus_chain
            back = chain.index(row.cells[-1]) - chain.index(screen.query_one("#month", Input))
            await type_ahead(pilot, *["1", "tab"] * (len(row.cells) - 1), "1", "ctrl+s",
                             *["shift+tab"] * back, *"2026-10")
            await until(pilot, lambda: screen.query_one("#month", Input).value == "2026-10")
            await app.workers.wait_for_complete()
            store = open_store(demo_home)
            stored = [r["total"] for r in queries.scores(store.db, month="2026-11",
                                                          org_id=row.org_id)]
            store.close()
            assert stored == [float(len(row.cells))]

    async def test_a_name_typed_right_after_the_key_that_opens_its_form_goes_into_it(
            self, app):
        """`n` on the list, then the name at once: the name was lost (the binding ran
        only after the letters had gone to the list)."""
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f2")
            await type_ahead(pilot, "n", *"阿福书画社")
            await until(pilot, lambda: isinstance(app.screen, FormScreen)
                        and app.screen.is_mounted)
            assert app.screen.query_one("#name", Input).value == "阿福书画社"

    async def test_a_picker_takes_what_was_typed_in_its_filter_with_the_enter_after_it(
            self, app):
        """Enter on a picker, a part of a name and Enter in one burst choose that name (the
        Enter used to arrive before the filter had narrowed the list, and chose the blank)."""
        async with app.run_test(size=(120, 40)) as pilot:
            app.action_register_organization()
            await until(pilot, lambda: isinstance(app.screen, FormScreen)
                        and app.screen.is_mounted)
            form = app.screen
            form.set_focus(form.query_one("#category", Select))
            await type_ahead(pilot, "enter", *"文化", "enter", "tab", "tab", "tab", *"2026")
            assert app.screen is form
            assert form.query_one("#category", Select).value == "culture"
            assert form.query_one("#entered", Input).value == "2026"


class TestDigits:
    async def test_a_digit_on_the_scoring_screen_is_data_even_on_its_save_button(self, app,
                                                                              demo_home):
        """Tab from the month passes the Save button: a 1 typed there used to switch to
        the dashboard, leaving the grid half typed."""
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen, _grid = await open_month(app, pilot, org["hub_id"], "2026-10")
            screen.set_focus(screen.query_one("#save"))
            await type_ahead(pilot, "1")
            assert app.current_mode == "scoring" and app.screen is screen
            await pilot.press("f1")  # the function keys still are area keys
            assert app.current_mode == "dashboard"

    async def test_a_digit_is_an_area_key_only_where_nothing_takes_typing(self, app, demo_home):
        org = unreviewed(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_review(app, pilot, org)
            party = screen.query_one("#party", Select)
            screen.set_focus(party)
            await type_ahead(pilot, "9", "5")  # on the review form's party-building picker
            assert app.current_mode == "review" and app.screen is screen
            assert screen.focused is party and party.value == Select.NULL
            await pilot.press("f6", "a")  # the add-waiver form: a modal, its picker focused
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            form = app.screen
            assert isinstance(form.focused, Select)
            await type_ahead(pilot, "3", "tab", "5")
            assert app.screen is form and app.current_mode == "waivers"
            await pilot.press("escape")
            await pilot.pause()
            app.screen.query_one("#waivers", DataTable).focus()
            await pilot.pause()
            await type_ahead(pilot, "5")  # a table outside any form: the area key
            assert app.current_mode == "spaces"
            app.screen.set_focus(app.screen.query_one("#hub", Select))
            await type_ahead(pilot, "2")  # a toolbar's picker is no form either
            assert app.current_mode == "organizations"


def modal_classes() -> set[type]:
    """Every modal screen class defined under incubator/screens."""
    found = set()
    for module in pkgutil.walk_packages(incubator.screens.__path__, "incubator.screens."):
        for _name, value in inspect.getmembers(importlib.import_module(module.name),
                                               inspect.isclass):
            if issubclass(value, ModalScreen) and value.__module__.startswith(
                    "incubator.screens"):
                found.add(value)
    return found


class TestFirstField:
    async def test_every_modal_screen_class_opens_on_its_first_field(self, app, demo_home):
        """A class found here but not opened below fails the test: add how to open it."""
        from incubator.domain.rubric import rubric_for
        from incubator.screens.exports.form import ExportForm
        from incubator.screens.help import HelpScreen
        from incubator.screens.imports import ImportForm, ImportPreview
        from incubator.sheets.preview import ROSTER_COLUMNS, ImportPlan, ImportRequest
        from incubator.screens.organizations.register import RegisterForm
        from incubator.screens.settings.forms import RubricForm, SettingsForm
        from incubator.screens.spaces.forms import HubForm
        from incubator.screens.sync.backup import BackupForm
        from incubator.screens.sync.pairing import CardScreen, QrScreen
        from incubator.screens.waivers.forms import ServiceHoursForm
        from incubator.screens.warnings.forms import InterviewForm
        from incubator.screens.organizations.form import profile_form
        from incubator.screens.widgets.form import RecordForm
        from incubator.screens.widgets.pickers import DateInput

        org = residents(demo_home)[0]
        streak(demo_home, org)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f4")
            await pilot.pause()
            case = next(case for row, case in app.warning_states() if row["id"] == org["id"])
            row = queries.org_row(app.reader, org["id"])
            made = {
                FormScreen: lambda: FormScreen("表单", [("on", "Date", DateInput("2026-11-15")),
                                                       ("end", "To", DateInput())],
                                               lambda values: None, lambda _r: ""),
                RecordForm: lambda: profile_form(app.store, row, lambda: row),
                InterviewForm: lambda: InterviewForm(lambda *a, **k: None, row, case,
                                                     app.today(),
                                                     queries.settings_timeline(app.reader)),
                ConfirmScreen: lambda: ConfirmScreen("标题", "说明"),
                ChoiceScreen: lambda: ChoiceScreen("选择", [("甲", 1), ("乙", 2)], 2, print),
                HelpScreen: HelpScreen,
                RegisterForm: lambda: RegisterForm(app.store, app.reader, app.today()),
                HubForm: lambda: HubForm(app.store, app.reader),
                ServiceHoursForm: lambda: ServiceHoursForm(app.store, app.reader, app.today()),
                ExportForm: lambda: ExportForm(app.reader, "warnings", app.today(), demo_home),
                ImportForm: lambda: ImportForm(app.reader, app.today()),
                ImportPreview: lambda: ImportPreview(ImportPlan(
                    ImportRequest("orgs", demo_home / "名册.xlsx"), ROSTER_COLUMNS,
                    [{"row": 3, "action": "新建", "name": "甲", "detail": ""}], "新建 1 个", (),
                    1, 0, True)),
                RubricForm: lambda: RubricForm(rubric_for(queries.rubric_versions(app.reader),
                                                          "2026-11"), "2026-12", print),
                SettingsForm: lambda: SettingsForm(queries.settings(app.reader, "2026-11"),
                                                   "2026-12", print),
                BackupForm: lambda: BackupForm(app.today()),
                CardScreen: lambda: CardScreen(app.store.identity),
                QrScreen: lambda: QrScreen(CardScreen(app.store.identity).card, "本机"),
            }
            assert modal_classes() <= set(made), modal_classes() - set(made)
            for kind, make in made.items():
                app.push_screen(make())
                await until(pilot, lambda: type(app.screen) is kind and app.screen.is_mounted)
                screen = app.screen
                first = screen.fields[0][2] if isinstance(screen, FormScreen) else \
                    screen.query_one("#cancel") if kind is ConfirmScreen else \
                    (screen.focus_chain or [None])[0]  # none for the QR code alone
                assert screen.focused is first, (kind, screen.focused)
                screen.dismiss(None if kind is not ConfirmScreen else False)
                await pilot.pause()


async def profile_form_of(app, pilot, org_id):
    await open_detail(app, pilot, org_id)
    await pilot.press("e")
    await until(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.is_mounted)
    return app.screen


class TestRefusals:
    async def test_a_refused_form_says_what_is_wrong_with_which_field(self, app, demo_home):
        org = residents(demo_home)[0]
        reviewed = unreviewed(demo_home)[0]
        before = fingerprint(demo_home)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await profile_form_of(app, pilot, org["id"])
            form.query_one("#name", Input).value = "名" * 5000
            await pilot.press("ctrl+s")
            await pilot.pause()
            said = str(form.query_one("#error", Label).render())
            assert said == "名称太长（5000 个字符，最多 80 个）" and said in notices(app)
            assert form.focused is form.query_one("#name", Input)
            await pilot.press("escape", "escape")
            screen = await open_review(app, pilot, reviewed)
            for key, value in (("self", "150"), ("peer", "80"), ("public", "80")):
                screen.query_one(f"#{key}", Input).value = value
            screen.query_one("#party", Select).value = "yes"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "自评 150 超出 0–100 的范围" in notices(app)
            assert screen.focused is screen.query_one("#self", Input)
            await pilot.press("f5")
            app.screen.query_one("#hub", Select).value = org["hub_id"]
            await pilot.pause()
            app.screen.set_focus(next(c for c in app.screen.query(SpaceCard)
                                      if c.status == "free"))
            await pilot.press("a")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            form = app.screen
            form.query_one("#org", Select).value = org["id"]
            form.query_one("#end", Input).value = "2026-13-45"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert str(form.query_one("#error", Label).render()) == \
                "止（留空表示不定期）：日期格式不对：2026-13-45，应为 YYYY-MM-DD"
        assert fingerprint(demo_home) == before

    async def test_a_name_typed_past_its_maximum_stops_there_at_once(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            form = await profile_form_of(app, pilot, org["id"])
            name = form.query_one("#name", Input)
            assert name.max_length == NAME_MAX_CHARS
            name.value = ""
            started = time.perf_counter()
            await type_ahead(pilot, *"名" * 1000)
            print(f"1,000 keys into the name: {time.perf_counter() - started:.2f} s")
            assert name.value == "名" * NAME_MAX_CHARS


class TestConfirmations:
    async def test_an_ordered_exit_asks_first_and_is_not_offered_before_an_interview(
            self, app, demo_home):
        flagged, interviewed = residents(demo_home)[:2]
        for org in (flagged, interviewed):
            streak(demo_home, org)
        store = open_store(demo_home)
        store.record_interview(interviewed["id"], "2026-11-01", case="2026-08")
        store.close()
        async with app.run_test(size=(120, 40)) as pilot:
            await choose(app, pilot, flagged)  # 需约谈提醒: an interview comes first
            warnings = app.screen
            await pilot.press("x")
            await pilot.pause()
            assert app.screen is warnings
            await pilot.press("c")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            outcomes = app.screen.query_one("#outcome", Select)
            assert [value for _label, value in outcomes._options] == ["rectified"]
            await pilot.press("escape")
            await choose(app, pilot, interviewed)
            await pilot.press("x")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            form = app.screen
            before = fingerprint(demo_home)
            await pilot.press("ctrl+s")
            asked = await confirm(app, pilot, yes=False)
            assert interviewed["name"] in asked and "收回其空间" in asked
            assert app.screen is form and fingerprint(demo_home) == before  # nothing done
            await pilot.press("ctrl+s")
            await confirm(app, pilot)
            await until(pilot, lambda: not isinstance(app.screen, FormScreen))
        store = open_store(demo_home)
        row = queries.org_row(store.db, interviewed["id"])
        store.close()
        assert (row["stage"], row["exit_ordered"]) == ("exited", 1)

    async def test_q_asks_while_grid_rows_are_unsaved(self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen, grid = await open_month(app, pilot, org["hub_id"], "2026-11")
            screen.set_focus(grid[org["id"]].cells[0])
            await type_ahead(pilot, "1", "tab", "2")
            await pilot.press("f1", "q")
            asked = await confirm(app, pilot, yes=False)
            assert "月度评分：1 行已输入但未保存" in asked
            assert app.is_running and app.current_mode == "dashboard"
            await pilot.press("q")
            await confirm(app, pilot)
            await until(pilot, lambda: not app.is_running)


def history(home, org_id):
    store = open_store(home)
    entries = store.history(org_id)
    device = store.identity.device_name
    store.close()
    return entries, device


class TestUndo:
    async def test_a_profile_edit_is_written_back_and_a_newer_foreign_edit_is_not(
            self, app, demo_home):
        org = residents(demo_home)[0]
        store = open_store(demo_home)
        old = queries.org_row(store.db, org["id"])["contact"]
        store.close()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+z")
            assert "没有可撤销的修改：本次打开应用以来没有修改过" in notices(app)
            what = f"{org['name']} 的概况：联系人"

            async def edit_contact(typed):
                form = await profile_form_of(app, pilot, org["id"])
                form.query_one("#contact", Input).value = typed
                await pilot.press("ctrl+s")
                await until(pilot, lambda: not isinstance(app.screen, FormScreen))
                await pilot.press("escape")

            def contact():
                return queries.org_row(app.reader, org["id"])["contact"]

            await edit_contact("张三")
            await pilot.press("ctrl+z")
            asked = await confirm(app, pilot)
            assert what in asked and f"联系人 {old}" in asked  # what it writes back
            await until(pilot, lambda: contact() == old)
            assert f"已撤销：{what}" in notices(app)
            entries, device = history(demo_home, org["id"])
            assert (entries[0].summary, entries[0].device_name, entries[0].fields) == (
                "Edited {fields}", device, {"profile/contact": old})  # a new, recorded change
            await edit_contact("李四")
            store = open_store(demo_home)  # someone else, meanwhile
            store.edit_org(org["id"], {"contact": "外人改的"})
            store.close()
            await pilot.press("ctrl+z")
            await confirm(app, pilot)
            await until(pilot, lambda: any(n.startswith("未撤销：") and "外人改的" in n
                                           for n in notices(app)))
        store = open_store(demo_home)
        assert queries.org_row(store.db, org["id"])["contact"] == "外人改的"
        store.close()

    async def test_saved_scores_are_written_back_and_other_changes_say_why_not(
            self, app, demo_home):
        org = residents(demo_home)[0]
        async with app.run_test(size=(120, 40)) as pilot:
            screen, grid = await open_month(app, pilot, org["hub_id"], "2026-11")
            screen.set_focus(grid[org["id"]].cells[0])
            for cell, value in zip(grid[org["id"]].cells, LOW.values()):
                cell.value = str(value)
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.press("ctrl+z")
            assert "撤销" in await confirm(app, pilot)
            await until(pilot, lambda: any(n.startswith("已撤销：2026-11 的评分")
                                           for n in notices(app)))
            store = open_store(demo_home)
            assert queries.scores(store.db, month="2026-11", org_id=org["id"]) == []
            store.close()
            entries, device = history(demo_home, org["id"])
            assert entries[0].summary == "Deleted the score of {month}" and \
                entries[0].device_name == device
            await pilot.press("f6")
            table = app.screen.query_one("#waivers", DataTable)
            table.move_cursor(row=next(index for index, waiver in enumerate(app.screen.listed)
                                       if not waiver["ended_on"]))
            table.focus()
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            await pilot.press("ctrl+s")
            await until(pilot, lambda: "减免已终止" in notices(app))
            await pilot.press("ctrl+z")
            assert any(n.startswith("上一次修改不能用 ctrl+z 撤销：减免已终止")
                       for n in notices(app))


LONG_NAME = "马鞍山街道兴隆村川剧票友会暨老年文艺志愿服务队"  # 24 characters, 48 columns


def with_a_long_name(home) -> str:
    """A resident with a long Chinese name beside the demo's 兴隆村川剧票友会."""
    hub = residents(home)[0]["hub_id"]
    store = open_store(home)
    org_id = store.add_org(LONG_NAME, "culture", hub, status="registered",
                           entered="2024-01-01", stage="growth")
    store.close()
    return org_id


def test_review_picker_shows_long_chinese_names_whole(snap_compare, demo_home):
    """The picker's list is a modal screen: nothing beneath it splits a character."""
    with_a_long_name(demo_home)

    async def open_picker(pilot):
        await pilot.press("f7")
        await pilot.pause()
        pilot.app.screen.set_focus(pilot.app.screen.query_one("#org", Select))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceScreen))
        await pilot.press(*"兴隆")
        await pilot.pause()
        shown = [str(option.prompt) for option in pilot.app.screen.query_one("#options")
                 .options]
        assert shown == [LONG_NAME, "兴隆村川剧票友会"]  # in pinyin order: ma < xing

    assert snap_compare(IncubatorApp(demo_home, clock=lambda: NOW), run_before=open_picker,
                        terminal_size=(80, 24))


def test_review_with_a_long_name_chosen(snap_compare, demo_home):
    org_id = with_a_long_name(demo_home)

    async def choose_it(pilot):
        await pilot.press("f7")
        await pilot.pause()
        pilot.app.screen.set_focus(pilot.app.screen.query_one("#org", Select))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceScreen))
        await pilot.press(*"暨老年", "enter")
        await until(pilot, lambda: not isinstance(pilot.app.screen, ChoiceScreen)
                    and pilot.app.screen.query_one("#org", Select).value == org_id)

    assert snap_compare(IncubatorApp(demo_home, clock=lambda: NOW), run_before=choose_it,
                        terminal_size=(80, 24))


def test_hub_picker_keeps_its_width_after_a_change_made_while_hidden(snap_compare, demo_home):
    org = residents(demo_home)[0]

    async def change_while_hidden(pilot):
        app = pilot.app
        await pilot.press("f3")
        await pilot.pause()
        width = app.screen.query_one("#hub", Select).size.width
        await pilot.press("f2", "f1")  # the organizations' hub picker shown meanwhile
        await pilot.pause()
        version = app.data_version()
        store = open_store(demo_home)  # the CLI, meanwhile
        store.edit_org(org["id"], {"contact": "某某"})
        store.close()
        await until(pilot, lambda: app.data_version() != version)
        await until(pilot, lambda: app.screen._shown_version == app.data_version())
        await pilot.press("f3")
        await until(pilot, lambda: app.screen._shown_version == app.data_version())
        await pilot.pause()
        assert app.screen.query_one("#hub", Select).size.width == width

    assert snap_compare(IncubatorApp(demo_home, clock=lambda: NOW),
                        run_before=change_while_hidden, terminal_size=(80, 24))
