"""Enumerations: CLI keys as values, Chinese and English labels, forgiving parsing."""

import pytest

from incubator.domain.errors import DomainError
from incubator.domain.models import (
    RESIDENT_STAGES, CaseKind, EvaluationMethod, EvaluationPhase, EvaluationResult,
    InterviewOutcome, LegalStatus, NeedSource, PartyOrg, ReviewerKind, Role, ServiceArea,
    SpaceKind, Stage, WaiverKind, WarningStatus, label, parse_enum,
)

ALL_ENUMS = [LegalStatus, Stage, PartyOrg, WaiverKind, SpaceKind, Role, InterviewOutcome,
             WarningStatus, CaseKind, ServiceArea, NeedSource, ReviewerKind, EvaluationPhase,
             EvaluationMethod, EvaluationResult]


@pytest.mark.parametrize("member,value,zh", [
    (LegalStatus.REGISTERED, "registered", "登记注册"), (LegalStatus.FILED, "filed", "备案"),
    (Stage.APPLICANT, "applicant", "申请中"), (Stage.STARTUP, "startup", "初创期"),
    (Stage.GROWTH, "growth", "成长期"), (Stage.GRADUATED, "graduated", "已出壳"),
    (Stage.EXITED, "exited", "已退出"),
    (PartyOrg.INDEPENDENT, "independent", "独立党组织"), (PartyOrg.JOINT, "joint", "联合党组织"),
    (PartyOrg.NONE, "none", "无党组织"),
    (WaiverKind.RENT_FREE, "rent-free", "免租金"), (WaiverKind.LOW_RENT, "low-rent", "低租金"),
    (WaiverKind.UTILITIES, "utilities", "水电减免"),
    (WaiverKind.SERVICE_FOR_RENT, "service-for-rent", "以服务换租金"),
    (SpaceKind.ROOM, "room", "独立房间"), (SpaceKind.DESK, "desk", "工位"),
    (SpaceKind.SHARED, "shared", "共享空间"),
    (Role.HUB, "hub", "孵化中心"), (Role.FIELD, "field", "社工/督导"), (Role.VIEWER, "viewer", "只读"),
    (Role.EVALUATOR, "evaluator", "第三方评估机构"), (ServiceArea.MUTUAL_AID, "mutual-aid", "邻里互助"),
    (NeedSource.SALON, "salon", "书记沙龙"), (EvaluationPhase.MID, "mid", "中期评估"),
    (InterviewOutcome.RECTIFIED, "rectified", "整改到位"), (InterviewOutcome.EXIT, "exit", "责令退出"),
    (WarningStatus.FAILED, "failed", "整改不到位，应责令退出"),
    (WarningStatus.RECTIFIED, "rectified", "整改到位"),
    (CaseKind.ANNUAL, "annual", "年度"),
])
def test_values_and_chinese_labels(member, value, zh):
    assert member.value == value
    assert label(member, "zh") == zh
    assert parse_enum(type(member), value) is member
    assert parse_enum(type(member), zh) is member
    assert parse_enum(type(member), label(member, "en").upper()) is member


def test_rent_free_and_low_rent_are_two_kinds():
    assert (label(WaiverKind.RENT_FREE, "en"), label(WaiverKind.LOW_RENT, "en")) == (
        "Rent-free", "Low rent")
    with pytest.raises(DomainError):
        parse_enum(WaiverKind, "rent")


def test_resident_stages():
    assert RESIDENT_STAGES == {Stage.STARTUP, Stage.GROWTH}


@pytest.mark.parametrize("enum_cls", ALL_ENUMS)
def test_every_member_has_two_distinct_nonempty_labels(enum_cls):
    for member in enum_cls:
        zh, en = label(member, "zh"), label(member, "en")
        assert zh and en and zh != en


@pytest.mark.parametrize("enum_cls,text,member", [
    (Stage, " growth ", Stage.GROWTH), (Stage, "GROWTH", Stage.GROWTH),
    (Stage, "graduated", Stage.GRADUATED),
    (WaiverKind, "Service for rent", WaiverKind.SERVICE_FOR_RENT),
    (WaiverKind, "SERVICE-FOR-RENT", WaiverKind.SERVICE_FOR_RENT),
    (Role, "field staff", Role.FIELD),
])
def test_parse_enum_is_forgiving_about_case_and_blanks(enum_cls, text, member):
    assert parse_enum(enum_cls, text) is member


@pytest.mark.parametrize("enum_cls,text", [
    (Stage, "hatching"), (Stage, ""), (Stage, None), (Stage, 3), (Stage, "registered"),
    (LegalStatus, "初创期"), (WaiverKind, "service"),
])
def test_parse_enum_refuses(enum_cls, text):
    with pytest.raises(DomainError) as caught:
        parse_enum(enum_cls, text)
    assert caught.value.text.message == "Unknown {kind}: {value}; expected one of {choices}"
    assert caught.value.text.params["choices"] == ", ".join(m.value for m in enum_cls)
