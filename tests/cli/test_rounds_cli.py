"""Venture-philanthropy rounds from the command line, as the report tells one: 88 needs
merged into 42 library projects, 18 applications reviewed by 5 reviewers each, 17 funded
within the budget, every funded project evaluated in three phases (one rectification,
one recovery), the totals checked in `round show` and the export, and again on a second
replica after a TLS sync and after a USB bundle. The round is built once per module
(the commands a person types) and copied for each test."""

import csv
import functools
import json
import os
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
import typer.testing
from typer.main import get_command
from typer.testing import CliRunner

from incubator.cli import app
from incubator.domain.docids import application_doc
from incubator.store import queries
from incubator.store.commands import Store
from incubator.store.commands.writes import set_all

from ..conftest import built_home, copy_home
from ..sync.helpers import bypass_local_checks
from .test_cli import FULL, LOW, dump_hash
from .test_sync_cli import serving


RUNNER = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def command_built_once():
    """Typer builds the whole Click command tree again at every `invoke` (about 0.4 s,
    most of a call): build it once for the module's ~400 commands."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", functools.cache(get_command))
        yield


HUB = "阳光孵化中心"
COMMUNITIES = [f"{name}社区" for name in "桂花 石榴 幸福里 东湖 柳营 田家坝 李家湾 青石".split()]
AREAS = ["elderly", "disability", "poverty", "youth", "governance", "mutual-aid",
         "volunteers", "social-work", "legal-aid", "other"]
CRITERIA = ("need", "design", "capacity", "budget", "sustainability")
REVIEWERS = [("王教授", "expert"), ("李研究员", "expert"), ("张阿姨", "resident"),
             ("赵大爷", "resident"), ("刘主任", "official")]
FUNDED = 17
BENEFICIARIES, PERSON_TIMES = 13_430, 498_370  # the report's totals


def run(*args, ok=True, home=None):
    """(exit code, stdout, stderr) of one command, in `home` when given."""
    result = RUNNER.invoke(app, [str(a) for a in (*(("--home", home) if home else ()), *args)])
    if ok:
        assert result.exit_code == 0, result.output
    return result.exit_code, result.stdout, result.stderr


def out(*args, home=None) -> str:
    return run(*args, home=home)[1].strip()


def as_json(*args, home=None):
    return json.loads(run("--json", *args, home=home)[1])


def amount(i: int) -> int:
    return 30_000 + 1_000 * i


def build_round() -> dict:
    """The first round of the report, typed command by command."""
    run("init", "--hub-name", HUB, "--device-name", "前台电脑")
    orgs = [out("org", "add", "--name", f"第{i + 1}号社区服务社", "--category", "社区服务",
                "--hub", HUB, "--entered", "2024-03-15") for i in range(18)]
    warned = out("org", "add", "--name", "连续低分的舞蹈队", "--category", "文化艺术",
                 "--hub", HUB, "--entered", "2024-03-15")
    for month in ("2026-08", "2026-09", "2026-10"):
        run("score", "set", warned, "--month", month, *LOW)
    starred = orgs[9]  # scored 5 below the 8th application: its bonus makes them equal
    run("score", "set", starred, "--month", "2025-06", *FULL)
    run("review", "set", starred, "--year", "2025", "--self", "95", "--peer", "95",
        "--public", "95", "--party", "yes")
    needs = [out("need", "add", "--community", COMMUNITIES[i % len(COMMUNITIES)],
                 "--area", AREAS[i % len(AREAS)], "--description", f"居民需求{i + 1}",
                 "--source", ("questionnaire", "visit", "salon")[i % 3],
                 "--date", f"2025-0{4 + i % 3}-{10 + i % 15}") for i in range(88)]
    # 88 needs merged into 42 projects: two each, and the last project takes six
    groups = [needs[2 * i:2 * i + 2] for i in range(41)] + [needs[82:]]
    projects = [out("library", "add", "--title", f"社区项目{i + 1}", "--budget", "60000",
                    *(arg for need in group for arg in ("--need", need)),
                    "--date", "2025-08-01") for i, group in enumerate(groups)]
    round_id = out("round", "add", "--name", "2025年第一届公益创投", "--budget",
                   sum(amount(i) for i in range(FUNDED)) + 20_000, "--opens", "2025-09-01",
                   "--closes", "2025-10-31")
    applications = [out("application", "add", round_id, org, "--project", projects[i],
                        "--amount", amount(i), "--date", "2025-10-10",
                        "--plan", "每周两次上门服务") for i, org in enumerate(orgs)]
    for i, application in enumerate(applications):
        base = 95 - 2 * i - (1 if i == 9 else 0)
        for reviewer, kind in REVIEWERS:
            run("application", "review", application, "--reviewer", reviewer, "--kind", kind,
                *(arg for key in CRITERIA for arg in ("--score", f"{key}={base}")),
                "--date", "2025-11-05")
    run("round", "fund", round_id, "--date", "2025-11-10")
    funded = [row["id"] for row in as_json("application", "list", round_id) if row["funded"]]
    for n, application in enumerate(funded):
        people = BENEFICIARIES // FUNDED + (BENEFICIARIES % FUNDED if n == 0 else 0)
        times = 29_316 if n else PERSON_TIMES - 29_316 * (FUNDED - 1)
        run("payment", "add", application, "--amount", 20_000, "--date", "2025-11-20",
            "--note", "首期拨付")
        run("evaluation", "add", application, "--phase", "initial", "--method", "document",
            "--result", "pass", "--beneficiaries", people // 4, "--person-times", times // 4,
            "--date", "2026-01-15")
        if n == 3:  # the one rectification: found at mid-term, put right, evaluated again
            run("evaluation", "add", application, "--phase", "mid", "--method", "site",
                "--result", "rectify", "--deadline", "2026-06-30", "--findings", "台账不全",
                "--beneficiaries", people // 2, "--person-times", times // 2,
                "--date", "2026-05-10")
        run("evaluation", "add", application, "--phase", "mid", "--method", "site",
            "--result", "pass", "--beneficiaries", people // 2, "--person-times", times // 2,
            "--date", "2026-07-05")
        run("evaluation", "add", application, "--phase", "final", "--method", "phone",
            "--result", "fail" if n == 5 else "pass", "--beneficiaries", people,
            "--person-times", times, "--date", "2026-10-20")
    run("recovery", "add", funded[5], "--amount", 8_000, "--reason", "部分资金挪作他用",
        "--date", "2026-11-01")
    return {"round": round_id, "orgs": orgs, "warned": warned, "starred": starred,
            "projects": projects, "applications": applications, "funded": funded,
            "needs": needs}


class RamDisk:
    """Folders on /dev/shm where the machine has it: the build's ~330 commits each wait
    for the disk otherwise (fsync), which is most of its time."""

    def __init__(self, fallback) -> None:
        self.root = Path(tempfile.mkdtemp(dir="/dev/shm")) if Path("/dev/shm").is_dir() \
            else fallback.mktemp("ram")

    def mktemp(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=name, dir=self.root))


@pytest.fixture(scope="module")
def round_template(tmp_path_factory):
    ram = RamDisk(tmp_path_factory)
    yield built_home(ram, "round", build_round)
    shutil.rmtree(ram.root, ignore_errors=True)


@pytest.fixture
def built(round_template, isolated_home):
    return copy_home(round_template, isolated_home)


def totals(home=None):
    shown = as_json("round", "show", "2025年第一届公益创投", home=home)
    return {key: shown[key] for key in ("applications", "funded", "amount_funded",
                                        "amount_paid", "amount_recovered", "beneficiaries",
                                        "person_times")}


EXPECTED = {"applications": 18, "funded": FUNDED,
            "amount_funded": float(sum(amount(i) for i in range(FUNDED))),
            "amount_paid": 20_000.0 * FUNDED, "amount_recovered": 8_000.0,
            "beneficiaries": BENEFICIARIES, "person_times": PERSON_TIMES}


def read_sheets(path) -> dict[str, list[list]]:
    """The workbook's sheets: name → its rows under the title (the header first), each
    cell as openpyxl reads it (numbers as numbers)."""
    book = openpyxl.load_workbook(path)
    return {sheet.title: [["" if cell is None else cell for cell in row]
                          for row in sheet.iter_rows(min_row=2, values_only=True)]
            for sheet in book.worksheets}


class TestTheWholeRound:
    def test_the_round_adds_up_in_show_rank_and_the_export(self, built, tmp_path):
        assert totals() == EXPECTED
        assert len(as_json("need", "list")) == 88 and len(as_json("library", "list")) == 42
        ranked = as_json("round", "rank", built["round"])
        assert [r["position"] for r in ranked] == list(range(1, 19))
        assert [r["funded"] for r in ranked] == [True] * FUNDED + [False]
        shown = as_json("round", "show", built["round"])
        assert shown["left"] == 20_000 and shown["amount_funded"] <= shown["budget"]
        run("export", "round", built["round"], "--out", tmp_path / "round.xlsx")
        run("export", "round", built["round"], "--out", tmp_path / "again.xlsx")
        assert (tmp_path / "round.xlsx").read_bytes() == (tmp_path / "again.xlsx").read_bytes()
        sheets = read_sheets(tmp_path / "round.xlsx")
        assert list(sheets) == ["需求", "项目库", "申报", "评审打分", "立项公示", "评估结果",
                                "受益情况"]
        counts = {name: len(rows) - 1 for name, rows in sheets.items()}
        assert counts == {"需求": 88, "项目库": 42, "申报": 18, "评审打分": 90, "立项公示": 17,
                          "评估结果": 3 * FUNDED + 1, "受益情况": FUNDED + 1}
        header, *rows = sheets["受益情况"]
        assert rows[-1][0] == "合计"
        assert rows[-1][3:] == [BENEFICIARIES, PERSON_TIMES]
        assert sum(r[3] for r in rows[:-1]) == BENEFICIARIES
        header, *funded = sheets["立项公示"]
        agreed = header.index("协议金额（元）")
        assert sum(r[agreed] for r in funded) == EXPECTED["amount_funded"]
        header, *results = sheets["评估结果"]
        assert [r[header.index("结果")] for r in results].count("限期整改") == 1

    def test_the_round_export_is_a_report_like_the_others(self, built, tmp_path):
        """XLSX by default, CSV one file per sheet; an option the round does not take (a
        hub, a month) is refused, not dropped; a round that is not there is refused."""
        target = tmp_path / "round.xlsx"
        for extra, refused in ((("--hub", "x"), "round 报表不接受 --hub"),
                               (("--month", "2025-10"), "round 报表不接受 --month"),
                               (("--blank",), "只有 score-sheet 报表可用 --blank")):
            code, _out, err = run("export", "round", built["round"], "--out", target, *extra,
                                  ok=False)
            assert code == 2 and refused in err and not target.exists(), err
        code, _out, err = run("--lang", "en", "export", "round", built["round"], "--out",
                              target, "--hub", "x", ok=False)
        assert code == 2 and "The round report takes no --hub" in err
        code, _out, err = run("export", "round", "没有这一届", "--out", target, ok=False)
        assert code == 2 and not target.exists()
        code, _out, err = run("export", "round", "--out", target, ok=False)
        assert code == 2 and "export round 轮次 --out 文件" in err
        _code, out, _err = run("export", "round", built["round"], "--out",
                               tmp_path / "round.csv", "--format", "csv")
        written = sorted(path.name for path in tmp_path.glob("round-*.csv"))
        assert len(written) == 7 and "round-立项公示.csv" in written, (written, out)
        with (tmp_path / "round-立项公示.csv").open(encoding="utf-8-sig") as handle:
            assert len(list(csv.reader(handle))) == 1 + FUNDED  # the header, a row each

    def test_the_five_star_organization_s_priority_is_in_the_ranking_s_reasons(self, built):
        ranked = {r["org_id"]: r for r in as_json("round", "rank", built["round"])}
        starred = ranked[built["starred"]]
        assert starred["priority"] and starred["score"] == starred["total"] + 5
        assert "五星级组织（2025年评定）：优先加5分，同分时排在前面" in starred["reasons"]
        level, above = ranked[built["orgs"][7]], ranked[built["orgs"][8]]
        assert starred["score"] == level["score"] == 81  # equal scores: the 5-star one first
        assert starred["position"] == level["position"] - 1 == 8
        assert starred["total"] < above["total"] and starred["position"] < above["position"]
        assert not level["priority"] and "五星级" not in " ".join(level["reasons"])
        en = json.loads(run("--lang", "en", "--json", "round", "rank", built["round"])[1])
        assert ("5-star organization (rated 2025): 5 priority points, and first among equal "
                "scores") in next(r for r in en if r["priority"])["reasons"]

    def test_an_organization_under_an_open_warning_is_refused_with_the_reason(self, built):
        before = dump_hash(built_home_path())
        code, _out, err = run("application", "add", built["round"], built["warned"],
                              "--project", built["projects"][30], "--amount", 30_000,
                              "--date", "2025-10-12", ok=False)
        assert code == 2 and "连续低分的舞蹈队不能申报" in err and "约谈" in err
        code, _out, err = run("--lang", "en", "application", "add", built["round"],
                              built["warned"], "--project", built["projects"][30],
                              "--amount", 30_000, "--date", "2025-10-12", ok=False)
        assert code == 2 and "cannot apply: it has an open warning case (2026-08" in err
        assert dump_hash(built_home_path()) == before


def tables(home) -> dict:
    store = Store.open(home)
    try:
        return store.replica.dump_query_tables()
    finally:
        store.close()


def built_home_path():
    """This test's home (the copy of the round)."""
    return Path(os.environ["INCUBATOR_HOME"])


class TestOnASecondReplica:
    def second_hub(self, tmp_path):
        home = tmp_path / "second"
        card = out("init", "--join", out("device", "card", "--address", "127.0.0.1:1"),
                   "--device-name", "第二中心", home=home).splitlines()[-1]
        run("member", "add", card, "--role", "hub")
        return home

    def test_after_a_tls_sync_the_round_is_the_same(self, built, tmp_path):
        second = self.second_hub(tmp_path)
        with serving(built_home_path()) as port:
            rows = as_json("sync", "now", "--peer", out("device", "id"), "--address",
                           f"127.0.0.1:{port}", home=second)
        assert rows[0]["error"] is None
        assert totals(second) == EXPECTED
        assert as_json("verify", home=second)["ok"]
        assert as_json("round", "rank", built["round"], home=second) == as_json(
            "round", "rank", built["round"])

    def test_after_a_bundle_the_round_is_the_same(self, built, tmp_path):
        second = self.second_hub(tmp_path)
        stick = tmp_path / "round.bundle"
        run("bundle", "export", "--for", out("device", "id", home=second), "--out", stick,
            "--full")
        run("bundle", "import", stick, home=second)
        assert totals(second) == EXPECTED
        assert as_json("verify", home=second)["ok"]
        assert as_json("application", "list", built["round"], home=second) == as_json(
            "application", "list", built["round"])


class TestTheEvaluatorRole:
    def test_an_evaluator_writes_evaluations_and_no_score_or_profile(self, built, tmp_path):
        """A third-party evaluator's device: its evaluation and its library merge are kept
        by the hub; its own client refuses it a need, a payment or a profile edit, and a
        modified client's change to a review score and to an organization's profile is
        refused on receipt."""
        home = tmp_path / "evaluator"
        card = out("init", "--join", out("device", "card", "--address", "127.0.0.1:1"),
                   "--device-name", "评估机构", home=home).splitlines()[-1]
        run("member", "add", card, "--role", "evaluator")
        project = built["funded"][0]
        need = out("need", "add", "--community", "桂花社区", "--area", "elderly",
                   "--description", "老人助浴", "--source", "salon")
        with serving(built_home_path()) as port:
            sync = ("sync", "now", "--peer", out("device", "id"), "--address",
                    f"127.0.0.1:{port}")
            run(*sync, home=home)
            run("evaluation", "add", project, "--phase", "final", "--method", "site",
                "--result", "pass", "--findings", "复核无误", "--date", "2026-11-12", home=home)
            merged = out("library", "add", "--title", "老人助浴", "--need", need, home=home)
            for refused in (run("payment", "add", project, "--amount", 1, home=home, ok=False),
                            run("need", "add", "--community", "桂花社区", "--area", "elderly",
                                "--description", "x", home=home, ok=False),
                            run("org", "edit", built["orgs"][0], "--phone", "13800000000",
                                home=home, ok=False)):
                assert refused[0] == 2 and "本设备无权做此修改" in refused[2]
            run(*sync, home=home)
            kept = tables(built_home_path())
            forger = Store.open(home)
            bypass_local_checks(forger)
            forger.replica.change(
                application_doc(project), "forged", {},
                lambda ed: set_all(ed, {("reviews", "forged"): {
                    "reviewer": "王教授", "kind": "expert", "on": "2025-11-05",
                    "scores": json.dumps({key: 100 for key in CRITERIA})}}))
            forger.edit_org(built["orgs"][1], {"phone": "13800000000"})
            forger.close()
            refusals = as_json(*sync, home=home)[0]["refused"]
        assert len(refusals) == 2
        assert any("评审打分（reviews/forged）" in text and "evaluator" in text
                   for text in refusals), refusals
        assert any("无权修改组织数据记录" in text for text in refusals), refusals
        assert tables(built_home_path()) == kept  # what the sync log says aside
        hub = Store.open(built_home_path())
        evaluations = queries.evaluations(hub.db, project)
        assert [e["findings"] for e in evaluations][-1] == "复核无误"
        assert evaluations[-1]["evaluated_by"] == "评估机构"
        assert queries.resolve_project(hub.db, merged)["title"] == "老人助浴"
        hub.close()


class TestBadInputInBothLanguages:
    """Each refusal in Chinese and with --lang en: exit code 2, nothing written."""

    CASES = [
        (lambda b: ("application", "review", b["applications"][0], "--reviewer", "新评审",
                    "--kind", "expert", *(arg for k in CRITERIA for arg in ("--score", f"{k}=80"))),
         "已于 2025-11-10 决定立项：评审已结束", "reviews are closed"),
        (lambda b: ("application", "add", b["round"], b["orgs"][0], "--project",
                    b["projects"][40], "--amount", 30_000, "--date", "2025-11-02"),
         "不在此期间", "is outside it"),
        (lambda b: ("application", "add", b["round"], b["orgs"][0], "--project",
                    b["projects"][40], "--amount", 70_000, "--date", "2025-10-20"),
         "超过项目预算上限", "above the project's budget ceiling"),
        (lambda b: ("payment", "add", b["funded"][0], "--amount", 50_000),
         "超过协议金额", "above the agreed"),
        (lambda b: ("recovery", "add", b["funded"][1], "--amount", 20_001, "--reason", "挪用"),
         "超过已拨付金额", "more than was paid"),
        (lambda b: ("evaluation", "add", b["applications"][17], "--phase", "initial",
                    "--method", "site", "--result", "pass"), "未获立项", "is not funded"),
        (lambda b: ("evaluation", "add", b["funded"][0], "--phase", "final", "--method",
                    "site", "--result", "rectify"), "须给出整改期限", "needs a deadline"),
        (lambda b: ("round", "fund", b["round"]), "立项决定不再更改",
         "its funding decision stays"),
        (lambda b: ("library", "add", "--title", "新项目", "--need", b["needs"][0]),
         "已合并到项目库项目", "is already merged"),
        (lambda b: ("need", "add", "--community", "桂花社区", "--area", "pets",
                    "--description", "养狗"), "服务领域", "service area"),
        (lambda b: ("timebank", "draw", "张阿姨", "--hours", 1), "爱心储蓄中没有这个账户",
         "Unknown time-bank account"),
        (lambda b: ("award", "add", b["orgs"][0], "--year", 2027, "--title", "优秀"),
         "尚未开始", "has not begun"),
        (lambda b: ("round", "add", "--name", "2025年第一届公益创投", "--budget", 1,
                    "--opens", "2026-01-01", "--closes", "2026-02-01"), "已有名为", "already exists"),
    ]

    @pytest.mark.parametrize("case", range(len(CASES)))
    def test_refused_in_both_languages_and_nothing_changed(self, built, case):
        make, zh, en = self.CASES[case]
        args = make(built)
        before = tables(built_home_path())
        refused_zh = run(*args, ok=False)
        refused_en = run("--lang", "en", *args, ok=False)
        assert refused_zh[0] == refused_en[0] == 2
        assert zh in refused_zh[2] and refused_zh[2].startswith("错误"), refused_zh[2]
        assert en in refused_en[2] and refused_en[2].startswith("Error"), refused_en[2]
        assert tables(built_home_path()) == before


class TestAwardsAndTheTimeBank:
    def test_an_award_lifts_the_organization_s_influence(self, built):
        def influence(org):
            return next(r for r in as_json("ranking") if r["id"] == org)

        org = built["orgs"][3]
        assert influence(org)["awards"] == 0
        run("award", "add", org, "--year", 2026, "--title", "优秀社会组织", "--amount", 5_000)
        rows = as_json("award", "list", "--year", 2026)
        assert [(r["org_id"], r["title"], r["amount"]) for r in rows] == [
            (org, "优秀社会组织", 5000.0)]
        after = influence(org)
        assert after["awards"] == 1 and after["influence"] == 100.0

    def test_hours_banked_and_drawn_and_counted_towards_service_for_rent(self, built):
        org = built["orgs"][2]
        run("waiver", "add", org, "--kind", "service-for-rent", "--from", "2026-09-01",
            "--to", "2027-08-31", "--approved-by", "王主任", "--monthly-value", 800,
            "--hours-per-month", 10, "--timebank")
        account = out("timebank", "deposit", "张阿姨", "--hours", 6, "--org", org,
                      "--date", "2026-10-08", "--note", "陪老人就医")
        assert out("timebank", "deposit", "张阿姨", "--hours", 2, "--date", "2026-10-20") == \
            account  # the same account, by name
        run("timebank", "draw", "张阿姨", "--hours", 3, "--date", "2026-11-01", "--note", "家政")
        code, _out, err = run("timebank", "draw", "张阿姨", "--hours", 5.5, ok=False)
        assert code == 2 and "超过了余额 5 小时" in err
        assert [(r["name"], r["deposited"], r["drawn"], r["balance"]) for r in as_json(
            "timebank", "ledger")] == [("张阿姨", 8.0, 3.0, 5.0)]
        entries = as_json("timebank", "ledger", "--person", "张阿姨")
        assert [(e["kind"], e["hours"], e["balance"]) for e in entries] == [
            ("deposit", 6.0, 6.0), ("deposit", 2.0, 8.0), ("draw", 3.0, 5.0)]
        assert [e["hours"] for e in as_json("timebank", "ledger", "--org", org)] == [6.0]
        ledger, = as_json("service", "ledger")
        october = next(m for m in ledger["months"] if m["month"] == "2026-10")
        assert (october["delivered"], october["shortfall"]) == (6.0, 4.0)
        assert ledger["from_timebank"] == 6.0
