"""Future-dated data from a laptop with a fast clock: accepted (replicas must converge),
then listed by `verify` and the dashboard, and corrected with `score delete` and
`interview delete`, recorded changes with their history."""

from datetime import datetime, timezone

import pytest

from incubator.store import queries
from incubator.store.commands import ScoreEntry, Store
from incubator.store.identity import Card

from ..conftest import NOW
from ..sync.helpers import pump, session
from .test_cli import run, run_json

FAST = datetime(2036, 10, 20, 8, 0, tzinfo=timezone.utc)  # ten years ahead
FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
LOW = {"plan": 1, "cleanliness": 1, "activities": 1, "archives": 1, "party": 1}


@pytest.fixture
def future_dated(isolated_home, tmp_path):
    """The hub (clock 2026-11-15) has received a score for 2036-10 and an interview dated
    2036-10-01 (for the warning case of three low months) from a second hub's laptop whose
    clock is ten years fast."""
    hub = Store.init(isolated_home, "阳光孵化中心", "前台电脑", clock=lambda: NOW)
    org = hub.add_org("书画社", "culture", "阳光孵化中心", entered="2024-01-01")
    hub.set_scores([ScoreEntry(org, month, LOW) for month in ("2026-08", "2026-09", "2026-10")])
    laptop = Store.join(tmp_path / "laptop", Card.of(hub.identity), "外勤一号",
                        clock=lambda: FAST)
    hub.add_member(Card.of(laptop.identity), "hub")  # interviews are a centre manager's
    pump(session(laptop, hub), session(hub, laptop))
    laptop.set_scores([ScoreEntry(org, "2036-10", FULL, "快了十年")])
    interview = laptop.record_interview(org, "2036-10-01")
    pump(session(laptop, hub), session(hub, laptop))
    assert {s["month"] for s in queries.scores(hub.db, org_id=org)} >= {"2036-10"}
    hub.close()
    yield org, interview, laptop
    laptop.close()


class TestListed:
    def test_verify_lists_them_and_still_passes(self, future_dated):
        result = run("verify")
        assert "书画社：有 2036-10 的评分，该月份尚未到来" in result.stdout
        assert "书画社：有日期为 2036-10-01 的约谈记录，晚于今天" in result.stdout
        report = run_json("verify")
        assert report["ok"] and [q["kind"] for q in report["data_quality"]] == [
            "score_ahead", "interview_ahead"]

    async def test_the_dashboard_lists_them_and_opens_the_organization(self, future_dated,
                                                                       isolated_home):
        from incubator.screens.app import IncubatorApp
        from incubator.screens.dashboard.screen import Figure
        from incubator.screens.organizations.detail import OrganizationDetailScreen

        org, _interview, _laptop = future_dated
        app = IncubatorApp(isolated_home, clock=lambda: NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            figures = [f for f in app.screen.query(Figure) if f.org_id == org]
            assert [str(f.label) for f in figures] == [
                "书画社：有 2036-10 的评分，该月份尚未到来"
                "（incubator score delete 组织 --month 2036-10）",
                "书画社：有日期为 2036-10-01 的约谈记录，晚于今天"
                "（incubator interview delete 组织 2036-10-01）"]
            figures[0].press()
            await pilot.pause()
            assert isinstance(app.screen, OrganizationDetailScreen)
            assert app.screen.org_id == org


class TestCorrected:
    def test_score_delete_and_interview_delete_are_recorded_changes(self, future_dated):
        org, interview, laptop = future_dated
        run("score", "delete", "书画社", "--month", "2036-10")
        run("interview", "delete", "书画社", "2036-10-01")
        assert run_json("verify")["data_quality"] == []
        # history is ordered by each change's time: the laptop's 2036 changes come first
        history = [(h["device_name"], h["summary"]) for h in run_json("history", "书画社")]
        assert [entry for entry in history if entry[0] == "前台电脑"][:2] == [
            ("前台电脑", "删除了 2036-10-01 的约谈记录"), ("前台电脑", "删除了 2036-10 的评分")]
        assert ("外勤一号", "记录了 2036-10-01 的约谈提醒") in history
        shown = run_json("org", "show", "书画社")
        assert sorted(s["month"] for s in shown["scores"]) == ["2026-08", "2026-09", "2026-10"]
        assert shown["interviews"] == []
        hub = Store.open(laptop.replica.path.parent.parent / "home", clock=lambda: NOW)
        pump(session(laptop, hub), session(hub, laptop))
        assert "2036-10" not in {s["month"] for s in queries.scores(laptop.db, org_id=org)}
        assert queries.interviews(laptop.db, org) == []
        hub.close()

    def test_deleting_what_is_not_there_is_refused(self, future_dated):
        org, interview, _laptop = future_dated
        result = run("score", "delete", "书画社", "--month", "2026-01", ok=False)
        assert result.exit_code == 2 and "没有 2026-01 的评分" in result.stderr
        result = run("interview", "delete", "书画社", "2030-01-01", ok=False)
        assert result.exit_code == 2 and "0 条约谈记录" in result.stderr
        run("interview", "delete", "书画社", interview[:4])
        assert run_json("org", "show", "书画社")["interviews"] == []
