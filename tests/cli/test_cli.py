"""The command-line contract, through Typer's CliRunner, one class per feature."""

import hashlib
import json
import sqlite3

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from incubator.cli import app
from incubator.store.home import replica_path

from ..conftest import built_home, copy_home

runner = CliRunner()
FULL = ["--item", "plan=2", "--item", "cleanliness=2", "--item", "activities=2",
        "--item", "archives=2", "--item", "party=2"]
LOW = ["--item", "工作计划=1", "--item", "卫生清洁=1", "--item", "活动开展=1",
       "--item", "档案资料=1", "--item", "学习与党建=1"]


def run(*args, ok=True):
    result = runner.invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    return result


def run_json(*args):
    return json.loads(run("--json", *args).stdout)


def dump_hash(home) -> str:
    conn = sqlite3.connect(replica_path(home))
    digest = hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    conn.close()
    return digest


def make_network() -> str:
    """A new network with one organization, as a person types it; the organization's id."""
    run("init", "--hub-name", "阳光孵化中心", "--device-name", "前台电脑")
    return run("org", "add", "--name", "桂花社区书画社", "--category", "文化艺术",
               "--hub", "阳光孵化中心", "--entered", "2024-03-15",
               "--status", "registered").stdout.strip()


@pytest.fixture(scope="session")
def network_template(tmp_path_factory):
    """`make_network` once per run (creating a replica costs syncs to disk), for each test
    to copy: every test still has a network of its own, as that device."""
    return built_home(tmp_path_factory, "network", make_network)


@pytest.fixture
def network(network_template, isolated_home):
    """A copy of the network in this test's home; the organization's id."""
    return copy_home(network_template, isolated_home)


class TestInit:
    def test_init_prints_a_device_id(self, isolated_home):
        result = run("init", "--hub-name", "阳光孵化中心")
        device_id = result.stdout.strip().splitlines()[-1].split("：")[-1]
        assert len(device_id) == 63 and device_id.count("-") == 7
        assert run("device", "id").stdout.strip() == device_id

    def test_init_twice_is_refused(self, network):
        result = run("init", "--hub-name", "又一个", ok=False)
        assert result.exit_code == 2
        assert "已存在" in result.stderr

    def test_commands_without_a_replica_say_what_to_do(self, isolated_home):
        result = run("org", "list", ok=False)
        assert result.exit_code == 2
        assert "incubator init" in result.stderr


class TestCategories:
    def test_every_required_category_with_its_label(self, isolated_home):
        rows = {r["key"]: r["zh"] for r in run_json("categories")}
        for key, label in {"charity": "公益慈善", "culture": "文化艺术",
                           "community-service": "社区服务", "volunteer": "志愿服务",
                           "legal-aid": "法律援助", "other": "其他"}.items():
            assert rows[key] == label


class TestOrganizations:
    def test_add_show_and_edit_by_prefix_and_name(self, network):
        shown = run_json("org", "show", network[:5])
        assert shown["name"] == "桂花社区书画社" and shown["category"] == "culture"
        run("org", "edit", "桂花社区书画社", "--phone", "13800001111", "--members", "25")
        shown = run_json("org", "show", network)
        assert (shown["phone"], shown["members"]) == ("13800001111", 25)

    def test_list_filters_and_searches_chinese_substrings(self, network):
        run("org", "add", "--name", "田家坝村邻里互助会", "--category", "mutual-aid",
            "--hub", "阳光孵化中心")
        assert [r["name"] for r in run_json("org", "list", "--search", "邻里")] == [
            "田家坝村邻里互助会"]
        assert [r["name"] for r in run_json("org", "list", "--category", "culture")] == [
            "桂花社区书画社"]
        assert len(run_json("org", "list")) == 2
        table = run("org", "list", "--search", "书画").stdout
        assert "桂花社区书画社" in table and "文化艺术" in table

    def test_search_by_pinyin_and_sort_by_pinyin_either_way(self, network):
        for name in ("阿坝社区合唱团", "张家湾书法社", "白沙村巡河队"):
            run("org", "add", "--name", name, "--category", "culture", "--hub", "阳光孵化中心")
        for typed in ("shuhua", "shs", "ghsq", "GuiHua"):
            assert [r["name"] for r in run_json("org", "list", "--search", typed)] == [
                "桂花社区书画社"], typed
        assert [r["name"] for r in run_json("org", "list", "--search", "she")] == [
            "阿坝社区合唱团", "桂花社区书画社", "张家湾书法社"]      # a < gui < zhang
        by_name = [r["name"] for r in run_json("org", "list", "--sort", "name")]
        assert by_name == ["阿坝社区合唱团", "白沙村巡河队", "桂花社区书画社", "张家湾书法社"]
        assert [r["name"] for r in run_json("org", "list", "--sort", "name", "--desc")] == \
            by_name[::-1]
        refused = run("org", "list", "--sort", "colour", ok=False)
        assert refused.exit_code == 2 and "colour" in refused.stderr and "排序" in refused.stderr

    def test_edit_to_graduated_is_refused(self, network):
        result = run("org", "edit", network, "--stage", "graduated", ok=False)
        assert result.exit_code == 2


class TestScores:
    def test_set_and_list(self, network):
        out = run("score", "set", network, "--month", "2026-10", *FULL).stdout
        assert "10" in out
        rows = run_json("score", "list", "--org", network)
        assert [(r["month"], r["total"]) for r in rows] == [("2026-10", 10.0)]

    def test_three_low_months_raise_a_warning_then_an_interview_opens_it(self, network):
        for month in ("2026-08", "2026-09", "2026-10"):
            run("score", "set", network, "--month", month, *LOW)
        warned = run_json("warnings")
        assert [(w["name"], w["status"]) for w in warned] == [("桂花社区书画社", "needs_interview")]
        run("interview", "record", network, "--date", "2026-11-10")
        warned = run_json("warnings")
        assert warned[0]["status"] == "open" and warned[0]["deadline"] == "2026-12-10"


class TestWaiversAndSpaces:
    def test_waivers_and_service_hours(self, network):
        run("waiver", "add", network, "--kind", "service-for-rent", "--from", "2026-08-01",
            "--to", "2026-12-10", "--monthly-value", "1000", "--hours-per-month", "20",
            "--approved-by", "李主任")
        run("service", "log", network, "--month", "2026-09", "--hours", "12")
        assert len(run_json("waiver", "list", "--expiring-within", "30")) == 1
        ledger, = run_json("service", "ledger")
        assert (ledger["owed"], ledger["delivered"], ledger["shortfall"]) == (60.0, 12.0, 48.0)

    def test_assign_and_release_a_room(self, network):
        run("space", "add", "阳光孵化中心", "201室", "--area", "30")
        run("space", "assign", "201室", network, "--from", "2026-01-01")
        room, = run_json("space", "list")
        assert room["org_name"] == "桂花社区书画社"
        run("space", "release", "201室", "--on", "2026-11-15")
        assert run_json("space", "list")[0]["org_name"] is None

    def test_edit_then_retire_a_space_keeps_its_history(self, network):
        run("space", "add", "阳光孵化中心", "201室", "--area", "30", "--capacity", "4")
        run("space", "assign", "201室", network, "--from", "2026-01-01")
        out = run("space", "edit", "201室", "--name", "二楼201室", "--kind", "shared",
                  "--area", "", "--capacity", "6").stdout
        assert out.strip() == "已保存：名称, 类型, 面积（平方米）, 容纳人数"
        room, = run_json("space", "list")
        assert (room["name"], room["kind"], room["area"], room["capacity"]) == (
            "二楼201室", "shared", None, 6)
        refused = run("space", "retire", "二楼201室", ok=False)
        assert refused.exit_code == 2
        assert "二楼201室" in refused.stderr and "桂花社区书画社" in refused.stderr
        assert "释放" in refused.stderr
        run("space", "release", "二楼201室", "--on", "2026-11-01")
        run("space", "retire", "二楼201室", "--on", "2026-11-10")
        assert run_json("space", "list") == []
        retired, = run_json("space", "list", "--retired")
        assert retired["retired_on"] == "2026-11-10"
        assert run_json("hub", "list")[0]["spaces"] == 0
        again = run("space", "assign", "二楼201室", network, "--from", "2026-12-01", ok=False)
        assert again.exit_code == 2 and "2026-11-10" in again.stderr
        twice = run("space", "retire", "二楼201室", ok=False)
        assert twice.exit_code == 2 and "已于2026-11-10停用" in twice.stderr
        history = [row["summary"] for row in run_json("history", "阳光孵化中心")]
        assert history[0] == "停用空间 二楼201室（自2026-11-10起）"
        assert "修改空间 二楼201室" in history
        shown = run_json("org", "show", network)
        assert shown["name"] == "桂花社区书画社"


class TestReviewGraduationExit:
    def test_review_prints_stars_and_why(self, network):
        run("score", "set", network, "--month", "2025-06", *FULL)
        out = run("review", "set", network, "--year", "2025", "--self", "90", "--peer", "85",
                  "--public", "88", "--party", "no").stdout
        assert out.splitlines()[0].startswith("三星级")
        assert run_json("review", "list", "--year", "2025")[0]["stars"] == 3

    def test_graduation_refused_with_reasons_then_forced(self, isolated_home):
        run("init", "--hub-name", "阳光孵化中心")
        org = run("org", "add", "--name", "新来的社", "--category", "other", "--hub",
                  "阳光孵化中心", "--entered", "2026-06-01").stdout.strip()
        refused = run("graduate", org, ok=False)
        assert refused.exit_code == 2
        assert refused.stderr.count("  - ") >= 3
        run("graduate", org, "--force", "--reason", "区里特批", "--destination", "独立运营")
        assert run_json("org", "show", org)["stage"] == "graduated"

    def test_exit_releases_the_space(self, network):
        run("space", "add", "阳光孵化中心", "202室")
        run("space", "assign", "202室", network, "--from", "2026-01-01")
        run("exit", network, "--reason", "长期未开展活动")
        assert run_json("org", "show", network)["stage"] == "exited"
        assert run_json("space", "list")[0]["org_name"] is None


class TestHistoryAndMaintenance:
    def test_history_newest_first_with_device(self, network):
        run("org", "edit", network, "--contact", "王建国")
        rows = run_json("history", network)
        assert rows[0]["summary"].startswith("修改") and rows[0]["device_name"] == "前台电脑"
        assert len(rows) == 2

    def test_reindex_and_verify(self, network):
        run("score", "set", network, "--month", "2026-10", *FULL)
        assert "2" in run("reindex").stdout or "3" in run("reindex").stdout
        assert run_json("verify") == {"ok": True, "problems": [], "data_quality": []}
        assert run_json("conflicts") == []


class TestBadInput:
    CASES = [
        ("unknown org", ["score", "set", "没有这个组织", "--month", "2026-10", *FULL]),
        ("score above max", ["score", "set", "{org}", "--month", "2026-10", "--item", "plan=3",
                             *FULL[2:]]),
        ("negative score", ["score", "set", "{org}", "--month", "2026-10", "--item", "plan=-1",
                            *FULL[2:]]),
        ("future month", ["score", "set", "{org}", "--month", "2027-01", *FULL]),
        ("malformed month", ["score", "set", "{org}", "--month", "2026-13", *FULL]),
        ("malformed item", ["score", "set", "{org}", "--month", "2026-10", "--item", "plan"]),
        ("waiver ends first", ["waiver", "add", "{org}", "--kind", "rent-free", "--from",
                               "2026-05-01", "--to", "2026-04-01", "--monthly-value", "100",
                               "--approved-by", "李主任"]),
        ("overlapping allocation", ["space", "assign", "301室", "{org}", "--from", "2026-03-01"]),
        ("retire a space in use", ["space", "retire", "301室", "--on", "2026-03-01"]),
        ("space area not a number", ["space", "edit", "301室", "--area", "三十"]),
        ("space edit with nothing", ["space", "edit", "301室"]),
        ("duplicate name", ["org", "add", "--name", "桂花社区书画社", "--category", "culture",
                            "--hub", "阳光孵化中心"]),
        ("huge name", ["org", "add", "--name", "名" * 10000, "--category", "culture",
                       "--hub", "阳光孵化中心"]),
        ("non-UTF-8 name", ["org", "add", "--name", b"\xff\xfe".decode("utf-8", "surrogateescape"),
                            "--category", "culture", "--hub", "阳光孵化中心"]),
        ("unknown category", ["org", "add", "--name", "新社", "--category", "魔法",
                              "--hub", "阳光孵化中心"]),
        ("unknown setting", ["settings", "set", "no_such_key", "1"]),
    ]

    @pytest.fixture
    def prepared(self, network):
        run("space", "add", "阳光孵化中心", "301室")
        run("space", "assign", "301室", network, "--from", "2026-01-01", "--to", "2026-06-30")
        return network

    @pytest.mark.parametrize("lang", ["zh", "en"])
    @pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
    def test_refused_with_a_message_and_nothing_changed(self, prepared, isolated_home, name,
                                                        args, lang):
        before = dump_hash(isolated_home)
        argv = ["--lang", lang, *[a.replace("{org}", prepared) for a in args]]
        result = runner.invoke(app, argv)
        assert result.exit_code == 2, result.output
        message = result.stderr.strip()
        assert message and "Traceback" not in message
        if lang == "zh":
            assert message.startswith("错误")
        else:
            assert message.startswith("Error")
        assert dump_hash(isolated_home) == before


class TestHelp:
    def test_every_command_has_help_text(self):
        def walk(command, path):
            if hasattr(command, "commands"):
                for name, sub in command.commands.items():
                    yield from walk(sub, [*path, name])
            else:
                yield path, command

        commands = list(walk(get_command(app), []))
        assert len(commands) > 30
        for path, command in commands:
            assert (command.help or "").strip(), f"{' '.join(path)} has no help"
            assert runner.invoke(app, [*path, "--help"]).exit_code == 0


class TestDamagedReplica:
    def test_garbage_instead_of_a_replica_is_refused_clearly(self, isolated_home):
        isolated_home.mkdir(parents=True)
        replica_path(isolated_home).write_bytes(b"\x00garbage" * 5000)
        result = run("org", "list", ok=False)
        assert result.exit_code == 2
        assert "不是孵化中心管理的副本" in result.stderr and "Traceback" not in result.stderr

    def test_a_replica_cut_in_half_is_refused_clearly(self, network, isolated_home):
        path = replica_path(isolated_home)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        result = runner.invoke(app, ["verify"])
        assert result.exit_code in (1, 2)
        assert (result.stderr or result.stdout).strip() and "Traceback" not in result.output


class TestRemainingCommands:
    def test_demo_builds_a_deterministic_replica(self, isolated_home, tmp_path):
        run("demo", "--orgs", "8", "--months", "6", "--seed", "3", "--no-tui")
        first = run_json("org", "list")
        again = run("demo", "--no-tui", ok=False)
        assert again.exit_code == 2 and "--replace" in again.stderr
        run("--home", str(tmp_path / "other"), "demo", "--orgs", "8", "--months", "6", "--seed",
            "3", "--no-tui")
        assert json.loads(run("--home", str(tmp_path / "other"), "--json", "org", "list").stdout) \
            == first

    def test_hubs_and_their_spaces(self, network):
        run("hub", "add", "文化艺术孵化基地", "--category", "culture")
        names = {h["name"]: h for h in run_json("hub", "list")}
        assert set(names) == {"阳光孵化中心", "文化艺术孵化基地"}
        assert names["阳光孵化中心"]["residents"] == 1

    def test_rubric_versions(self, network):
        run("rubric", "set", "--from", "2026-11", "--item", "plan=4:工作计划",
            "--item", "safety=6:安全管理")
        versions = run_json("rubric", "show")
        assert [v["from"] for v in versions] == ["2000-01", "2026-11"]
        assert run_json("rubric", "show", "--month", "2026-11")[0]["max_total"] == 10
        run("score", "set", network, "--month", "2026-11", "--item", "plan=3",
            "--item", "安全管理=6")
        assert run_json("score", "list", "--month", "2026-11")[0]["rubric_from"] == "2026-11"

    def test_settings_change_the_rules(self, network, monkeypatch):
        # A change applies from next month on (issue 11: it never rewrites the past).
        run("settings", "set", "warning_streak_months", "2")
        assert run_json("settings", "show", "--month", "2026-12")["warning_streak_months"] == 2
        refused = run("settings", "set", "review_weight_self", "30", ok=False)
        assert refused.exit_code == 2
        run("settings", "set", "review_weight_self=30", "review_weight_peer=10")
        shown = run_json("settings", "show", "--month", "2026-12")
        assert (shown["review_weight_self"], shown["review_weight_peer"]) == (30, 10)
        monkeypatch.setenv("INCUBATOR_NOW", "2027-01-20T09:30:00+00:00")
        for month in ("2026-12", "2027-01"):
            run("score", "set", network, "--month", month, *LOW)
        assert run_json("warnings")[0]["status"] == "needs_interview"

    def test_interview_close_with_an_ordered_exit(self, network):
        for month in ("2026-08", "2026-09", "2026-10"):
            run("score", "set", network, "--month", month, *LOW)
        run("interview", "record", network, "--date", "2026-10-20")
        run("interview", "close", network, "--outcome", "exit", "--reason", "三个月未整改")
        shown = run_json("org", "show", network)
        assert shown["stage"] == "exited" and shown["exit_reason"] == "三个月未整改"

    def test_conflicts_listed_and_resolved_from_the_command_line(self, network, isolated_home,
                                                                  tmp_path):
        from ..store.test_replica import clone, copy_chunks
        from incubator.store.commands import Store

        from ..conftest import NOW

        store = Store.open(isolated_home, clock=lambda: NOW)
        laptop = clone(store, tmp_path / "laptop")
        store.close()
        laptop.edit_org(network, {"contact": "李秀英"})
        laptop.close()
        run("org", "edit", network, "--contact", "王建国")
        copy_chunks(laptop, isolated_home)
        conflict, = run_json("conflicts")
        assert conflict["field"] == "profile/contact"
        assert {c["value"] for c in conflict["candidates"]} == {"李秀英", "王建国"}
        keep = 1 + [c["value"] for c in conflict["candidates"]].index("李秀英")
        run("conflicts", "resolve", network, "profile/contact", "--keep", str(keep))
        assert run_json("conflicts") == []
        assert run_json("org", "show", network)["contact"] == "李秀英"

    def test_the_app_needs_a_replica(self, isolated_home):
        result = run("tui", ok=False)
        assert result.exit_code == 2 and "incubator init" in result.stderr

    def test_an_unknown_language_is_refused(self, network):
        result = run("--lang", "fr", "org", "list", ok=False)
        assert result.exit_code == 2
