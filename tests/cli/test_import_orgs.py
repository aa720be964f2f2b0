"""`import orgs`: a roster as bureaus write it, through the CLI (CSV in three encodings,
XLSX with a merged title above the header), its dry run, duplicates, all or nothing."""

import json

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from incubator.cli import app
from incubator.domain.credit_code import check_character
from incubator.store.commands import Store

from ..conftest import built_home, copy_home
from .test_cli import dump_hash, run, run_json

runner = CliRunner()
FIRST17 = "51510107MJ0000123"
CODE = FIRST17 + check_character(FIRST17)
WRONG = FIRST17 + ("0" if CODE[-1] != "0" else "1")
HEADER = ["序号", "社会团体（民办非企业单位）名称", "类别", "登记或备案", "统一社会信用代码",
          "备案编号", "成立日期", "负责人", "联系电话", "街道/乡镇", "社区/村", "会员人数",
          "党组织", "组织形式"]
GOOD = [
    [1, "幸福里社区广场舞队", "文体活动", "备案", "", "东备2024-0012", "2024/3/1", "李秀英",
     "13800001111", "东城街道", "幸福里社区", "25人", "无", ""],
    [2, "田家坝村乡贤参事会", "乡贤参事", "登记", CODE, "", "2023年5月1日", "王建国", "",
     "青石镇", "田家坝村", 12, "联合", "社会团体"],
    [3, "桂花社区书画社", "文化艺术", "", "", "", "", "张三", "", "东城街道", "桂花社区", "", "",
     ""],
]


def build() -> dict:
    run("init", "--hub-name", "阳光孵化中心", "--device-name", "前台电脑")
    resident = run("org", "add", "--name", "桂花社区书画社", "--category", "culture", "--hub",
                   "阳光孵化中心", "--entered", "2024-03-15").stdout.strip()
    choir = run("org", "add", "--name", "金色夕阳(老年)合唱团", "--category", "culture").stdout.strip()
    return {"resident": resident, "choir": choir}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return built_home(tmp_path_factory, "roster", build)


@pytest.fixture
def network(template, isolated_home):
    return copy_home(template, isolated_home)


def write_csv(path, rows, encoding):
    text = "\n".join(",".join(str(cell) for cell in row) for row in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path, rows, title="东城街道社区社会组织名册（2026年）", sheet="名册"):
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active["A1"] = "本表由街道填报"
    sheet_ = workbook.create_sheet(sheet)
    sheet_.append([title])
    sheet_.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    for row in rows:
        sheet_.append(row)
    workbook.save(path)
    return path


def registered(home):
    """The organizations as a person sees them (ids aside), by name."""
    return sorted((row["name"], row["category"], row["legal_status"], row["credit_code"],
                   row["filing_number"], row["registered_on"], row["leader"], row["phone"],
                   row["town"], row["village"], row["members"], row["party_org"],
                   row["org_form"], row["hub"]) for row in run_json("org", "list"))


class TestARoster:
    def test_an_xlsx_roster_below_a_merged_title_is_imported(self, network, tmp_path,
                                                             isolated_home):
        path = write_xlsx(tmp_path / "名册.xlsx", [HEADER, *GOOD])
        before = dump_hash(isolated_home)
        dry = run("import", "orgs", path, "--sheet", "名册", "--dry-run")
        assert dump_hash(isolated_home) == before
        assert "新建" in dry.stdout and "更新" in dry.stdout and "序号" in dry.stdout
        result = run_json("import", "orgs", path, "--sheet", "名册")
        assert result["header_row"] == 2 and result["written"]
        assert [(r["row"], r["action"]) for r in result["rows"]] == [
            (3, "create"), (4, "create"), (5, "update")]
        dancers, council = (run_json("org", "show", r["id"]) for r in result["rows"][:2])
        assert (dancers["filing_number"], dancers["registered_on"], dancers["members"],
                dancers["party_org"], dancers["legal_status"], dancers["hub_id"]) == (
            "东备2024-0012", "2024-03-01", 25, "none", "filed", None)
        assert (council["credit_code"], council["registered_on"], council["party_org"],
                council["org_form"], council["members"]) == (
            CODE, "2023-05-01", "joint", "social-group", 12)

    def test_an_update_writes_only_the_cells_that_differ(self, network, tmp_path):
        path = write_csv(tmp_path / "r.csv", [HEADER, GOOD[2]], "utf-8")
        result = run_json("import", "orgs", path)
        assert result["rows"][0]["changes"] == {
            "leader": {"from": "", "to": "张三"}, "town": {"from": "", "to": "东城街道"},
            "village": {"from": "", "to": "桂花社区"}}
        newest = run_json("history", network["resident"])[0]
        assert set(newest["fields"]) == {"profile/leader", "profile/town", "profile/village"}
        assert newest["device_name"] == "前台电脑"
        again = run_json("import", "orgs", path)
        assert again["rows"][0]["action"] == "same"
        assert len(run_json("history", network["resident"])) == 2

    def test_gb18030_and_utf8_bom_import_identically(self, template, tmp_path, monkeypatch):
        found = []
        for encoding in ("gb18030", "utf-8-sig"):
            home = tmp_path / encoding
            copy_home(template, home)
            monkeypatch.setenv("INCUBATOR_HOME", str(home))
            run("import", "orgs", write_csv(tmp_path / f"{encoding}.csv", [HEADER, *GOOD],
                                            encoding))
            found.append(registered(home))
        assert found[0] == found[1] and len(found[0]) == 4
        assert any(row[0] == "田家坝村乡贤参事会" and row[8] == "青石镇" for row in found[0])

    def test_a_mapping_file_names_the_other_headers(self, network, tmp_path):
        path = write_csv(tmp_path / "r.csv", [["社团", "归口", "街道办"],
                                              ["新村舞蹈队", "文体活动", "西城街道"]], "utf-8")
        mapping = tmp_path / "mapping.txt"
        mapping.write_text("# 我们的表头\n社团 = name\n归口 = 类别\n街道办=街道\n", encoding="utf-8")
        result = run_json("import", "orgs", path, "--mapping", mapping, "--hub", "阳光孵化中心")
        shown = run_json("org", "show", result["rows"][0]["id"])
        assert (shown["town"], shown["category"], shown["stage"]) == ("西城街道", "sports",
                                                                      "startup")

    def test_skip_invalid_imports_the_others_and_progress_is_reported(self, network,
                                                                      isolated_home):
        rows = [(n, {"name": f"第{n}号志愿队", "category": "志愿服务"}) for n in range(2, 62)]
        rows.append((62, {"name": "", "category": "志愿服务"}))
        seen = []
        store = Store.open(isolated_home)
        try:
            refused = store.import_orgs(rows)
            assert not refused.written and refused.count("reject") == 1
            done = store.import_orgs(rows, skip_invalid=True,
                                     progress=lambda n, total: seen.append((n, total)))
        finally:
            store.close()
        assert done.written and done.count("create") == 60
        assert seen[-1] == (60, 60) and len(seen) == 60
        assert len(run_json("org", "list", "--search", "志愿队")) == 60


FIVE_ERRORS = [
    HEADER,
    [1, "月亮湾社区合唱团", "魔法类", "", "", "", "", "", "", "", "", "", "", ""],
    [2, "星光社区志愿者协会", "志愿服务", "登记", WRONG, "", "", "", "", "", "", "", "", ""],
    [3, "晨曦社区读书会", "文化艺术", "", "", "", "2027-01-01", "", "", "", "", "", "", ""],
    [4, "金色夕阳（老年）合唱团", "文化艺术", "", "", "", "", "", "", "", "", "", "", ""],
    [5, "", "文化艺术", "", "", "", "", "", "", "", "", "", "", ""],
    [6, "好人好事服务队", "志愿服务", "", "", "", "", "", "", "", "", "", "", ""],
]
REASONS = {
    "zh": ["未知类别：魔法类", f"应为 {CODE[-1]}", "2027-01-01 晚于今天",
           "金色夕阳（老年）合唱团 与已有的 金色夕阳(老年)合唱团 算作同一个名称", "名称不能为空"],
    "en": ["Unknown category: 魔法类", f"expected {CODE[-1]}", "2027-01-01 is in the future",
           "counts as the same name as 金色夕阳(老年)合唱团", "Name is empty"],
}


class TestFiveErrors:
    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_each_row_is_rejected_with_its_reason_and_nothing_written(
            self, network, tmp_path, isolated_home, lang):
        rows = [list(row) for row in FIVE_ERRORS]
        path = write_xlsx(tmp_path / "errors.xlsx", rows)
        before = dump_hash(isolated_home)
        result = runner.invoke(app, ["--lang", lang, "import", "orgs", str(path), "--sheet", "名册"])
        assert result.exit_code == 2
        assert result.stderr.startswith("错误" if lang == "zh" else "Error")
        assert dump_hash(isolated_home) == before
        lines = {line.split("│")[1].strip(): line for line in result.stdout.splitlines()
                 if line.startswith("│")}
        for row, reason in zip(range(3, 8), REASONS[lang]):
            assert reason in lines[str(row)].replace("│", " "), (row, lines[str(row)])
        assert ("新建" if lang == "zh" else "create") in lines["8"]
        dry = json.loads(runner.invoke(app, ["--json", "import", "orgs", str(path), "--sheet",
                                             "名册", "--dry-run"]).stdout)
        assert [r["action"] for r in dry["rows"]] == ["reject"] * 5 + ["create"]
        assert dump_hash(isolated_home) == before


class TestBadFiles:
    CASES = [  # (name, how the file is made, what the message names in both languages)
        ("not text", lambda p: p.write_bytes(b"\x80\x80\x00\x01garbage"), "roster.csv"),
        ("no header row", lambda p: p.write_text("甲,乙\n1,2\n", encoding="utf-8"),
         "--mapping"),
        ("header only", lambda p: p.write_text("组织名称,类别\n", encoding="utf-8"),
         "roster.csv"),
        ("two name columns", lambda p: p.write_text("名称,组织名称,类别\n甲,乙,其他\n",
                                                    encoding="utf-8"), "组织名称"),
        ("an old xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 60),
         "roster.xls"),
    ]

    @pytest.mark.parametrize("lang", ["zh", "en"])
    @pytest.mark.parametrize("name,make,named", CASES, ids=[c[0] for c in CASES])
    def test_refused_plainly(self, network, tmp_path, isolated_home, name, make, named,
                             lang):
        path = tmp_path / ("roster.xls" if name == "an old xls" else "roster.csv")
        make(path)
        before = dump_hash(isolated_home)
        result = runner.invoke(app, ["--lang", lang, "import", "orgs", str(path)])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("错误" if lang == "zh" else "Error")
        assert "Traceback" not in result.stderr and named in result.stderr
        assert dump_hash(isolated_home) == before

    def test_a_missing_file_unknown_sheet_and_bad_mapping(self, network, tmp_path):
        path = write_csv(tmp_path / "r.csv", [HEADER, GOOD[0]], "utf-8")
        assert "没有文件" in run("import", "orgs", tmp_path / "none.csv", ok=False).stderr
        assert "工作表" in run("import", "orgs", path, "--sheet", "无", ok=False).stderr
        mapping = tmp_path / "m.txt"
        mapping.write_text("社团 = colour\n", encoding="utf-8")
        assert "colour" in run("import", "orgs", path, "--mapping", mapping, ok=False).stderr
