"""Annual review: composite, stars at every boundary, the party-building cap."""

import pytest

from incubator.domain.errors import DomainError
from datetime import date

from incubator.domain.review import (
    check_review_year, compute_review, has_priority, needs_interview, rating_label,
)
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
    assert result.reasons[1].params["composite"] == composite


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


@pytest.mark.parametrize("party,has_party_org,first", [
    (True, True, "Party building first: the party-building requirements are met"),
    (False, True, "Party building first: the party-building requirements are not met"),
    (False, False, "Party building first: the party-building requirements are not met "
                   "(the organization has no party organization of its own)"),
])
def test_party_building_comes_first_in_the_reasons(party, has_party_org, first):
    result = compute_review([8.0], 80, 80, 80, party, S, has_party_org=has_party_org)
    assert result.reasons[0].render() == first


@pytest.mark.parametrize("party", [None, "yes", 1])
def test_party_building_has_no_default(party):
    with pytest.raises(DomainError, match="asked for every review"):
        compute_review([8.0], 80, 80, 80, party, S)


def test_a_3_star_review_without_party_building_says_the_interview_follows():
    result = compute_review([10.0] * 12, 95, 95, 95, False, S)
    assert result.stars == 3
    assert result.reasons[-1].render() == (
        "At or below 3 stars: a warning interview with a rectification deadline follows")


def test_reasons_explain_the_composite():
    result = compute_review([9.0, 8.0], 90, 80, 70, True, S)
    assert result.reasons[1].render() == (
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


@pytest.mark.parametrize("stars,priority,interview", [
    # 三星级以下的约谈限期整改: 以下 includes the number, so 3 stars and below
    (5, True, False), (4, False, False), (3, False, True), (2, False, True), (1, False, True),
])
def test_priority_and_interview(stars, priority, interview):
    assert has_priority(stars) is priority
    assert needs_interview(stars, S) is interview


def test_the_interview_line_is_configurable():
    assert not needs_interview(3, Settings(low_star_interview_max=2))
    assert needs_interview(4, Settings(low_star_interview_max=4))


@pytest.mark.parametrize("scale,labels", [
    ("five-star", ["5 stars", "4 stars", "3 stars", "2 stars", "1 star"]),
    ("beijing", ["3 stars", "2 stars", "1 star", "meets the standard", "below the standard"]),
])
def test_rating_scales_name_the_five_levels(scale, labels):
    assert [rating_label(level, scale) for level in (5, 4, 3, 2, 1)] == labels
    result = compute_review([9.0] * 12, 95, 95, 95, True, Settings(rating_scale=scale))
    assert (result.stars, result.scale) == (5, scale)
    assert result.reasons[2].params["stars"].message == labels[0]


@pytest.mark.parametrize("year,today,entered,left,refused", [
    (2025, date(2026, 11, 15), date(2024, 3, 15), None, None),
    (2023, date(2026, 11, 15), date(2024, 3, 15), None, "before the organization entered"),
    (2024, date(2026, 11, 15), date(2024, 3, 15), None, None),     # the entry year itself
    (2026, date(2026, 11, 30), date(2024, 3, 15), None, "opens on"),
    (2026, date(2026, 12, 1), date(2024, 3, 15), None, None),      # opening day: 1 December
    (2027, date(2026, 12, 1), date(2024, 3, 15), None, "opens on"),
    (2026, date(2026, 12, 5), date(2024, 3, 15), date(2025, 6, 1), "after the organization left"),
])
def test_which_years_may_be_reviewed(year, today, entered, left, refused):
    if refused:
        with pytest.raises(DomainError, match=refused):
            check_review_year(year, today, entered, left, S)
    else:
        check_review_year(year, today, entered, left, S)


def test_the_opening_day_is_a_setting():
    check_review_year(2026, date(2026, 11, 20), None, None,
                      Settings(review_opening_day="11-15"))
