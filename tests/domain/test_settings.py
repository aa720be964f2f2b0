"""Settings: defaults from domain.md, typed parsing, validation and storage round trip."""

import pytest

from incubator.domain.errors import DomainError
from incubator.domain.settings import SETTING_LABELS, Settings, SettingsTimeline

DEFAULTS = {
    "warning_threshold": 6.0, "warning_streak_months": 3, "rectification_months": 1,
    "scoring_opens_day": 15,
    "review_weight_monthly": 40.0, "review_weight_self": 20.0, "review_weight_peer": 20.0,
    "review_weight_public": 20.0, "stars_5": 90.0, "stars_4": 80.0, "stars_3": 70.0,
    "stars_2": 60.0, "rating_scale": "five-star", "party_cap_stars": 3,
    "low_star_interview_max": 3, "review_opening_day": "12-01",
    "graduation_min_months": 12, "graduation_min_stars": 3,
    "graduation_require_registered": True, "expiring_days": 30,
    "service_surplus_carries_over": False,
    # the district register (issue 13)
    "zombie_months": 3, "ranking_months": 12, "ranking_weight_activity": 25.0,
    "ranking_weight_standardization": 25.0, "ranking_weight_coverage": 25.0,
    "ranking_weight_influence": 25.0,
    "archive_items": "charter=章程,rules=规章制度,members=会员名册,minutes=会议记录,"
                     "activities=活动记录,finance=财务管理,party=党建与学习记录,"
                     "self-evaluation=自评报告",
    # venture-philanthropy rounds (issue 15)
    "round_criteria": "need=30,design=25,capacity=20,budget=15,sustainability=10",
    "round_reviewer_weights": "expert=50,resident=25,official=25",
    "round_priority_bonus": 5.0, "round_pass_score": 60.0,
}


def test_defaults_are_the_reports():
    assert Settings().to_mapping() == DEFAULTS


def test_every_setting_has_two_labels():
    assert set(SETTING_LABELS) == set(DEFAULTS)
    assert all(zh and en and zh != en for zh, en in SETTING_LABELS.values())


@pytest.mark.parametrize("key,text,expected", [
    ("warning_threshold", "5.5", 5.5), ("warning_threshold", " 0 ", 0.0),
    ("warning_threshold", "10", 10.0), ("graduation_min_months", "18", 18),
    ("warning_streak_months", "1", 1), ("expiring_days", "0", 0),
    ("graduation_require_registered", "否", False), ("graduation_require_registered", "No", False),
    ("graduation_require_registered", "yes", True), ("stars_5", "95", 95.0),
    ("stars_2", "0", 0.0), ("party_cap_stars", "5", 5), ("low_star_interview_max", "1", 1),
    ("rating_scale", "beijing", "beijing"), ("rating_scale", " Five-Star ", "five-star"),
    ("review_opening_day", "11-15", "11-15"), ("scoring_opens_day", "1", 1),
    ("service_surplus_carries_over", "yes", True),
])
def test_with_value_parses_to_the_field_type(key, text, expected):
    value = getattr(Settings().with_values({key: text}), key)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("key,text", [
    ("nope", "1"),                                  # unknown key
    ("warning_threshold", "11"), ("warning_threshold", "-0.1"), ("warning_threshold", "nan"),
    ("warning_threshold", "inf"), ("warning_threshold", "six"),
    ("review_weight_self", "30"),                   # weights no longer add up to 100
    ("review_weight_self", "-1"),
    ("stars_4", "95"), ("stars_4", "90"),           # not strictly descending
    ("stars_5", "101"), ("stars_2", "-1"),
    ("party_cap_stars", "0"), ("party_cap_stars", "6"), ("graduation_min_stars", "0"),
    ("graduation_min_months", "0"), ("graduation_min_months", "twelve"),
    ("graduation_min_months", "12.5"), ("rectification_months", "0"),
    ("warning_streak_months", "0"), ("expiring_days", "-1"),
    ("graduation_require_registered", "maybe"),
    ("rating_scale", "seven-star"), ("review_opening_day", "12-32"),
    ("review_opening_day", "13-01"), ("review_opening_day", "12-1"),
    ("review_opening_day", "02-29"), ("scoring_opens_day", "0"), ("scoring_opens_day", "29"),
    ("low_star_interview_max", "6"),
])
def test_with_value_refuses(key, text):
    with pytest.raises(DomainError):
        Settings().with_values({key: text})


def test_the_weights_change_together():
    changed = Settings().with_values({"review_weight_monthly": "50", "review_weight_self": "10"})
    assert (changed.review_weight_monthly, changed.review_weight_self) == (50.0, 10.0)
    with pytest.raises(DomainError):
        Settings().with_values({"review_weight_monthly": "50", "review_weight_self": "20"})


def test_round_trip_through_storage():
    changed = Settings().with_values({"stars_5": "95"}).with_values({"expiring_days": "14"})
    assert Settings.from_mapping(changed.to_mapping()) == changed
    assert Settings.from_mapping({}) == Settings()


def test_from_mapping_ignores_keys_from_newer_versions():
    assert Settings.from_mapping({"from_the_future": "x", "stars_5": 95}).stars_5 == 95.0


@pytest.mark.parametrize("key,value", [
    ("warning_threshold", "six"), ("warning_threshold", None), ("warning_threshold", True),
    ("warning_threshold", float("nan")), ("warning_streak_months", 3.5),
    ("warning_streak_months", True), ("graduation_require_registered", 1),
    ("graduation_require_registered", "yes"), ("rating_scale", 5), ("rating_scale", "x"),
    ("review_opening_day", "1201"),
])
def test_from_mapping_refuses_wrong_types(key, value):
    with pytest.raises(DomainError):
        Settings.from_mapping({key: value})


def test_settings_of_an_old_replica_load_as_the_version_from_the_beginning():
    """Replicas before versioned settings stored `settings/<key>` only (and a key since
    renamed): they are the values in force from the beginning."""
    timeline = SettingsTimeline.from_rows([("warning_threshold", "", 5.5),
                                           ("rectify_below_stars", "", 3)])
    assert timeline.at("2000-01").warning_threshold == 5.5
    assert timeline.at("2999-12") == Settings(warning_threshold=5.5)


TIMELINE = SettingsTimeline().with_change("2026-06", {"warning_threshold": "5"}) \
    .with_change("2027-01", {"warning_threshold": "7", "stars_5": "95"})


@pytest.mark.parametrize("month,threshold,stars_5,since", [
    ("2026-05", 6.0, 90.0, ""), ("2026-06", 5.0, 90.0, "2026-06"),
    ("2026-12", 5.0, 90.0, "2026-06"), ("2027-01", 7.0, 95.0, "2027-01"),
    ("2030-01", 7.0, 95.0, "2027-01"),
])
def test_the_version_in_force_in_a_month(month, threshold, stars_5, since):
    version = TIMELINE.at(month)
    assert (version.warning_threshold, version.stars_5) == (threshold, stars_5)
    assert TIMELINE.since("warning_threshold", month) == since


def test_a_review_year_is_judged_by_its_december():
    assert TIMELINE.for_review_year(2026).stars_5 == 90.0
    assert TIMELINE.for_review_year(2027).stars_5 == 95.0


def test_the_highest_value_ever_in_force():
    assert TIMELINE.highest("warning_threshold") == 7.0


def test_a_change_is_validated_with_every_later_version():
    # from 2026-06 the weights would still add up, but not with a later version's change
    weights = SettingsTimeline().with_change(
        "2027-01", {"review_weight_self": "30", "review_weight_peer": "10"})
    with pytest.raises(DomainError):
        weights.with_change("2026-06", {"review_weight_monthly": "50",
                                        "review_weight_self": "10"})
    with pytest.raises(DomainError):
        SettingsTimeline().with_change("2026-06", {"stars_4": "95"})


def test_a_change_for_the_same_month_replaces_that_months_value():
    again = TIMELINE.with_change("2026-06", {"warning_threshold": "5.5"})
    assert again.at("2026-07").warning_threshold == 5.5
    assert len(again.changes) == len(TIMELINE.changes)
