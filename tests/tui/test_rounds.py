"""公益创投 driven through Pilot: the area from ctrl+r and from the palette by name, the
rounds with their totals, a round's ranked applications, a funded project's phases, and
every form (a need, a library project, a round, an application, a review score, an
evaluation, the funding), refused with what was typed kept; snapshots at both sizes."""

import shutil

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Label, Select

from incubator.screens.app import IncubatorApp
from incubator.store import queries
from incubator.store.home import replica_path

from ..conftest import NOW
from .conftest import copied
from .helpers import SIZES, notices, open_store, rows, until
from .test_snapshots import shoot

CRITERIA = ("need", "design", "capacity", "budget", "sustainability")


def eligible(db) -> list[str]:
    """Organizations of the demo without an open warning case, by name."""
    return [row["id"] for row in queries.organizations(db, sort="name")
            if queries.warning_bar(db, row["id"], NOW.date()) is None]


@pytest.fixture(scope="module")
def rounds_template(demo_template, tmp_path_factory):
    """The demo with one round decided: three applications reviewed, two funded (one
    application's project is funded to a higher-ranked one), a tranche paid, two phases
    evaluated, the second a rectification."""
    home = tmp_path_factory.mktemp("rounds-template")
    shutil.copy(replica_path(demo_template), replica_path(home))
    store = open_store(home)
    orgs = eligible(store.db)[:3]
    needs = [store.add_need("桂花社区", "elderly", f"独居老人需求{i}", on="2025-05-01")
             for i in range(4)]
    meals = store.add_project("助老餐桌", needs[:2], budget=50_000, on="2025-06-01")
    study = store.add_project("四点半课堂", needs[2:], budget=40_000, on="2025-06-01")
    first = store.add_round("2025年第一届公益创投", 80_000, "2025-09-01", "2025-10-31")
    applications = [store.add_application(first, org, project, 30_000 + 5_000 * i,
                                          on="2025-10-01")
                    for i, (org, project) in enumerate(zip(orgs, (meals, study, study)))]
    for i, application in enumerate(applications):
        for n, kind in enumerate(("expert", "resident", "official")):
            store.review_application(application, f"评审{n}", kind,
                                     [f"{key}={80 - 5 * i}" for key in CRITERIA],
                                     on="2025-11-01")
    store.fund_round(first, on="2025-11-10")
    store.add_payment(applications[0], 10_000, on="2025-11-20")
    store.add_evaluation(applications[0], "initial", "document", "pass", beneficiaries=50,
                         person_times=300, on="2026-01-10")
    store.add_evaluation(applications[0], "mid", "site", "rectify", deadline="2026-06-30",
                         findings="台账不全", beneficiaries=80, person_times=500,
                         on="2026-05-10")
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return home


@pytest.fixture
def rounds_home(rounds_template, tmp_path):
    return copied(rounds_template, tmp_path, "rounds")


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


async def fill(app, pilot, values: dict) -> None:
    """Type into the open form's fields (Inputs get the text, Selects the value)."""
    for field_id, value in values.items():
        widget = app.screen.query_one(f"#{field_id}")
        widget.value = value
    await pilot.pause()


async def save(app, pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(app, pilot)


class TestTheRoundsArea:
    async def test_reached_by_name_with_the_round_its_ranking_and_phases(self, rounds_home):
        app = IncubatorApp(rounds_home, clock=lambda: NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+p", *"公益创投")
            assert isinstance(app.screen, CommandPalette)
            await pilot.pause(0.5)
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "RoundsScreen")
            assert rows(app.screen.query_one("#rounds", DataTable)) == [(
                "2025年第一届公益创投", "2025-10-31", "80,000", "3", "2", "65,000", "10,000",
                "80", "500")]
            ranked = rows(app.screen.query_one("#applications", DataTable))
            assert [(r[0], r[4], r[6], r[7]) for r in ranked] == [
                ("1", "80.0", "30,000", "合格 限期整改 -"), ("2", "75.0", "35,000", "- - -"),
                ("3", "70.0", "未立项", "- - -")]
            phases = rows(app.screen.query_one("#phases", DataTable))
            assert [(p[1], p[3], p[4], p[7]) for p in phases] == [
                ("初期评估", "合格", "", ""), ("中期评估", "限期整改", "2026-06-30", "台账不全")]
            reasons = str(app.screen.query_one("#reasons").render())
            assert "3 位评审，总分 80.0" in reasons and "2025-11-20 拨付 10,000 元" in reasons
            await pilot.press("1")
            await pilot.press("ctrl+r")
            await until(pilot, lambda: type(app.screen).__name__ == "RoundsScreen")

    async def test_x_writes_the_highlighted_round_s_workbook(self, rounds_home, tmp_path):
        """The export form opens on the round highlighted; its sheets are the report's."""
        import openpyxl

        from incubator.screens.exports.form import ExportForm

        app = IncubatorApp(rounds_home, clock=lambda: NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+r")
            await until(pilot, lambda: type(app.screen).__name__ == "RoundsScreen")
            chosen = app.screen.chosen_round()
            await pilot.press("x")
            await until(pilot, lambda: isinstance(app.screen, ExportForm))
            form = app.screen
            assert form.query_one("#round", Select).value == chosen["id"]
            assert form.query_one("#report", Select).value == "round"
            target = tmp_path / "第一届.xlsx"
            form.query_one("#path", Input).value = str(target)
            await save(app, pilot)
            assert f"已写入：{target}" in notices(app), notices(app)
        book = openpyxl.load_workbook(target)
        assert book.sheetnames == ["需求", "项目库", "申报", "评审打分", "立项公示", "评估结果",
                                   "受益情况"]
        funded = list(book["立项公示"].iter_rows(min_row=3, values_only=True))
        assert len(funded) == 2 and sum(row[4] for row in funded) == 65_000

    async def test_every_form_saves_or_refuses_keeping_what_was_typed(self, rounds_home):
        app = IncubatorApp(rounds_home, clock=lambda: NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+r")
            await until(pilot, lambda: type(app.screen).__name__ == "RoundsScreen")
            area = app.screen

            await pilot.press("n")  # a need
            await fill(app, pilot, {"community": "石榴村", "description": "留守儿童课后看护",
                                    "area": "youth", "source": "visit"})
            await save(app, pilot)
            need = next(n for n in queries.needs(app.reader) if n["community"] == "石榴村")
            assert (need["area"], need["source"]) == ("youth", "visit")

            await pilot.press("l")  # the library project it is merged into
            await fill(app, pilot, {"title": "石榴村四点半课堂", "needs": need["id"],
                                    "budget": "30000"})
            await save(app, pilot)
            assert queries.needs(app.reader, community="石榴村")[0]["projects"]

            await pilot.press("o")  # a round whose call closes before it opens: refused
            await fill(app, pilot, {"name": "2026年第二届公益创投", "budget": "60000",
                                    "opens": "2026-11-01", "closes": "2026-10-01"})
            await save(app, pilot)
            assert "早于开始日期" in str(app.screen.query_one("#error", Label).render())
            assert app.screen.query_one("#name", Input).value == "2026年第二届公益创投"
            await fill(app, pilot, {"closes": "2026-12-31"})
            await save(app, pilot)
            assert app.screen is area and len(area.listed_rounds) == 2
            assert area.chosen_round()["name"] == "2026年第二届公益创投"  # the newest first

            await pilot.press("a")  # an application to it
            org = eligible(app.reader)[5]
            project = next(p for p in queries.library(app.reader) if p["title"] == "石榴村四点半课堂")
            await fill(app, pilot, {"org": org, "project": project["id"],
                                    "amount": "25000", "plan": "每周三次"})
            await save(app, pilot)
            await until(pilot, lambda: len(area.listed_applications) == 1)

            await pilot.press("s")  # a review score: 101 is refused as typed
            await fill(app, pilot, {"reviewer": "王教授", "score-need": "101",
                                    **{f"score-{key}": "90" for key in CRITERIA[1:]}})
            await save(app, pilot)
            assert "需求契合度" in str(app.screen.query_one("#error", Label).render())
            await fill(app, pilot, {"score-need": "80"})
            await save(app, pilot)
            await until(pilot, lambda: area.listed_applications[0]["total"] == 87.0)

            await pilot.press("f")  # funding before the call closes: refused
            await save(app, pilot)
            assert "截止后才能决定立项" in str(app.screen.query_one("#error", Label).render())
            await pilot.press("escape")

            rounds = area.query_one("#rounds", DataTable)
            rounds.move_cursor(row=1)
            await until(pilot, lambda: area.chosen_round()["name"] == "2025年第一届公益创投")
            await pilot.press("e")  # the final phase of the first funded project
            assert app.screen.query_one("#phase", Select).value == "final"
            await fill(app, pilot, {"method": "phone", "beneficiaries": "120",
                                    "person_times": "900"})
            await save(app, pilot)
            await until(pilot, lambda: len(rows(area.query_one("#phases", DataTable))) == 3)
            assert area.listed_rounds[1]["beneficiaries"] == 120
            assert "评估已保存" in notices(app)


@pytest.mark.parametrize(**SIZES)
def test_snapshot(snap_compare, rounds_home, size):
    assert shoot(snap_compare, rounds_home, size, ("ctrl+r", "RoundsScreen"))
