"""The district register's commands through the CLI: every command, its JSON, and the bad
input the issue lists (a clear message, exit 2, nothing written)."""

import pytest
from typer.testing import CliRunner

from incubator.cli import app
from incubator.domain.credit_code import check_character

from ..conftest import built_home, copy_home
from .test_cli import dump_hash, run, run_json

runner = CliRunner()
FIRST17 = "51510107MJ0000123"
CODE = FIRST17 + check_character(FIRST17)
WRONG = FIRST17 + ("0" if CODE[-1] != "0" else "1")


def build_district() -> dict:
    """A network with one hub, a registered village council and a filed dance team."""
    run("init", "--hub-name", "阳光孵化中心", "--device-name", "外勤一号")
    council = run("org", "add", "--name", "田家坝村乡贤参事会", "--category", "乡贤参事",
                  "--status", "registered", "--credit-code", CODE.lower(), "--form",
                  "social-group", "--area", "rural", "--town", "青石镇", "--village", "田家坝村",
                  "--registered-on", "2023-05-01", "--leader", "王建国",
                  "--place", "村委会二楼").stdout.strip()
    dancers = run("org", "add", "--name", "幸福里社区广场舞队", "--category", "sports",
                  "--area", "urban", "--town", "东城街道", "--village", "幸福里社区",
                  "--filing-number", "东备2024-0012", "--supervisor", "东城街道办事处",
                  "--registered-on", "2024-03-01").stdout.strip()
    resident = run("org", "add", "--name", "桂花社区书画社", "--category", "culture",
                   "--hub", "阳光孵化中心", "--entered", "2024-03-15").stdout.strip()
    return {"council": council, "dancers": dancers, "resident": resident}


@pytest.fixture(scope="module")
def district_template(tmp_path_factory):
    return built_home(tmp_path_factory, "district", build_district)


@pytest.fixture
def district(district_template, isolated_home):
    """The small district (built once per module), in this test's own home."""
    return copy_home(district_template, isolated_home)


class TestRegister:
    def test_the_profile_fields_are_stored_and_shown(self, district):
        shown = run_json("org", "show", district["council"])
        assert shown["credit_code"] == CODE and shown["org_form"] == "social-group"
        assert (shown["hub_id"], shown["stage"], shown["town"]) == (None, None, "青石镇")
        assert shown["since"] == "2023-05-01"
        text = run("org", "show", district["dancers"]).stdout
        assert "备案编号: 东备2024-0012" in text.replace("：", ": ")
        assert "业务主管单位" in text

    def test_edit_a_register_field_and_clear_it(self, district):
        run("org", "edit", district["dancers"], "--leader", "李秀英", "--place", "社区广场")
        assert run_json("org", "show", district["dancers"])["leader"] == "李秀英"
        run("org", "edit", district["dancers"], "--place", "")
        assert run_json("org", "show", district["dancers"])["place"] is None

    def test_list_filters_and_counts(self, district):
        names = lambda *a: sorted(r["name"] for r in run_json("org", "list", *a))  # noqa: E731
        assert names("--area", "rural") == ["田家坝村乡贤参事会"]
        assert names("--town", "东城街道") == ["幸福里社区广场舞队"]
        assert names("--village", "田家坝村") == ["田家坝村乡贤参事会"]
        assert names("--status", "registered") == ["田家坝村乡贤参事会"]
        assert names("--resident") == ["桂花社区书画社"]
        assert names("--not-resident") == ["幸福里社区广场舞队", "田家坝村乡贤参事会"]
        assert names("--party", "none") == names()
        counted = run_json("org", "count", "--by", "town,legal_status")
        assert {(r["town"], r["legal_status"], r["count"]) for r in counted} == {
            ("青石镇", "registered", 1), ("东城街道", "filed", 1), (None, "filed", 1)}
        assert run_json("org", "count", "--by", "resident") == [
            {"resident": False, "count": 2}, {"resident": True, "count": 1}]
        assert "农村" in run("org", "count", "--by", "area").stdout


class TestCategories:
    def test_a_hub_adds_a_category_and_relabels_it(self, district):
        run("categories", "set", "time-bank", "--label", "时间银行", "--en", "Time bank")
        keys = {row["key"]: row["zh"] for row in run_json("categories")}
        assert keys["time-bank"] == "时间银行" and keys["village-sages"] == "乡贤参事"
        run("org", "add", "--name", "爱心储蓄站", "--category", "时间银行")
        run("categories", "set", "time-bank", "--label", "爱心储蓄")
        assert "爱心储蓄" in run("org", "list", "--category", "time-bank").stdout

    def test_the_defaults_are_listed_without_a_replica(self, isolated_home):
        assert {"sports", "hobbies", "public-safety", "village-sages"} <= {
            row["key"] for row in run_json("categories")}


class TestFieldwork:
    def test_activity_visit_training_and_archives(self, district):
        council = district["council"]
        run("activity", "add", council, "--date", "2026-10-01", "--title", "重阳敬老",
            "--kind", "走访慰问", "--place", "田家坝村", "--participants", "12",
            "--beneficiaries", "40", "--person-times", "60", "--hours", "24",
            "--note", "签到表、照片")
        activity, = run_json("activity", "list", "--org", council)
        assert (activity["title"], activity["person_times"], activity["hours"]) == (
            "重阳敬老", 60, 24.0)
        assert run_json("activity", "list", "--since", "2026-10-02") == []
        run("visit", "add", council, "--date", "2026-11-01", "--purpose", "pre-evaluation",
            "--findings", "章程需修订", "--follow-up", "一个月内补齐",
            "--archive", "charter=partial", "--archive", "会员名册=present")
        visit, = run_json("visit", "list")
        assert visit["checks"] == {"charter": "partial", "members": "present"}
        assert visit["visitor"] == "外勤一号"
        run("training", "add", "--date", "2026-11-02", "--topic", "财务规范培训",
            "--org", council, "--org", district["dancers"], "--people", "30")
        training, = run_json("training", "list")
        assert training["organizations"] == 2 and training["people"] == 30
        run("archives", "set", council, "finance", "missing", "--note", "无账册")
        shown = run_json("archives", "show", council)
        assert shown["completeness"] == round(100 * 1.5 / 8, 1)
        assert {i["item"]: i["state"] for i in shown["items"]}["finance"] == "missing"
        assert "18.8%" in run("archives", "show", council).stdout
        by_town = {r["town"]: r["completeness"] for r in run_json("archives", "report", "--by",
                                                                   "town")}
        assert by_town["青石镇"] == 18.8 and by_town["东城街道"] == 0
        assert len(run_json("archives", "report")) == 3
        assert len(run_json("archives", "report", "--by", "hub")) == 2

    def test_zombies_and_ranking(self, district):
        names = lambda *a: [r["name"] for r in run_json("zombies", *a)]  # noqa: E731
        # an unscored resident is one too: hubs first, then the register by town
        assert names() == ["桂花社区书画社", "幸福里社区广场舞队", "田家坝村乡贤参事会"]
        run("activity", "add", district["council"], "--date", "2026-11-01", "--title", "议事会",
            "--person-times", "30")
        assert names() == ["桂花社区书画社", "幸福里社区广场舞队"]
        assert names("--town", "青石镇") == []
        assert names("--hub", "阳光孵化中心") == ["桂花社区书画社"]
        assert names("--months", "40") == []  # none existed 40 months ago
        run("settings", "set", "zombie_months", "36")  # from next month, like every setting
        assert names() == ["桂花社区书画社", "幸福里社区广场舞队"]
        assert len(run_json("org", "list", "--zombie")) == 2
        assert names("--months", "36") == []
        ranked = run_json("ranking")
        assert ranked[0]["name"] == "田家坝村乡贤参事会" and ranked[0]["position"] == 1
        assert run_json("ranking", "--top", "1", "--dimension", "influence")[0]["influence"] == 100
        assert [r["name"] for r in run_json("ranking", "--town", "东城街道")] == ["幸福里社区广场舞队"]
        assert "活跃度" in run("ranking").stdout


class TestBadInput:
    CASES = [
        ("wrong check character", ["org", "add", "--name", "新社", "--category", "sports",
                                   "--status", "registered", "--credit-code", WRONG]),
        ("filing number on a registered one", [
            "org", "add", "--name", "新社", "--category", "sports", "--status", "registered",
            "--filing-number", "青备2024-1"]),
        ("credit code on a filed one", ["org", "edit", "{dancers}", "--credit-code", CODE]),
        ("form disagrees with the code", ["org", "edit", "{council}", "--form", "foundation"]),
        ("registered in the future", ["org", "edit", "{dancers}", "--registered-on",
                                      "2027-01-01"]),
        ("stage without a hub", ["org", "add", "--name", "新社", "--category", "sports",
                                 "--stage", "growth"]),
        ("unknown area", ["org", "add", "--name", "新社", "--category", "sports",
                          "--area", "suburb"]),
        ("activity before the organization existed", [
            "activity", "add", "{council}", "--date", "2023-04-30", "--title", "太早"]),
        ("activity in the future", ["activity", "add", "{council}", "--date", "2026-12-01",
                                    "--title", "还没办"]),
        ("negative person-times", ["activity", "add", "{council}", "--date", "2026-10-01",
                                   "--title", "敬老", "--person-times", "-3"]),
        ("activity without a title", ["activity", "add", "{council}", "--date", "2026-10-01",
                                      "--title", " "]),
        ("visit with an unknown archive item", [
            "visit", "add", "{council}", "--date", "2026-10-01", "--purpose", "routine",
            "--findings", "好", "--archive", "魔法书=present"]),
        ("visit with an unknown state", [
            "visit", "add", "{council}", "--date", "2026-10-01", "--purpose", "routine",
            "--findings", "好", "--archive", "charter=lost"]),
        ("visit with an unknown purpose", [
            "visit", "add", "{council}", "--date", "2026-10-01", "--purpose", "picnic",
            "--findings", "好"]),
        ("training before one existed", [
            "training", "add", "--date", "2024-01-01", "--topic", "培训", "--org", "{council}",
            "--org", "{dancers}"]),
        ("archives set an unknown item", ["archives", "set", "{council}", "魔法书", "present"]),
        ("archives report by street", ["archives", "report", "--by", "street"]),
        ("count by an unknown field", ["org", "count", "--by", "town,colour"]),
        ("count by a field twice", ["org", "count", "--by", "town,town"]),
        ("ranking by an unknown dimension", ["ranking", "--dimension", "fame"]),
        ("category key with blanks", ["categories", "set", "time bank", "--label", "时间银行"]),
        ("category label of another", ["categories", "set", "dance", "--label", "文体活动"]),
        ("ranking weights not adding up", ["settings", "set", "ranking_weight_activity", "40"]),
        ("archive items repeated", ["settings", "set", "archive_items", "charter,章程=章程"]),
    ]

    @pytest.mark.parametrize("lang", ["zh", "en"])
    @pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
    def test_refused_with_a_message_and_nothing_changed(self, district, isolated_home, name,
                                                        args, lang):
        before = dump_hash(isolated_home)
        argv = ["--lang", lang, *[a.format(**district) for a in args]]
        result = runner.invoke(app, argv)
        assert result.exit_code == 2, result.output
        message = result.stderr.strip()
        assert message.startswith("错误" if lang == "zh" else "Error") and "Traceback" not in message
        assert dump_hash(isolated_home) == before

    def test_the_wrong_check_character_is_named(self, district):
        result = run("org", "add", "--name", "新社", "--category", "sports", "--status",
                     "registered", "--credit-code", WRONG, ok=False)
        assert f"应为 {CODE[-1]}" in result.stderr
