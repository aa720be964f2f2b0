"""Graduation criteria, each unmet on its own."""

from datetime import date

import pytest

from incubator.domain.graduation import graduation_check, unmet
from incubator.domain.models import LegalStatus, Stage
from incubator.domain.settings import Settings

S = Settings()
# Entered mid-month on 10 March 2025: twelve full months on 10 March 2026.
GOOD = dict(entered=date(2025, 3, 10), on=date(2026, 3, 10), stage=Stage.GROWTH,
            legal_status=LegalStatus.REGISTERED, latest_stars=3, open_warning=False, settings=S)


def test_a_qualifying_organization_meets_every_criterion():
    criteria = graduation_check(**GOOD)
    assert [c.key for c in criteria] == ["resident", "months", "stars", "registered", "no_warning"]
    assert unmet(criteria) == []


@pytest.mark.parametrize("change,key", [
    ({"stage": Stage.APPLICANT}, "resident"),
    ({"stage": Stage.GRADUATED}, "resident"),
    ({"stage": Stage.EXITED}, "resident"),
    ({"on": date(2026, 3, 9)}, "months"),           # one day short of 12 months
    ({"entered": None}, "months"),
    ({"entered": date(2026, 4, 1)}, "months"),      # entered after `on`
    ({"latest_stars": 2}, "stars"),
    ({"latest_stars": None}, "stars"),              # never reviewed
    ({"legal_status": LegalStatus.FILED}, "registered"),
    ({"open_warning": True}, "no_warning"),
])
def test_each_criterion_unmet_on_its_own(change, key):
    assert [c.key for c in unmet(graduation_check(**{**GOOD, **change}))] == [key]


@pytest.mark.parametrize("change", [
    {"stage": Stage.STARTUP}, {"latest_stars": 5}, {"on": date(2030, 1, 1)},
])
def test_other_qualifying_values(change):
    assert unmet(graduation_check(**{**GOOD, **change})) == []


def test_registration_requirement_is_configurable():
    relaxed = {**GOOD, "legal_status": LegalStatus.FILED,
               "settings": Settings(graduation_require_registered=False)}
    criteria = graduation_check(**relaxed)
    assert "registered" not in [c.key for c in criteria]
    assert unmet(criteria) == []


@pytest.mark.parametrize("settings,key", [
    (Settings(graduation_min_months=13), "months"), (Settings(graduation_min_stars=4), "stars"),
])
def test_minimums_are_configurable(settings, key):
    assert [c.key for c in unmet(graduation_check(**{**GOOD, "settings": settings}))] == [key]


def test_criteria_explain_themselves():
    criteria = {c.key: c for c in graduation_check(**{**GOOD, "on": date(2026, 3, 9),
                                                      "latest_stars": None})}
    assert criteria["months"].text.render() == "At least 12 months in residence (11 so far)"
    assert criteria["stars"].text.render() == "Latest rating at least 3 stars (now -)"
    assert criteria["resident"].text.render() == (
        "Resident in the startup or growth stage (now Growth)")
