"""Annual review: composite, stars at every boundary, the party-building cap."""

import pytest

from incubator.domain.errors import DomainError
from incubator.domain.review import compute_review, has_priority, needs_rectification
from incubator.domain.settings import Settings

S = Settings()


@pytest.mark.parametrize("monthly,self_,peer,public,composite,stars", [
    ([10.0] * 12, 100, 100, 100, 100.0, 5),
    ([9.0] * 12, 90, 90, 90, 90.0, 5),          # exactly 90: 5 stars
    ([9.0] * 12, 90, 90, 89.5, 89.9, 4),        # 89.9: 4 stars
    ([9.0] * 12, 90, 90, 89.75, 90.0, 5),       # 89.95 rounds half up to 90.0
    ([9.0] * 12, 90, 90, 89.7, 89.9, 4),        # 89.94 rounds down
    ([8.0] * 12, 80, 80, 80, 80.0, 4),
    ([8.0] * 12, 80, 80, 79.5, 79.9, 3),
    ([7.0] * 12, 70, 70, 70, 70.0, 3),
    ([7.0] * 12, 70, 70, 69.5, 69.9, 2),
    ([6.0] * 12, 60, 60, 60, 60.0, 2),
    ([6.0] * 12, 60, 60, 59.5, 59.9, 1),
    ([5.0] * 12, 59, 59, 59, 55.4, 1),
    ([0.0] * 12, 0, 0, 0, 0.0, 1),
    ([8.0, 9.0, 10.0], 50, 50, 50, 66.0, 2),    # monthly average 9 → 90 × 40%
    ([], 100, 100, 100, 60.0, 2),               # no monthly scores count as 0
])
def test_composite_and_stars(monthly, self_, peer, public, composite, stars):
    result = compute_review(monthly, self_, peer, public, True, S)
    assert (result.composite, result.stars) == (composite, stars)
    assert result.reasons[0].params["composite"] == composite


@pytest.mark.parametrize("monthly,composite,uncapped,stars", [
    ([10.0] * 12, 100.0, 5, 3),                 # 5 stars capped at 3
    ([8.0] * 12, 80.0, 4, 3),
    ([7.0] * 12, 70.0, 3, 3),                   # the cap does not bite at 3
    ([6.0] * 12, 60.0, 2, 2),                   # and never raises
])
def test_no_party_building_caps_the_stars(monthly, composite, uncapped, stars):
    score = composite
    assert compute_review(monthly, score, score, score, True, S).stars == uncapped
    result = compute_review(monthly, score, score, score, False, S)
    assert (result.composite, result.stars) == (composite, stars)
    capped = [r for r in result.reasons if r.message.startswith("Capped")]
    assert bool(capped) == (uncapped > stars)


def test_the_cap_says_why_and_is_configurable():
    result = compute_review([10.0], 100, 100, 100, False, Settings(party_cap_stars=4))
    assert result.stars == 4
    assert result.reasons[-1].render() == "Capped at 4 stars: no party-building compliance"


def test_reasons_explain_the_composite():
    result = compute_review([9.0, 8.0], 90, 80, 70, True, S)
    assert result.reasons[0].render() == (
        "Composite 82.0 = monthly 85.0 × 40.0% + self 90.0 × 20.0% + peer 80.0 × 20.0% "
        "+ public 70.0 × 20.0%")


def test_no_monthly_scores_says_so():
    messages = [r.message for r in compute_review([], 80, 80, 80, True, S).reasons]
    assert "No monthly scores this year: the monthly part counts as 0" in messages
    messages = [r.message for r in compute_review([8.0], 80, 80, 80, True, S).reasons]
    assert "No monthly scores this year: the monthly part counts as 0" not in messages


@pytest.mark.parametrize("settings,stars", [
    (Settings(stars_5=95.0), 4),
    (Settings(review_weight_monthly=100.0, review_weight_self=0.0, review_weight_peer=0.0,
              review_weight_public=0.0), 5),
])
def test_thresholds_and_weights_come_from_settings(settings, stars):
    assert compute_review([10.0] * 12, 80, 80, 80, True, settings).stars == stars


@pytest.mark.parametrize("monthly,self_,peer,public", [
    ([8.0], -1, 80, 80), ([8.0], 100.5, 80, 80), ([8.0], float("nan"), 80, 80),
    ([8.0], 80, float("inf"), 80), ([8.0], 80, 80, "80"), ([8.0], 80, 80, None),
    ([10.5], 80, 80, 80), ([-0.1], 80, 80, 80), ([float("nan")], 80, 80, 80),
])
def test_scores_out_of_range_are_refused(monthly, self_, peer, public):
    with pytest.raises(DomainError):
        compute_review(monthly, self_, peer, public, True, S)


@pytest.mark.parametrize("stars,priority,rectify", [
    (5, True, False), (4, False, False), (3, False, False), (2, False, True), (1, False, True),
])
def test_priority_and_rectification(stars, priority, rectify):
    assert has_priority(stars) is priority
    assert needs_rectification(stars, S) is rectify


def test_rectification_line_is_configurable():
    assert needs_rectification(3, Settings(rectify_below_stars=4))
