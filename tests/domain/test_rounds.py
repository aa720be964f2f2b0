"""Rounds as pure rules: criteria, totals, the ranking with its reasons, funding within
the budget, the evaluation phases, money and the time bank."""

from datetime import date

import pytest

from incubator.domain import rounds
from incubator.domain.errors import DomainError
from incubator.domain.models import EvaluationPhase, EvaluationResult, ReviewerKind
from incubator.domain.settings import Settings

RULES = rounds.RoundRules.of(Settings())
EXPERT, RESIDENT, OFFICIAL = ReviewerKind.EXPERT, ReviewerKind.RESIDENT, ReviewerKind.OFFICIAL
TODAY = date(2026, 11, 15)


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value.render()


def candidate(name, *scores, amount=10_000, project=None, stars=None, barred=None):
    reviews = tuple(rounds.Review(f"{name}{i}", kind, score)
                    for i, (kind, score) in enumerate(scores))
    return rounds.Candidate(name, project or f"p-{name}", amount, "2025-10-01", reviews, stars,
                            2025 if stars else None, barred)


class TestCriteria:
    def test_the_defaults_weigh_five_criteria_to_100(self):
        assert [(c.key, c.weight, c.zh) for c in RULES.criteria] == [
            ("need", 30, "需求契合度"), ("design", 25, "项目设计"), ("capacity", 20, "执行能力"),
            ("budget", 15, "预算合理性"), ("sustainability", 10, "可持续性")]
        assert RULES.reviewer_weights == {EXPERT: 50, RESIDENT: 25, OFFICIAL: 25}

    def test_a_network_writes_its_own_criteria_with_labels(self):
        criteria = rounds.parse_criteria("need=40，red=60:党建引领")
        assert [(c.key, c.weight, c.zh, c.en) for c in criteria] == [
            ("need", 40, "需求契合度", "Fit with the needs"), ("red", 60, "党建引领", "党建引领")]

    @pytest.mark.parametrize("text,words", [
        ("need=30,design=60", "add up to 100"), ("need=0,design=100", "weight above 0"),
        ("red=100", "needs a label"), ("need=50,need=50", "twice"), ("", "empty"),
        ("Need=100", "lower-case"),
        # two labels a reviewer cannot tell apart: full-width, a space, traditional script
        ("a=50:党建引领,b=50:党建 引领", "twice"), ("a=50:团队能力,b=50:團隊能力", "twice"),
        ("a=50:Plan,b=50:Ｐｌａｎ", "twice"),
    ])
    def test_malformed_criteria_are_refused(self, text, words):
        assert words in refused(rounds.parse_criteria, text)

    def test_settings_refuse_reviewer_weights_that_do_not_add_up(self):
        assert "adding up to 100" in refused(
            Settings().with_values, {"round_reviewer_weights": "expert=50,resident=20"})
        assert Settings().with_values({"round_criteria": "need=100"}).round_criteria == "need=100"

    def test_every_criterion_is_scored_once_within_0_to_100(self):
        specs = ["need=90", "design=80", "capacity=70", "budget=60", "可持续性=50"]
        scores = rounds.clean_scores(RULES.criteria, specs)
        assert rounds.weighted_score(RULES.criteria, scores) == pytest.approx(
            0.3 * 90 + 0.25 * 80 + 0.2 * 70 + 0.15 * 60 + 0.1 * 50)
        assert "budget, sustainability missing" in refused(
            rounds.clean_scores, RULES.criteria, specs[:3])
        assert "from 0 to 100" in refused(rounds.clean_scores, RULES.criteria,
                                          [*specs[:4], "sustainability=101"])
        assert "Unknown criterion" in refused(rounds.clean_scores, RULES.criteria,
                                              [*specs, "beauty=1"])


class TestRanking:
    def test_the_total_weighs_each_kind_of_reviewer(self):
        reviews = [rounds.Review("a", EXPERT, 80), rounds.Review("b", EXPERT, 90),
                   rounds.Review("c", RESIDENT, 60), rounds.Review("d", OFFICIAL, 70)]
        assert rounds.application_total(reviews, RULES.reviewer_weights) == pytest.approx(
            0.5 * 85 + 0.25 * 60 + 0.25 * 70)
        # a kind without reviewers drops out, the others keep their proportions
        assert rounds.application_total(reviews[:3], RULES.reviewer_weights) == pytest.approx(
            (50 * 85 + 25 * 60) / 75)
        assert rounds.application_total([], RULES.reviewer_weights) is None

    def test_a_five_star_organization_gets_its_bonus_and_the_reasons_say_so(self):
        ranked = rounds.rank([candidate("plain", (EXPERT, 84)),
                              candidate("starred", (EXPERT, 80), stars=5)], RULES)
        assert [(r.candidate.id, r.position, r.score) for r in ranked] == [
            ("starred", 1, 85), ("plain", 2, 84)]
        assert [t.render() for t in ranked[0].reasons] == [
            "1 reviews, total 80.0",
            "5-star organization (rated 2025): 5 priority points, and first among equal scores"]

    def test_without_a_bonus_the_priority_breaks_ties(self):
        tie_only = rounds.RoundRules(RULES.criteria, RULES.reviewer_weights, 0, 60)
        ranked = rounds.rank([candidate("a-plain", (EXPERT, 80)),
                              candidate("z-starred", (EXPERT, 80), stars=5),
                              candidate("four", (EXPERT, 80), stars=4)], tie_only)
        assert [r.candidate.id for r in ranked] == ["z-starred", "a-plain", "four"]
        assert ranked[0].reasons[-1].render() == (
            "5-star organization (rated 2025): first among equal scores")

    def test_a_barred_or_unreviewed_application_is_listed_unranked_with_why(self):
        ranked = rounds.rank([candidate("warned", (EXPERT, 99), barred=rounds.Text("open case")),
                              candidate("silent"), candidate("ok", (EXPERT, 70))], RULES)
        assert [(r.candidate.id, r.position) for r in ranked] == [
            ("ok", 1), ("silent", None), ("warned", None)]  # the unranked as they came
        assert ranked[1].reasons[-1].render() == "not reviewed yet"
        assert ranked[2].reasons[-1].render() == "not eligible: open case"


class TestFunding:
    def test_funding_goes_in_rank_order_within_the_budget(self):
        ranked = rounds.rank([
            candidate("first", (EXPERT, 95), amount=50_000),
            candidate("too-big", (EXPERT, 90), amount=60_000),
            candidate("fits", (EXPERT, 85), amount=40_000),
            candidate("same-project", (EXPERT, 80), amount=5_000, project="p-first"),
            candidate("weak", (EXPERT, 59), amount=1_000),
        ], RULES)
        decisions = {d.application: d for d in rounds.fund(ranked, 100_000, RULES)}
        assert [a for a, d in decisions.items() if d.funded] == ["first", "fits"]
        assert decisions["too-big"].reason.render() == (
            "does not fit what is left of the budget (50,000 yuan)")
        assert decisions["same-project"].reason.render() == (
            "its project is funded to a higher-ranked application")
        assert decisions["weak"].reason.render() == "below the pass line of 60"
        assert decisions["fits"].reason.render() == (
            "funded: 40,000 yuan, 10,000 yuan of the budget left")
        top = rounds.fund(ranked, 100_000, RULES, top=1)
        assert [d.application for d in top if d.funded] == ["first"]
        assert "beyond the top 1" in [d.reason.render() for d in top]


class TestEvaluations:
    def evaluation(self, phase, on, result=EvaluationResult.PASS, people=0):
        return rounds.Evaluation(f"{phase}{on}", EvaluationPhase(phase), on, result, people,
                                 people * 10)

    def test_phases_follow_each_other_and_a_rectification_has_a_deadline(self):
        initial = self.evaluation("initial", "2026-01-10")
        check = rounds.check_evaluation
        assert "needs the Initial evaluation first" in refused(
            check, EvaluationPhase.MID, EvaluationResult.PASS, date(2026, 5, 1), None, [], TODAY)
        assert "before the Initial evaluation" in refused(
            check, EvaluationPhase.MID, EvaluationResult.PASS, date(2026, 1, 1), None,
            [initial], TODAY)
        assert "needs a deadline" in refused(
            check, EvaluationPhase.MID, EvaluationResult.RECTIFY, date(2026, 5, 1), None,
            [initial], TODAY)
        assert "must be after" in refused(
            check, EvaluationPhase.MID, EvaluationResult.RECTIFY, date(2026, 5, 1),
            "2026-05-01", [initial], TODAY)
        assert "Only a rectification" in refused(
            check, EvaluationPhase.MID, EvaluationResult.PASS, date(2026, 5, 1), "2026-06-01",
            [initial], TODAY)
        check(EvaluationPhase.MID, EvaluationResult.RECTIFY, date(2026, 5, 1), "2026-06-30",
              [initial], TODAY)

    def test_a_projects_figures_are_its_latest_phase_s(self):
        found = [self.evaluation("initial", "2026-01-10", people=100),
                 self.evaluation("mid", "2026-05-10", EvaluationResult.RECTIFY, people=300),
                 self.evaluation("mid", "2026-07-01", people=350)]
        assert rounds.project_figures(found) == (350, 3500)
        assert rounds.latest_by_phase(found)[EvaluationPhase.MID].result is EvaluationResult.PASS


class TestMoney:
    def test_payments_stay_within_the_agreement_and_recoveries_within_the_payments(self):
        rounds.check_payment(30_000, 50_000, 20_000)
        assert "above the agreed 50,000 yuan" in refused(rounds.check_payment, 30_001, 50_000,
                                                         20_000)
        assert "more than was paid" in refused(rounds.check_recovery, 5_000, 20_000, 16_000)
        assert rounds.clean_yuan("12345.6", "x") == 12345.6
        for bad in ("0", "-5", "1.234", "abc", "1e12", True):
            assert "amount of yuan" in refused(rounds.clean_yuan, bad, "x")


class TestTimeBank:
    def test_a_draw_never_takes_the_balance_below_zero_then_or_later(self):
        entries = [("2026-10-01", "deposit", 5.0), ("2026-10-20", "draw", 3.0)]
        rounds.check_draw(2.0, "2026-11-01", entries)
        assert "more than the balance of 2 hours" in refused(
            rounds.check_draw, 2.5, "2026-11-01", entries)
        # a back-dated draw may not overdraw the later entries either
        assert "more than the balance" in refused(rounds.check_draw, 1.0, "2026-09-01", entries)
        # on one day, the deposit counts before the draw
        rounds.check_draw(5.0, "2026-10-01", entries[:1])
        assert "above 0" in refused(rounds.clean_bank_hours, "0")
        assert rounds.clean_bank_hours("1.5") == 1.5
