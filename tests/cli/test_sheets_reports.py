"""`export NAME`, `import scores`, `import activities`: every report opened with openpyxl and
checked against the replica, byte-identical repeats, the score sheet's round trip, the
activity template's, and bad input in both languages."""

import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from incubator.cli import app
from incubator.domain.credit_code import check_character
from incubator.sheets.exports import export_report
from incubator.sheets.reports import REPORTS
from incubator.store import queries
from incubator.store.commands import ActivityEntry, ScoreEntry, Store

from ..conftest import NOW, built_home, copy_home
from .test_cli import dump_hash, run, run_json

runner = CliRunner()
CODE = "51510107MJ0000123" + check_character("51510107MJ0000123")
ITEMS = ("plan", "cleanliness", "activities", "archives", "party")


def scores(store, org, month, *values):
    store.set_scores([ScoreEntry(org, month, dict(zip(ITEMS, values)))])


def build() -> dict:
    """Two hubs, six organizations (one on the register only), spaces, waivers, three
    months of scores with a low streak, reviews, an ordered exit and a graduation; the
    organizations' ids by name."""
    home = Path(os.environ["INCUBATOR_HOME"])
    store = Store.init(home, "阳光孵化中心", "前台电脑", "charity", clock=lambda: NOW)
    try:
        hub2 = store.add_hub("文化艺术孵化基地", "culture")
        ids = {
            "calligraphy": store.add_org("桂花社区书画社", "culture", "阳光孵化中心",
                                         entered="2024-03-15", status="registered",
                                         register_fields={"credit_code": CODE,
                                                          "org_form": "social-group",
                                                          "town": "东城街道", "area": "urban"}),
            "dancers": store.add_org("幸福里舞蹈队", "sports", "阳光孵化中心",
                                     entered="2025-01-10", register_fields={
                                         "town": "东城街道", "area": "urban"}),
            "choir": store.add_org("夕阳红合唱团", "culture", hub2, entered="2024-06-01",
                                   party="independent"),
            "council": store.add_org("田家坝村乡贤参事会", "village-sages", register_fields={
                "town": "青石镇", "village": "田家坝村", "area": "rural",
                "registered_on": "2023-05-01"}, party="joint"),
            "leaving": store.add_org("将退出的社", "other", hub2, entered="2024-01-01"),
            "alumni": store.add_org("已出壳的社", "other", "阳光孵化中心", entered="2024-01-01"),
        }
        room = store.add_space("阳光孵化中心", "101室", "room", 30, 6)
        store.add_space("阳光孵化中心", "工位1", "desk", 5, 1)
        hall = store.add_space(hub2, "201室", "room", 40, 10)
        store.assign_space(room, ids["calligraphy"], "2025-01-01")
        store.assign_space(hall, ids["choir"], "2025-02-01")
        store.add_waiver(ids["calligraphy"], "rent-free", "2025-01-01", "2026-12-31", 1000,
                         approved_by="王主任")
        store.add_waiver(ids["choir"], "service-for-rent", "2026-01-01", "2026-12-31", 800,
                         hours_per_month=10, approved_by="王主任")
        store.log_service(ids["choir"], "2026-10", 8)
        store.set_scores([ScoreEntry(ids["calligraphy"], f"2025-{month:02d}",
                                     dict.fromkeys(ITEMS, 2)) for month in range(1, 13)])
        for month in ("2026-08", "2026-09", "2026-10"):
            scores(store, ids["calligraphy"], month, 2, 2, 2, 2, 1.5)
            scores(store, ids["dancers"], month, 1, 1, 1, 1, 1)
            scores(store, ids["choir"], month, 2, 1, 1.5, 1, 2)
        store.set_review(ids["calligraphy"], 2025, 90, 85, 88, True)
        store.set_review(ids["choir"], 2025, 60, 60, 60, True)
        store.exit_org(ids["leaving"], "多次整改不到位", "2026-05-01", ordered=True)
        store.graduate(ids["alumni"], "2026-06-30", "独立运营", force=True, reason="表现突出")
        store.add_activity(ActivityEntry(ids["calligraphy"], "2026-10-01", "重阳书画展",
                                         place="桂花社区", person_times=120))
        store.set_archive(ids["calligraphy"], "charter", "present")
        return {row["name"]: row["id"] for row in queries.organizations(store.db)}
    finally:
        store.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return built_home(tmp_path_factory, "reports", build)


@pytest.fixture
def replica(template, isolated_home):
    return copy_home(template, isolated_home)


def export(tmp_path, name, *options, lang="zh"):
    out = tmp_path / f"{name}.xlsx"
    result = runner.invoke(app, ["--lang", lang, "export", name, "--out", str(out), *options])
    assert result.exit_code == 0, result.output + result.stderr
    return load_workbook(out)


def table(sheet, header_row=2):
    """The sheet's header and its rows (up to the first empty one, the totals last) as
    dicts by header."""
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[header_row - 1])
    data = []
    for row in rows[header_row:]:
        if all(cell is None for cell in row):
            break
        data.append(dict(zip(header, row)))
    return header, data


class TestReports:
    def test_score_sheet(self, replica, tmp_path):
        book = export(tmp_path, "score-sheet", "--month", "2026-10")
        assert book.sheetnames == ["文化艺术孵化基地", "阳光孵化中心"]
        sheet = book["阳光孵化中心"]
        assert sheet["A1"].value == "月度规范评分表 2026-10 · 阳光孵化中心"
        header, rows = table(sheet)
        assert header == ["编号", "组织", "工作计划（满分 2）", "卫生清洁（满分 2）",
                          "活动开展（满分 2）", "档案资料（满分 2）", "学习与党建（满分 2）",
                          "合计（满分 10）", "备注"]
        stored = {row["org_name"]: row for row in run_json("score", "list", "--month", "2026-10")}
        assert [row["组织"] for row in rows] == ["桂花社区书画社", "幸福里舞蹈队"]
        for row in rows:
            items = [row[h] for h in header[2:7]]
            assert sum(items) == stored[row["组织"]]["total"]
            assert row["编号"] == stored[row["组织"]]["org_id"]
        assert sheet["H3"].value == '=IF(COUNT(C3:G3)=0,"",SUM(C3:G3))'
        rules = {str(v.sqref): (v.type, v.formula1, v.formula2)
                 for v in sheet.data_validations.dataValidation}
        assert rules["C3:C4"] == ("decimal", "0", "2") and len(rules) == 5
        assert sheet.freeze_panes == "A3" and sheet.print_title_rows == "$1:$2"
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.column_dimensions["B"].width >= 2 * len("桂花社区书画社")
        blank = export(tmp_path, "score-sheet", "--month", "2026-10", "--blank")
        assert table(blank["阳光孵化中心"])[1][0]["工作计划（满分 2）"] is None

    def test_warnings(self, replica, tmp_path):
        sheet = export(tmp_path, "warnings").active
        header, rows = table(sheet)
        assert header[:5] == ["组织", "孵化中心", "类型", "约谈事项", "状态"]
        cases = run_json("warnings", "--all")
        assert sorted((r["组织"], r["约谈事项"]) for r in rows[:-1]) == sorted(
            (c["name"], c["case"]) for c in cases)
        assert rows[-1]["组织"] == f"案件：{len(cases)}"
        assert any(r["低分月份"] == "2026-08 2026-09 2026-10" and r["连续低分月数"] == 3
                   for r in rows)

    def test_stars(self, replica, tmp_path):
        book = export(tmp_path, "stars", "--year", "2025")
        assert book.sheetnames == ["星级名单", "星级分布", "优先名单", "低星名单"]
        reviews = run_json("review", "list", "--year", "2025")
        _header, rows = table(book["星级名单"])
        assert [r["组织"] for r in rows[:-1]] == [r["org_name"] for r in reviews]
        header, dist = table(book["星级分布"], header_row=3)
        assert header == ["孵化中心", "五星级", "四星级", "三星级", "二星级", "一星级", "合计"]
        assert dist[-1]["合计"] == len(reviews) == 2
        assert book["星级分布"]["A2"].value.startswith("五星级 ")
        low = table(book["低星名单"])[1]
        assert [r["组织"] for r in low] == ["夕阳红合唱团"] and low[0]["约谈事项"]
        assert [r["组织"] for r in table(book["优先名单"])[1]] == ["桂花社区书画社"]

    def test_occupancy(self, replica, tmp_path):
        book = export(tmp_path, "occupancy")
        header, rows = table(book["空间明细"])
        assert "使用组织" in header and len(rows) == 4 and rows[-1]["面积（平方米）"] == 75
        assert {r["空间"]: r["使用组织"] for r in rows[:-1]} == {
            "101室": "桂花社区书画社", "工位1": None, "201室": "夕阳红合唱团"}
        totals = table(book["按孵化中心"])[1][-1]
        assert (totals["空间数"], totals["已占用"], totals["面积（平方米）"], totals["已用面积（㎡）"],
                totals["空闲面积（㎡）"]) == (3, 2, 75, 70, 5)

    def test_waivers(self, replica, tmp_path):
        book = export(tmp_path, "waivers", "--month", "2026-10")
        _h, rows = table(book.worksheets[0])
        assert len(rows) == 3 and rows[-1]["组织"] == "减免：2"
        assert {r["类型"] for r in rows[:-1]} == {"免租金", "以服务换租金"}
        header, totals = table(book.worksheets[1])
        assert header == ["孵化中心", "免租金", "低租金", "水电减免", "以服务换租金", "合计"]
        assert totals[-1]["合计"] == 1800
        _h, ledger = table(book.worksheets[2])
        row = run_json("service", "ledger")[0]
        assert (ledger[0]["应服务时数"], ledger[0]["已完成时数"]) == (row["owed"], row["delivered"])
        assert ledger[-1]["应服务时数"] == row["owed"]

    def test_graduation(self, replica, tmp_path):
        book = export(tmp_path, "graduation", "--year", "2026")
        _h, rows = table(book.active)
        assert [(r["组织"], r["结果"]) for r in rows[:-1]] == [("将退出的社", "责令退出"),
                                                               ("已出壳的社", "出壳")]
        assert rows[0]["日期"].date().isoformat() == "2026-05-01"

    def test_register(self, replica, tmp_path):
        book = export(tmp_path, "register")
        header, rows = table(book["名册"])
        assert header[:3] == ["组织名称", "类别", "登记状态"]
        assert len(rows) == 7 and rows[-1]["组织名称"] == "组织：6"
        _h, counts = table(book["统计"])
        totals = counts[-1]
        assert totals["组织"] == 6
        assert (totals["城市"], totals["农村"], totals["登记注册"], totals["联合党组织"]) == (2, 1, 1, 1)

    def test_ranking_zombies_archives(self, replica, tmp_path):
        ranking = table(export(tmp_path, "ranking").active)[1]
        assert [r["组织"] for r in ranking[:-1]] == [r["name"] for r in run_json("ranking")]
        zombies = table(export(tmp_path, "zombies").active)[1]
        assert [r["组织"] for r in zombies[:-1]] == [r["name"] for r in run_json("zombies")]
        archives = export(tmp_path, "archives")
        rows = table(archives.worksheets[0])[1]
        report = {r["name"]: r["completeness"] for r in run_json("archives", "report")}
        assert {r["组织"]: r["完整度（%）"] for r in rows[:-1]} == report

    def test_summary_and_english(self, replica, tmp_path):
        sheet = export(tmp_path, "summary", "--year", "2025").active
        figures = dict(sheet.iter_rows(min_row=3, max_row=19, max_col=2, values_only=True))
        assert figures["名册上的组织"] == len(run_json("org", "list"))
        assert figures["农村"] == 1 and figures["僵尸组织"] == len(run_json("zombies"))
        english = export(tmp_path, "summary", lang="en").active
        assert english["A2"].value == "Figure" and english["A3"].value == \
            "Organizations on the register"


class TestReproducible:
    def test_an_export_beside_another_writers_temporary_file_is_written_whole(
            self, replica, tmp_path):
        """Two exports to one file at once used to write into the same `.NAME.partial`:
        here the other writer's temporary file stands where that name was."""
        (tmp_path / ".zombies.xlsx.partial").mkdir()
        book = export(tmp_path, "zombies")
        assert book.sheetnames == ["僵尸组织"]
        assert sorted(p.name for p in tmp_path.glob("*zombies*")) == [
            ".zombies.xlsx.partial", "zombies.xlsx"]

    def test_the_same_replica_gives_the_same_bytes(self, replica, tmp_path, isolated_home):
        run("export", "waivers", "--out", tmp_path / "w.csv", "--format", "csv")
        assert sorted(p.name for p in tmp_path.glob("w-*.csv")) == [
            "w-以服务换租金台账.csv", "w-减免.csv", "w-月度合计.csv"]
        store = Store.open(isolated_home)
        try:
            # (a round's export needs a round: tests/cli/test_rounds_cli.py)
            for name, file_format in [*((name, "xlsx") for name in REPORTS if name != "round"),
                                      ("waivers", "csv"), ("register", "csv")]:
                outs = [tmp_path / f"{name}-{n}.{file_format}" for n in (1, 2)]
                written = [export_report(store, name, out, file_format=file_format)
                           for out in outs]
                for first, second in zip(*written):
                    assert first.read_bytes() == second.read_bytes(), first.name
                    if file_format == "csv":
                        assert first.read_bytes().startswith("\ufeff".encode())
        finally:
            store.close()


class TestScoreSheetRoundTrip:
    @staticmethod
    def history_lengths(home, orgs):
        store = Store.open(home)
        try:
            return {name: len(store.history(org)) for name, org in orgs.items()}
        finally:
            store.close()

    def test_cells_edited_with_openpyxl_are_exactly_what_changes(self, replica, tmp_path,
                                                                 isolated_home):
        path = tmp_path / "scores.xlsx"
        run("export", "score-sheet", "--month", "2026-10", "--out", path)
        before = {(r["org_name"], r["month"]): r for r in run_json("score", "list")}
        history = self.history_lengths(isolated_home, replica)
        book = load_workbook(path)
        sheet = book["阳光孵化中心"]
        names = {sheet.cell(row, 2).value: row for row in range(3, sheet.max_row + 1)}
        sheet.cell(names["幸福里舞蹈队"], 3).value = 2       # plan 1 → 2
        sheet.cell(names["幸福里舞蹈队"], 9).value = "已约谈"  # a note
        book.save(path)
        unchanged = dump_hash(isolated_home)
        dry = run("import", "scores", path, "--month", "2026-10", "--dry-run").stdout
        assert "幸福里舞蹈队" in dry and "将保存 1 条评分，2 条无变化" in dry
        assert dump_hash(isolated_home) == unchanged
        result = run_json("import", "scores", path, "--month", "2026-10")
        assert len(result["saved"]) == 1 and result["unchanged"] == 2
        after = {(r["org_name"], r["month"]): r for r in run_json("score", "list")}
        assert after.keys() == before.keys()
        changed = {key for key in after if after[key] != before[key]}
        assert changed == {("幸福里舞蹈队", "2026-10")}
        dancers = after[("幸福里舞蹈队", "2026-10")]
        assert dancers["items"]["plan"] == 2 and dancers["total"] == 6 and \
            dancers["note"] == "已约谈"
        assert self.history_lengths(isolated_home, replica) == {
            name: count + (name == "幸福里舞蹈队") for name, count in history.items()}
        newest = run_json("history", replica["幸福里舞蹈队"])[0]
        assert set(newest["fields"]) == {"scores/2026-10"} and newest["device_name"] == "前台电脑"
        again = run_json("import", "scores", path, "--month", "2026-10")
        assert again["saved"] == [] and again["unchanged"] == 3

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_invalid_cells_are_listed_and_nothing_is_written(self, replica, tmp_path,
                                                             isolated_home, lang):
        path = tmp_path / "scores.xlsx"
        run("--lang", lang, "export", "score-sheet", "--month", "2026-10", "--out", path)
        book = load_workbook(path)
        sheet = book["阳光孵化中心"]
        sheet["C3"] = 3            # above the item's maximum
        sheet["D4"] = "良好"        # not a number
        book["文化艺术孵化基地"]["E3"] = None  # a row left incomplete
        book.save(path)
        before = dump_hash(isolated_home)
        result = runner.invoke(app, ["--lang", lang, "import", "scores", str(path),
                                     "--month", "2026-10"])
        assert result.exit_code == 2 and dump_hash(isolated_home) == before
        assert result.stderr.startswith("错误" if lang == "zh" else "Error")
        lines = [line for line in result.stdout.splitlines() if line.startswith("│")]
        cells = {tuple(part.strip() for part in line.split("│")[1:4]) for line in lines}
        assert cells == {("阳光孵化中心", "3", "C"), ("阳光孵化中心", "4", "D"),
                         ("文化艺术孵化基地", "3", "E")}
        wrong_month = runner.invoke(app, ["--lang", lang, "import", "scores", str(path),
                                          "--month", "2026-09"])
        assert wrong_month.exit_code == 2 and "2026-10" in wrong_month.stdout


class TestActivities:
    def test_the_template_filled_in_is_imported_once(self, replica, tmp_path, isolated_home):
        path = tmp_path / "activities.xlsx"
        run("export", "activity-template", "--out", path)
        book = load_workbook(path)
        sheet = book.worksheets[0]
        assert [c.value for c in sheet[2]][:4] == ["编号", "组织", "日期", "活动名称"]
        rules = {v.type for v in sheet.data_validations.dataValidation}
        assert rules == {"date", "whole", "decimal"}
        sheet["A3"], sheet["C3"], sheet["D3"], sheet["I3"] = (
            replica["幸福里舞蹈队"], "2026-10-12", "广场舞展演", 80)
        sheet["B4"], sheet["C4"], sheet["D4"], sheet["F4"] = (
            "田家坝村乡贤参事会", "2026/11/2", "调解邻里纠纷", "田家坝村")
        book.save(path)
        unchanged = dump_hash(isolated_home)
        dry = run_json("import", "activities", path, "--dry-run")
        assert not dry["written"] and dry["ids"] == []
        assert [(r["row"], r["title"]) for r in dry["rows"]] == [(3, "广场舞展演"),
                                                                 (4, "调解邻里纠纷")]
        assert dump_hash(isolated_home) == unchanged
        result = run_json("import", "activities", path)
        assert len(result["ids"]) == 2
        listed = {(r["org_name"], r["on_date"], r["title"], r["person_times"])
                  for r in run_json("activity", "list", "--since", "2026-10-02")}
        assert listed == {("幸福里舞蹈队", "2026-10-12", "广场舞展演", 80),
                          ("田家坝村乡贤参事会", "2026-11-02", "调解邻里纠纷", 0)}
        before = dump_hash(isolated_home)
        again = run("import", "activities", path, ok=False)
        assert again.exit_code == 2 and "已有" in again.stdout
        assert dump_hash(isolated_home) == before


class TestBadInput:
    CASES = [
        ("unknown report", ["export", "payroll", "--out", "{out}"]),
        ("an option the report does not take", ["export", "register", "--month", "2026-10",
                                                "--out", "{out}"]),
        ("malformed month", ["export", "score-sheet", "--month", "2026-13", "--out", "{out}"]),
        ("future month", ["export", "score-sheet", "--month", "2027-01", "--out", "{out}"]),
        ("unknown hub", ["export", "warnings", "--hub", "不存在的中心", "--out", "{out}"]),
        ("unknown format", ["export", "warnings", "--format", "pdf", "--out", "{out}"]),
        ("no such folder", ["export", "warnings", "--out", "{missing}"]),
        ("blank for another report", ["export", "warnings", "--blank", "--out", "{out}"]),
        ("year in the future", ["export", "stars", "--year", "2031", "--out", "{out}"]),
        ("scores of a file that is no score sheet", ["import", "scores", "{roster}",
                                                     "--month", "2026-10"]),
        ("scores of a malformed month", ["import", "scores", "{roster}", "--month", "10月"]),
        ("activities of a missing file", ["import", "activities", "{missing}"]),
    ]

    @pytest.mark.parametrize("lang", ["zh", "en"])
    @pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
    def test_refused_with_a_message_and_nothing_changed(self, replica, tmp_path, isolated_home,
                                                        name, args, lang):
        roster = tmp_path / "roster.csv"
        roster.write_text("组织名称,类别\n甲,其他\n", encoding="utf-8")
        places = {"out": tmp_path / "out.xlsx", "missing": tmp_path / "none" / "x.xlsx",
                  "roster": roster}
        before = dump_hash(isolated_home)
        result = runner.invoke(app, ["--lang", lang, *[a.format(**places) for a in args]])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("错误" if lang == "zh" else "Error")
        assert "Traceback" not in result.stderr
        assert "--help" not in result.stderr  # the command's own refusal, not a usage error
        assert dump_hash(isolated_home) == before
        assert not (tmp_path / "out.xlsx").exists()


class TestWholeReplica:
    def test_export_all_then_import_all_gives_an_equivalent_replica(self, replica, tmp_path,
                                                                    isolated_home,
                                                                    monkeypatch):
        folder = tmp_path / "export"
        run("export", "all", "--out", folder)
        tables = sorted(p.name for p in (folder / "tables").iterdir())
        assert "organizations.csv" in tables and len(tables) == len(
            Store.open(isolated_home).query_tables())
        council = next(p for p in (folder / "documents").iterdir()
                       if "田家坝村乡贤参事会" in p.read_text(encoding="utf-8"))
        shown = json.loads(council.read_text(encoding="utf-8"))
        assert shown["content"]["profile"]["town"] == "青石镇"
        assert (shown["history"][-1]["summary"], shown["history"][-1]["device_name"]) == (
            "入驻登记：田家坝村乡贤参事会", "前台电脑")
        restored = tmp_path / "restored"
        monkeypatch.setenv("INCUBATOR_HOME", str(restored))
        run("import", "all", folder)
        assert run_json("verify")["ok"]
        original, copy = Store.open(isolated_home), Store.open(restored)
        try:
            assert copy.replica.dump_query_tables() == original.replica.dump_query_tables()
            assert copy.verify() == [] and original.verify() == []
        finally:
            original.close()
            copy.close()
        again = run("import", "all", folder, ok=False)
        assert again.exit_code == 2 and "已有文档" in again.stderr

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_bad_folders_are_refused_and_nothing_is_left(self, replica, tmp_path,
                                                         monkeypatch, lang):
        folder = tmp_path / "export"
        run("export", "all", "--out", folder)
        assert run("--lang", lang, "export", "all", "--out", folder, ok=False).exit_code == 2
        network = folder / "documents" / "network.json"
        data = json.loads(network.read_text(encoding="utf-8"))
        data["heads"] = ["0" * 64]
        network.write_text(json.dumps(data), encoding="utf-8")
        target = tmp_path / "target"
        monkeypatch.setenv("INCUBATOR_HOME", str(target))
        for bad in (folder, tmp_path):
            result = runner.invoke(app, ["--lang", lang, "import", "all", str(bad)])
            assert result.exit_code == 2
            assert result.stderr.startswith("错误" if lang == "zh" else "Error")
            assert not target.exists() or not any(target.iterdir())
