"""The versioned rubric and monthly score totals."""

import math

import pytest

from incubator.domain.errors import DomainError
from incubator.domain.rubric import (
    DEFAULT_RUBRIC, RubricItem, RubricVersion, parse_item_spec, resolve_item, rubric_for,
    score_total, ten_point, validate_rubric,
)

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
# From July 2025 on: two items worth 4 and 10, a rubric of 14 points.
MID_YEAR = RubricVersion("2025-07", (RubricItem("plan", "工作计划", 4),
                                     RubricItem("activities", "活动开展", 10)))
LATER = RubricVersion("2026-01", (RubricItem("plan", "工作计划", 10),))


def test_default_rubric_is_the_reports_ten_points():
    assert DEFAULT_RUBRIC.from_month == "2000-01"
    assert DEFAULT_RUBRIC.max_total == 10
    assert [(i.key, i.label, i.maximum) for i in DEFAULT_RUBRIC.items] == [
        ("plan", "工作计划", 2), ("cleanliness", "卫生清洁", 2), ("activities", "活动开展", 2),
        ("archives", "档案资料", 2), ("party", "学习与党建", 2)]
    validate_rubric(DEFAULT_RUBRIC)


@pytest.mark.parametrize("versions,month,expected_from", [
    ([DEFAULT_RUBRIC, MID_YEAR], "2025-06", "2000-01"),
    ([DEFAULT_RUBRIC, MID_YEAR], "2025-07", "2025-07"),
    ([DEFAULT_RUBRIC, MID_YEAR], "2025-12", "2025-07"),
    ([LATER, MID_YEAR, DEFAULT_RUBRIC], "2025-12", "2025-07"),   # order does not matter
    ([LATER, MID_YEAR, DEFAULT_RUBRIC], "2026-01", "2026-01"),
    ([MID_YEAR], "2025-06", "2000-01"),                           # nothing applies: default
    ([], "2026-01", "2000-01"),
])
def test_a_change_applies_from_its_month_on(versions, month, expected_from):
    assert rubric_for(versions, month).from_month == expected_from


def test_a_mid_year_change_never_rewrites_earlier_totals():
    versions = [DEFAULT_RUBRIC, MID_YEAR]
    june = rubric_for(versions, "2025-06")
    august = rubric_for(versions, "2025-08")
    june_total = score_total(june, {**FULL, "plan": 1})
    august_total = score_total(august, {"plan": 4, "activities": 3})
    assert (june_total, ten_point(june_total, june.max_total)) == (9, 9.0)
    assert (august_total, ten_point(august_total, august.max_total)) == (7, 5.0)
    # June's items do not fit August's rubric, and August's do not fit June's.
    with pytest.raises(DomainError):
        score_total(august, {**FULL, "plan": 1})
    with pytest.raises(DomainError):
        score_total(june, {"plan": 4, "activities": 3})


@pytest.mark.parametrize("values,total", [
    (FULL, 10), ({**FULL, "plan": 0.5}, 8.5), ({k: 0 for k in FULL}, 0),
    ({**FULL, "plan": 0.1, "party": 0.2}, 6.3),
])
def test_score_total(values, total):
    assert score_total(DEFAULT_RUBRIC, values) == total


@pytest.mark.parametrize("values,message", [
    ({**FULL, "plan": 2.5}, "Score {value} for {item} is out of range 0–{maximum}"),
    ({**FULL, "plan": -0.5}, "Score {value} for {item} is out of range 0–{maximum}"),
    ({**FULL, "plan": math.nan}, "Score {value} for {item} is out of range 0–{maximum}"),
    ({**FULL, "plan": math.inf}, "Score {value} for {item} is out of range 0–{maximum}"),
    ({**FULL, "plan": "2"}, "Score {value} for {item} is out of range 0–{maximum}"),
    ({**FULL, "plan": True}, "Score {value} for {item} is out of range 0–{maximum}"),
    ({k: v for k, v in FULL.items() if k != "party"}, "Missing score for {item}"),
    ({}, "Missing score for {item}"),
    ({**FULL, "charm": 1}, "Unknown rubric item {item}; expected one of {choices}"),
])
def test_score_total_refuses(values, message):
    with pytest.raises(DomainError) as caught:
        score_total(DEFAULT_RUBRIC, values)
    assert caught.value.text.message == message


@pytest.mark.parametrize("name,key", [("卫生清洁", "cleanliness"), ("plan", "plan"),
                                      (" 学习与党建 ", "party")])
def test_items_resolve_by_key_or_label(name, key):
    assert resolve_item(DEFAULT_RUBRIC, name).key == key


@pytest.mark.parametrize("name", ["颜值", "", "PLAN"])
def test_unknown_items_are_refused(name):
    with pytest.raises(DomainError) as caught:
        resolve_item(DEFAULT_RUBRIC, name)
    assert caught.value.text.params["choices"] == "plan, cleanliness, activities, archives, party"


@pytest.mark.parametrize("total,max_total,ten", [
    (10, 10, 10.0), (6, 10, 6.0), (7, 14, 5.0), (30, 50, 6.0), (0, 14, 0.0), (5, 20, 2.5),
])
def test_ten_point_normalises_any_rubric(total, max_total, ten):
    assert ten_point(total, max_total) == ten


@pytest.mark.parametrize("spec,item", [
    ("plan=2:工作计划", RubricItem("plan", "工作计划", 2.0)),
    ("safety=1.5:安全管理", RubricItem("safety", "安全管理", 1.5)),
    (" fire = 3 : 消防:安全 ", RubricItem("fire", "消防:安全", 3.0)),
])
def test_parse_item_spec(spec, item):
    assert parse_item_spec(spec) == item


@pytest.mark.parametrize("spec", ["plan", "plan=two:计划", "=2:计划", "plan=2", "plan=2:",
                                  "plan=:计划", "plan=nan:计划", "plan=inf:计划", ""])
def test_parse_item_spec_refuses(spec):
    with pytest.raises(DomainError) as caught:
        parse_item_spec(spec)
    assert caught.value.text.message == "Malformed rubric item {item}: expected KEY=MAX:LABEL"


def item(key="plan", label="工作计划", maximum=2.0):
    return RubricItem(key, label, maximum)


@pytest.mark.parametrize("version", [
    RubricVersion("2025-13", (item(),)),                        # from_month invalid
    RubricVersion("2025-07", ()),                               # no items
    RubricVersion("2025-07", (item(), item(label="另一个"))),    # duplicate key
    RubricVersion("2025-07", (item(key="Plan"),)),
    RubricVersion("2025-07", (item(key="1plan"),)),
    RubricVersion("2025-07", (item(key="plan\n"),)),
    RubricVersion("2025-07", (item(key="计划"),)),
    RubricVersion("2025-07", (item(maximum=0),)),
    RubricVersion("2025-07", (item(maximum=-1),)),
    RubricVersion("2025-07", (item(maximum=100.5),)),
    RubricVersion("2025-07", (item(maximum=math.nan),)),
    RubricVersion("2025-07", (item(label=" "),)),
])
def test_validate_rubric_refuses(version):
    with pytest.raises(DomainError):
        validate_rubric(version)


@pytest.mark.parametrize("version", [
    MID_YEAR, LATER, RubricVersion("2025-07", (item(key="a_1-b", maximum=100),)),
])
def test_validate_rubric_accepts(version):
    validate_rubric(version)
