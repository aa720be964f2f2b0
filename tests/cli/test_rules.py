"""The rules as the district reports state them, typed as a centre manager would.

Warnings that cannot vanish, settings that never rewrite the past, low-star follow-up,
exits and waivers, the review's refusals, and the reports' words.
"""

import pytest

from ..conftest import built_home, copy_home
from .test_cli import FULL, LOW, dump_hash, network_template, run, run_json  # noqa: F401

HUB = "阳光孵化中心"


@pytest.fixture
def org(network_template, isolated_home):
    """A network (hub 阳光孵化中心) with one organization, 桂花社区书画社: its id."""
    return copy_home(network_template, isolated_home)


def on(monkeypatch, day: str) -> None:
    """The commands that follow run on `day`."""
    monkeypatch.setenv("INCUBATOR_NOW", f"{day}T09:30:00+00:00")


def score(org, *months, items=LOW):
    for month in months:
        run("score", "set", org, "--month", month, *items)


def cases(*args):
    return [(w["kind"], w["case"], w["status"]) for w in run_json("warnings", *args)]


class TestWarningsThatCannotVanish:
    def test_a_streak_then_a_gap_then_a_later_month(self, org):
        score(org, "2026-07", "2026-08", "2026-09")
        score(org, "2026-11", items=FULL)         # October never scored
        assert cases() == [("monthly", "2026-07", "needs_interview")]

    def test_a_good_month_after_the_streak(self, org):
        score(org, "2026-07", "2026-08", "2026-09")
        score(org, "2026-10", items=FULL)
        warned, = run_json("warnings")
        assert (warned["status"], warned["streak"]) == (
            "needs_interview", ["2026-07", "2026-08", "2026-09"])

    def test_an_old_streak_entered_late_is_still_listed(self, org, monkeypatch):
        on(monkeypatch, "2026-12-01")
        score(org, "2025-01", "2025-02", "2025-03")
        score(org, "2025-04", "2026-10", "2026-11", items=FULL)
        assert cases() == [("monthly", "2025-01", "needs_interview")]

    def test_the_failure_of_the_report_is_failed_not_overdue(self, org, monkeypatch):
        on(monkeypatch, "2026-12-01")
        score(org, "2025-01", "2025-02", "2025-03")
        run("interview", "record", org, "--date", "2025-04-10", "--deadline", "2025-05-10")
        score(org, "2025-05")
        warned, = run_json("warnings")
        assert (warned["status"], warned["check_month"]) == ("failed", "2025-05")
        assert "整改不到位，应责令退出" in run("warnings").stdout

    def test_a_good_score_in_the_deadline_month_rectifies_it(self, org, monkeypatch):
        """The deadline month's score decides, above the line too (a score no low-score
        query finds): the case is rectified, for the organization and for everyone."""
        on(monkeypatch, "2026-12-01")
        score(org, "2025-01", "2025-02", "2025-03")
        run("interview", "record", org, "--date", "2025-04-10", "--deadline", "2025-05-10")
        score(org, "2025-05", items=FULL)
        assert cases("--all") == [("monthly", "2025-01", "rectified")]
        shown = run_json("org", "show", org)["cases"][0]
        assert (shown["status"], shown["check_month"]) == ("rectified", "2025-05")

    def test_a_second_interview_keeps_the_case_listed(self, org):
        score(org, "2026-07", "2026-08", "2026-09")
        run("interview", "record", org, "--date", "2026-10-05")
        run("interview", "record", org, "--date", "2026-10-20", "--deadline", "2026-12-20")
        warned, = run_json("warnings")
        assert (warned["status"], warned["interviews"], warned["deadline"]) == (
            "open", 2, "2026-12-20")
        shown = run_json("org", "show", org)["cases"][0]
        assert [t["status"] for t in shown["transitions"]] == [
            "needs_interview", "open", "open"]

    def test_a_dismissal_needs_a_reason_and_a_person_and_is_shown(self, org):
        score(org, "2026-07", "2026-08", "2026-09")
        refused = run("interview", "dismiss", org, "--reason", "评分录入错误", "--by", "前台电脑",
                      ok=False)
        assert refused.exit_code == 2 and "不是本设备" in refused.stderr
        run("interview", "dismiss", org, "--reason", "评分录入错误", "--by", "王主任")
        assert run_json("warnings") == []
        dismissed, = run_json("warnings", "--all")
        assert dismissed["status"] == "dismissed"
        assert dismissed["dismissed"] == {"on": "2026-11-15", "reason": "评分录入错误",
                                          "by": "王主任"}
        assert "王主任" in run("warnings", "--all").stdout
        assert run_json("history", org)[0]["summary"] == "撤销约谈提醒 2026-07：评分录入错误"

    def test_cases_are_derived_again_by_reindex(self, org):
        score(org, "2026-07", "2026-08", "2026-09")
        run("interview", "record", org, "--date", "2026-10-05")
        before = run_json("warnings", "--all")
        run("reindex")
        assert run_json("warnings", "--all") == before


class TestFailedRectification:
    @pytest.fixture
    def failed(self, org):
        score(org, "2026-07", "2026-08", "2026-09")
        run("interview", "record", org, "--date", "2026-10-05")
        score(org, "2026-11")
        assert cases() == [("monthly", "2026-07", "failed")]
        return org

    def test_a_threshold_change_after_a_failed_case_keeps_it_failed(self, failed, monkeypatch):
        run("settings", "set", "warning_threshold", "5")
        assert run_json("settings", "show")["warning_threshold"] == 6
        assert run_json("settings", "show", "--month", "2026-12")["warning_threshold"] == 5
        assert cases() == [("monthly", "2026-07", "failed")]
        on(monkeypatch, "2027-03-20")
        assert run_json("settings", "show")["warning_threshold"] == 5
        assert cases() == [("monthly", "2026-07", "failed")]

    @pytest.mark.parametrize("month", ["2026-10", "2026-11"])
    def test_settings_cannot_start_this_month_or_before(self, failed, isolated_home, month):
        before = dump_hash(isolated_home)
        refused = run("settings", "set", "warning_threshold", "5", "--from", month, ok=False)
        assert refused.exit_code == 2 and "本月和过去的月份" in refused.stderr
        assert dump_hash(isolated_home) == before

    def test_a_later_change_applies_from_its_month(self, org):
        run("settings", "set", "warning_streak_months", "2", "--from", "2027-01")
        assert run_json("settings", "show")["warning_streak_months"] == 3
        assert run_json("settings", "show", "--month", "2027-03")["warning_streak_months"] == 2
        assert "2027-01" in run("settings", "show", "--month", "2027-03").stdout

    def test_no_new_interview_for_a_failed_case(self, failed):
        refused = run("interview", "record", failed, ok=False)
        assert refused.exit_code == 2 and "整改不到位" in refused.stderr

    def test_closing_it_as_rectified_needs_a_reason_and_shows_as_an_override(self, failed):
        refused = run("interview", "close", failed, "--outcome", "rectified", ok=False)
        assert refused.exit_code == 2 and "理由" in refused.stderr
        run("interview", "close", failed, "--outcome", "rectified", "--reason", "区里复核认定")
        closed, = run_json("warnings", "--all")
        assert (closed["status"], closed["override"]) == ("rectified", "区里复核认定")
        assert "人工认定：区里复核认定" in run("warnings", "--all").stdout
        assert run_json("history", failed)[0]["summary"] == "约谈办结：整改到位"

    def test_ordering_the_exit(self, failed):
        run("interview", "close", failed, "--outcome", "exit", "--reason", "三个月未整改")
        shown = run_json("org", "show", failed)
        assert shown["exit"] == {"on": "2026-11-15", "reason": "三个月未整改", "ordered": True}
        assert shown["warning"] == "ok" and shown["cases"][0]["status"] == "exit"
        text = run("org", "show", failed).stdout
        assert "责令退出" in text and "无约谈" in text and ": ok" not in text
        assert run_json("history", failed)[0]["summary"].startswith("于 2026-11-15 责令退出")


class TestExitsAndWaivers:
    def test_exit_with_an_active_waiver_ends_it(self, org):
        waiver = run("waiver", "add", org, "--kind", "rent-free", "--from", "2026-01-01",
                     "--to", "2027-06-30", "--monthly-value", "1200",
                     "--approved-by", "李主任").stdout.strip()
        score(org, "2026-07", "2026-08", "2026-09")
        run("exit", org, "--reason", "搬迁", "--date", "2026-11-01")
        listed, = run_json("waiver", "list")
        assert (listed["id"], listed["ended_on"], listed["last_day"]) == (
            waiver, "2026-11-01", "2026-10-31")
        assert run_json("waiver", "list", "--expiring-within", "365") == []
        shown = run_json("org", "show", org)
        assert shown["exit"] == {"on": "2026-11-01", "reason": "搬迁", "ordered": False}
        assert shown["warning"] == "ok" and run_json("warnings") == []
        assert [c["status"] for c in run_json("warnings", "--all")] == ["left"]
        assert "自愿退出" in run("org", "list").stdout

    def test_waiver_end_early(self, org):
        waiver = run("waiver", "add", org, "--kind", "utilities", "--from", "2026-01-01",
                     "--to", "2026-12-31", "--monthly-value", "200",
                     "--approved-by", "李主任").stdout.strip()
        run("waiver", "end", waiver[:6], "--on", "2026-11-20", "--reason", "已自行缴费")
        listed, = run_json("waiver", "list")
        assert (listed["ended_on"], listed["end_reason"], listed["last_day"]) == (
            "2026-11-20", "已自行缴费", "2026-11-19")
        assert "2026-11-20 已自行缴费" in run("waiver", "list").stdout
        again = run("waiver", "end", waiver, ok=False)
        assert again.exit_code == 2 and "已于 2026-11-20 终止" in again.stderr

    def test_rent_free_and_low_rent(self, org):
        run("waiver", "add", org, "--kind", "low-rent", "--from", "2026-01-01", "--to",
            "2026-12-31", "--rent-charged", "500", "--standard-rent", "1500",
            "--approved-by", "李主任")
        low, = run_json("waiver", "list")
        assert (low["kind"], low["monthly_value"], low["rent_charged"],
                low["standard_rent"]) == ("low-rent", 1000, 500, 1500)
        refused = run("waiver", "add", org, "--kind", "rent-free", "--from", "2026-01-01",
                      "--to", "2026-12-31", "--monthly-value", "1200", "--rent-charged", "100",
                      "--standard-rent", "1300", "--approved-by", "李主任", ok=False)
        assert refused.exit_code == 2
        assert "低租金" in run("waiver", "list").stdout

    @pytest.mark.parametrize("approved", [[], ["--approved-by", "前台电脑"],
                                          ["--approved-by", "  "]])
    def test_a_waiver_needs_a_person_who_approved_it(self, org, isolated_home, approved):
        before = dump_hash(isolated_home)
        refused = run("waiver", "add", org, "--kind", "rent-free", "--from", "2026-01-01",
                      "--to", "2026-12-31", "--monthly-value", "1200", *approved, ok=False)
        assert refused.exit_code == 2 and "Traceback" not in refused.output
        assert dump_hash(isolated_home) == before

    def test_the_ledger_adds_up(self, org):
        run("waiver", "add", org, "--kind", "service-for-rent", "--from", "2026-07-01",
            "--to", "2026-12-31", "--monthly-value", "1000", "--hours-per-month", "20",
            "--approved-by", "李主任")
        for month, hours in (("2026-07", 30), ("2026-08", 10), ("2026-09", 20)):
            run("service", "log", org, "--month", month, "--hours", hours)
        ledger, = run_json("service", "ledger")
        assert [(m["month"], m["shortfall"], m["surplus"]) for m in ledger["months"]] == [
            ("2026-07", 0, 10), ("2026-08", 10, 0), ("2026-09", 0, 0), ("2026-10", 20, 0)]
        assert (ledger["owed"], ledger["delivered"], ledger["shortfall"], ledger["surplus"]) \
            == (80, 60, 30, 10)
        text = run("service", "ledger").stdout
        assert "未完成时数" in text and "合计：应服务 80 − 已服务 60 = 未完成 30 − 超出 10" in text

    def test_surplus_carries_over_from_the_month_the_setting_says(self, org, monkeypatch):
        run("waiver", "add", org, "--kind", "service-for-rent", "--from", "2026-10-01",
            "--to", "2027-06-30", "--monthly-value", "1000", "--hours-per-month", "20",
            "--approved-by", "李主任")
        run("settings", "set", "service_surplus_carries_over", "yes", "--from", "2026-12")
        on(monkeypatch, "2027-02-01")
        for month, hours in (("2026-10", 30), ("2026-11", 10), ("2026-12", 30),
                             ("2027-01", 10)):
            run("service", "log", org, "--month", month, "--hours", hours)
        ledger, = run_json("service", "ledger")
        # October's surplus does not carry (the setting starts in December); December's does
        assert [(m["month"], m["carried_in"], m["shortfall"], m["surplus"])
                for m in ledger["months"]] == [
            ("2026-10", 0, 0, 10), ("2026-11", 0, 10, 0), ("2026-12", 0, 0, 10),
            ("2027-01", 10, 0, 0)]
        assert (ledger["owed"] - ledger["delivered"], ledger["shortfall"] - ledger["surplus"]) \
            == (0, 0)


class TestLowStarFollowUp:
    def test_a_3_star_review_with_party_no_opens_an_annual_case(self, org):
        score(org, "2025-06", items=FULL)
        out = run("review", "set", org, "--year", "2025", "--self", "90", "--peer", "85",
                  "--public", "88", "--party", "no").stdout
        assert out.splitlines()[0].startswith("三星级")
        assert "党建引领" in out and "约谈" in out
        assert cases() == [("annual", "2025", "needs_interview")]
        run("interview", "record", org, "--date", "2026-11-01")
        assert cases() == [("annual", "2025", "open")]
        run("interview", "close", org, "--outcome", "rectified", "--reason", "党建工作已整改")
        assert cases("--all") == [("annual", "2025", "rectified")]

    def test_monthly_and_annual_cases_side_by_side(self, org):
        score(org, "2025-06", items=FULL)
        run("review", "set", org, "--year", "2025", "--self", "40", "--peer", "40",
            "--public", "40", "--party", "yes")
        score(org, "2026-07", "2026-08", "2026-09")
        assert cases("--kind", "annual") == [("annual", "2025", "needs_interview")]
        assert len(cases()) == 2
        refused = run("interview", "record", org, ok=False)
        assert refused.exit_code == 2 and "--case" in refused.stderr
        run("interview", "record", org, "--case", "2025")
        assert cases() == [("monthly", "2026-07", "needs_interview"), ("annual", "2025", "open")]

    def test_the_priority_list_and_the_beijing_scale(self, org):
        other = run("org", "add", "--name", "田家坝村邻里互助会", "--category", "mutual-aid",
                    "--hub", HUB, "--entered", "2024-01-01").stdout.strip()
        for name in (org, other):
            score(name, "2025-06", items=FULL)
        run("review", "set", org, "--year", "2025", "--self", "95", "--peer", "95",
            "--public", "95", "--party", "yes")
        run("review", "set", other, "--year", "2025", "--self", "80", "--peer", "80",
            "--public", "80", "--party", "yes")
        assert [r["org_name"] for r in run_json("review", "list", "--year", "2025",
                                                "--stars", "5")] == ["桂花社区书画社"]
        assert "五星级" in run("review", "list", "--year", "2025").stdout

    def test_the_beijing_scale_applies_from_its_month(self, org, monkeypatch):
        run("settings", "set", "rating_scale", "beijing", "--from", "2027-01")
        score(org, "2025-06", items=FULL)
        kept = run("review", "set", org, "--year", "2025", "--self", "60", "--peer", "60",
                   "--public", "60", "--party", "yes").stdout
        assert kept.splitlines()[0].startswith("三星级")      # 2025 keeps the five bands
        on(monkeypatch, "2027-12-05")
        score(org, "2027-06", items=FULL)
        beijing = run("review", "set", org, "--year", "2027", "--self", "60", "--peer", "60",
                      "--public", "60", "--party", "yes").stdout
        assert beijing.splitlines()[0].startswith("一星级")   # level 3 on the Beijing scale
        run("review", "set", org, "--year", "2027", "--self", "100", "--peer", "100",
            "--public", "100", "--party", "yes")
        assert "三星级" in run("review", "list", "--year", "2027").stdout  # its top level


class TestReviewRefusals:
    @pytest.mark.parametrize("year,message", [
        ("2023", "入驻之前"), ("2026", "2026-12-01 开始"), ("2027", "超出范围")])
    def test_years_that_cannot_be_reviewed(self, org, isolated_home, year, message):
        before = dump_hash(isolated_home)
        refused = run("review", "set", org, "--year", year, "--self", "80", "--peer", "80",
                      "--public", "80", "--party", "yes", ok=False)
        assert refused.exit_code == 2 and message in refused.stderr
        assert dump_hash(isolated_home) == before

    def test_the_current_year_from_the_opening_day(self, org, monkeypatch):
        on(monkeypatch, "2026-12-01")
        run("review", "set", org, "--year", "2026", "--self", "80", "--peer", "80",
            "--public", "80", "--party", "yes")

    def test_party_building_is_asked_for_every_review(self, org):
        refused = run("review", "set", org, "--year", "2025", "--self", "80", "--peer", "80",
                      "--public", "80", ok=False)
        assert refused.exit_code == 2
        assert "没有党组织" in refused.stderr and "--party" in refused.stderr
        out = run("--lang", "en", "review", "set", org, "--year", "2025", "--self", "80",
                  "--peer", "80", "--public", "80", "--party", "yes").stdout
        assert "Party building first" in out and "no party organization of its own" in out


class TestDates:
    def test_the_current_month_is_scored_from_its_15th(self, org, monkeypatch):
        on(monkeypatch, "2026-12-01")
        refused = run("score", "set", org, "--month", "2026-12", *FULL, ok=False)
        assert refused.exit_code == 2 and "2026-12-15" in refused.stderr
        run("score", "set", org, "--month", "2026-11", *FULL)
        on(monkeypatch, "2026-12-15")
        run("score", "set", org, "--month", "2026-12", *FULL)

    def test_interviews_before_entry_or_before_the_case_are_refused(self, org):
        score(org, "2026-07", "2026-08", "2026-09")
        for day in ("2024-03-01", "2026-08-20"):
            refused = run("interview", "record", org, "--date", day, ok=False)
            assert refused.exit_code == 2, day
        run("interview", "record", org, "--date", "2026-09-25")

    def test_an_exit_dated_before_an_interview_or_a_reviewed_year_is_refused(self, org,
                                                                              isolated_home):
        score(org, "2025-06", items=FULL)
        run("review", "set", org, "--year", "2025", "--self", "90", "--peer", "90",
            "--public", "90", "--party", "yes")
        score(org, "2026-07", "2026-08", "2026-09")
        run("interview", "record", org, "--date", "2026-10-05")
        before = dump_hash(isolated_home)
        for day in ("2026-10-01", "2024-12-31"):
            refused = run("exit", org, "--reason", "搬迁", "--date", day, ok=False)
            assert refused.exit_code == 2 and "早于" in refused.stderr, day
        assert dump_hash(isolated_home) == before
        run("exit", org, "--reason", "搬迁", "--date", "2026-10-05")

    def test_nothing_to_interview_for(self, org):
        refused = run("interview", "record", org, ok=False)
        assert refused.exit_code == 2 and "没有" in refused.stderr


class TestTheReportsWords:
    def test_chinese_terms(self, org):
        shown = run("org", "show", org).stdout
        assert "登记/备案状态" in shown and "法律身份" not in shown
        assert run_json("history", org)[-1]["summary"] == "入驻登记：桂花社区书画社"
        run("space", "add", HUB, "201室")
        run("space", "assign", "201室", org, "--from", "2026-01-01")
        run("space", "release", "201室", "--on", "2026-11-01")
        assert run_json("history", HUB)[0]["summary"] == "收回了 201室"


def build_situation() -> dict:
    """桂花社区书画社: reviewed for 2025, a failed rectification (streak 2026-07, interview
    2026-10-05, November still low) and a waiver ended on 2026-11-20; 田家坝村邻里互助会
    (entered 2026-01-01): a case that needs an interview (streak 2026-08)."""
    run("init", "--hub-name", HUB, "--device-name", "前台电脑")
    org = run("org", "add", "--name", "桂花社区书画社", "--category", "文化艺术", "--hub", HUB,
              "--entered", "2024-03-15", "--status", "registered").stdout.strip()
    score(org, "2025-06", items=FULL)
    run("review", "set", org, "--year", "2025", "--self", "90", "--peer", "90", "--public",
        "90", "--party", "yes")
    score(org, "2026-07", "2026-08", "2026-09")
    run("interview", "record", org, "--date", "2026-10-05")
    score(org, "2026-11")
    waiver = run("waiver", "add", org, "--kind", "utilities", "--from", "2026-01-01", "--to",
                 "2026-12-31", "--monthly-value", "200", "--approved-by", "李主任").stdout.strip()
    run("waiver", "end", waiver, "--on", "2026-11-20")
    other = run("org", "add", "--name", "田家坝村邻里互助会", "--category", "mutual-aid",
                "--hub", HUB, "--entered", "2026-01-01").stdout.strip()
    score(other, "2026-08", "2026-09", "2026-10")
    return {"{org}": org, "{other}": other, "{waiver}": waiver}


@pytest.fixture(scope="module")
def situation_template(tmp_path_factory):
    return built_home(tmp_path_factory, "situation", build_situation)


@pytest.fixture
def situation(situation_template, isolated_home):
    """The situation (built once per module), in this test's own home."""
    return copy_home(situation_template, isolated_home)


WAIVER = ["--from", "2026-01-01", "--to", "2026-12-31"]
REVIEW = ["--self", "80", "--peer", "80", "--public", "80"]
# (what the issue asks, the command as typed, a fragment of the Chinese message, of the English)
BAD_INPUT = [
    ("no interview for a failed case", ["interview", "record", "{org}"],
     "整改不到位", "rectification of"),
    ("rectified needs a reason", ["interview", "close", "{org}", "--outcome", "rectified"],
     "须填写理由", "give the reason"),
    ("an unknown case", ["interview", "close", "{org}", "--case", "2030-01", "--outcome",
                         "rectified", "--reason", "复核"], "没有约谈事项", "no warning case"),
    ("a dismissal names a person", ["interview", "dismiss", "{other}", "--reason", "已搬迁",
                                    "--by", "前台电脑"], "不是本设备", "not this device"),
    ("a dismissal needs a reason", ["interview", "dismiss", "{other}", "--reason", " ",
                                    "--by", "李主任"], "原因不能为空", "Reason is empty"),
    ("an interview before the case opened", ["interview", "record", "{other}", "--date",
                                             "2026-09-20"], "产生的月份", "opened"),
    ("an interview before entry", ["interview", "record", "{other}", "--date", "2025-12-20"],
     "早于该组织入驻", "before the organization entered"),
    ("settings never rewrite this month", ["settings", "set", "warning_threshold", "5",
                                           "--from", "2026-11"], "本月和过去", "next month"),
    ("the version in force of a malformed month", ["settings", "show", "--month", "2026-13"],
     "月份格式不对", "Malformed month"),
    ("the low-star line is a level", ["settings", "set", "low_star_interview_max", "6"],
     "1 到 5", "between 1 and 5"),
    ("a rating scale that does not exist", ["settings", "set", "rating_scale", "gold"],
     "所列的值", "listed values"),
    ("the day scoring opens", ["settings", "set", "scoring_opens_day", "31"],
     "1 到 28", "between 1 and 28"),
    ("surplus carry-over is yes or no", ["settings", "set", "service_surplus_carries_over",
                                         "maybe"], "是或否", "yes or no"),
    ("a waiver needs who approved it", ["waiver", "add", "{org}", "--kind", "rent-free", *WAIVER,
                                        "--monthly-value", "1200"], "--approved-by",
     "--approved-by"),
    ("a device approves nothing", ["waiver", "add", "{org}", "--kind", "rent-free", *WAIVER,
                                   "--monthly-value", "1200", "--approved-by", "前台电脑"],
     "不是本设备", "not this device"),
    ("low rent records the rents", ["waiver", "add", "{org}", "--kind", "low-rent", *WAIVER,
                                    "--approved-by", "李主任"], "实收租金", "rent charged"),
    ("rent-free records none", ["waiver", "add", "{org}", "--kind", "rent-free", *WAIVER,
                                "--monthly-value", "1200", "--rent-charged", "100",
                                "--standard-rent", "1300", "--approved-by", "李主任"],
     "只有低租金", "Only a low-rent"),
    ("the old single rent kind", ["waiver", "add", "{org}", "--kind", "rent", *WAIVER,
                                  "--monthly-value", "1200", "--approved-by", "李主任"],
     "未知的减免类型", "Unknown waiver kind"),
    ("a waiver ends once", ["waiver", "end", "{waiver}"], "已于 2026-11-20 终止",
     "already ended on 2026-11-20"),
    ("a review before entry", ["review", "set", "{other}", "--year", "2025", *REVIEW, "--party",
                               "yes"], "入驻之前", "before the organization entered"),
    ("a review before the opening day", ["review", "set", "{org}", "--year", "2026", *REVIEW,
                                         "--party", "yes"], "2026-12-01 开始", "opens on 2026-12-01"),
    ("party building is asked", ["review", "set", "{org}", "--year", "2025", *REVIEW],
     "没有党组织", "no party organization"),
    ("stars are 1 to 5", ["review", "list", "--year", "2025", "--stars", "6"], "--stars",
     "--stars"),
    ("an exit before the latest interview", ["exit", "{org}", "--reason", "搬迁", "--date",
                                             "2026-10-01"], "早于该组织最近一次约谈",
     "before the organization's latest warning interview"),
    ("a kind of case that does not exist", ["warnings", "--kind", "weekly"], "未知的约谈类型",
     "Unknown warning kind"),
]


class TestBadInputInBothLanguages:
    """Every refusal of issue 11, typed in Chinese (the default) and with `--lang en`: exit
    code 2, the message in that language, nothing changed."""

    @pytest.mark.parametrize("lang", ["zh", "en"])
    @pytest.mark.parametrize("what,args,zh,en", BAD_INPUT, ids=[row[0] for row in BAD_INPUT])
    def test_refused(self, situation, isolated_home, what, args, zh, en, lang):
        typed = [situation.get(arg, arg) for arg in args]
        before = dump_hash(isolated_home)
        refused = run(*(["--lang", "en"] if lang == "en" else []), *typed, ok=False)
        assert refused.exit_code == 2, refused.output
        assert (zh if lang == "zh" else en) in refused.stderr, refused.stderr
        assert ("错误" if lang == "zh" else "Error") in refused.stderr
        assert "Traceback" not in refused.output
        assert dump_hash(isolated_home) == before

    @pytest.mark.parametrize("lang,message", [("zh", "自 2026-11-15 起才能评分"),
                                              ("en", "may be scored from 2026-11-15 on")])
    def test_the_current_month_before_its_15th(self, situation, isolated_home, monkeypatch,
                                               lang, message):
        on(monkeypatch, "2026-11-10")
        before = dump_hash(isolated_home)
        refused = run(*(["--lang", "en"] if lang == "en" else []), "score", "set",
                      situation["{other}"], "--month", "2026-11", *FULL, ok=False)
        assert refused.exit_code == 2 and message in refused.stderr
        assert dump_hash(isolated_home) == before
