"""What a person types about an organization; stage edits. (The zombie flag is SQL over the
district's activity records now: tests/store/test_district.py.)"""

import pytest

from incubator.domain.errors import DomainError
from incubator.domain.models import Stage
from incubator.domain.organization import (
    NAME_MAX_CHARS, check_stage_change, clean_member_count, clean_name, clean_phone, clean_text,
)

LONG_NAME = "成都市武侯区玉林街道玉林北路社区夕阳红志愿服务队"


@pytest.mark.parametrize("text,expected", [
    (f"  {LONG_NAME} ", LONG_NAME),
    ("阳光 Sunshine 社工站", "阳光 Sunshine 社工站"),
    ("名" * NAME_MAX_CHARS, "名" * NAME_MAX_CHARS),
    ("👩‍👧 亲子会", "👩‍👧 亲子会"),                       # an emoji joined by ZWJ is fine
])
def test_clean_name_accepts(text, expected):
    assert clean_name(text) == expected


@pytest.mark.parametrize("text,message", [
    ("", "Name is empty"), ("   \t ", "Name is empty"), (None, "Name is empty"),
    (42, "Name is empty"),
    ("名" * (NAME_MAX_CHARS + 1), "Name is too long ({length} characters, at most {maximum})"),
    ("x" * 10_000, "Name is too long ({length} characters, at most {maximum})"),
    ("好\x00社", "Name contains control characters"),
    ("好\n社", "Name contains control characters"),
    ("好\x1b[31m社", "Name contains control characters"),
    ("好\u2028社", "Name contains control characters"),
    ("好\u202e社", "Name contains control characters"),    # right-to-left override
    ("好\ud800社", "Name contains control characters"),    # lone surrogate
    ("好\ue000社", "Name contains control characters"),    # private use
])
def test_clean_name_refuses(text, message):
    with pytest.raises(DomainError) as caught:
        clean_name(text)
    assert caught.value.text.message == message


def test_too_long_names_say_how_long():
    with pytest.raises(DomainError) as caught:
        clean_name("x" * 10_000)
    assert str(caught.value) == "Name is too long (10000 characters, at most 80)"


@pytest.mark.parametrize("text,maximum,required,expected", [
    (None, 200, False, ""), ("  ", 200, False, ""), (" 玉林社区 ", 200, True, "玉林社区"),
    ("第一行\n第二行", 200, False, "第一行\n第二行"), ("x" * 40, 40, True, "x" * 40),
])
def test_clean_text_accepts(text, maximum, required, expected):
    assert clean_text(text, "Notes", maximum, required) == expected


@pytest.mark.parametrize("text,maximum,required,message", [
    ("", 200, True, "{field} is empty"), (None, 200, True, "{field} is empty"),
    ("x" * 41, 40, False, "{field} is too long ({length} characters, at most {maximum})"),
    ("a\x07b", 200, False, "{field} contains control or invalid characters"),
    (12, 200, False, "{field} must be text"),
])
def test_clean_text_refuses(text, maximum, required, message):
    with pytest.raises(DomainError) as caught:
        clean_text(text, "Notes", maximum, required)
    assert caught.value.text.message == message
    assert caught.value.render().startswith("Notes ")


@pytest.mark.parametrize("phone,expected", [
    ("13800001111", "13800001111"), ("028-8555 1234", "028-8555 1234"),
    ("+86 138 0000 1111", "+86 138 0000 1111"), (" 110 ", "110"), ("", ""), (None, ""),
    ("1" * 20, "1" * 20),
])
def test_clean_phone_accepts(phone, expected):
    assert clean_phone(phone) == expected


@pytest.mark.parametrize("phone", ["call me", "12", "1" * 21, "138(0000)1111", "１３８００００１１１１",
                                   "138\n0000", 13800001111])
def test_clean_phone_refuses(phone):
    with pytest.raises(DomainError):
        clean_phone(phone)


@pytest.mark.parametrize("value,expected", [(0, 0), ("25", 25), (" 100000 ", 100_000), (7, 7)])
def test_clean_member_count_accepts(value, expected):
    assert clean_member_count(value) == expected


@pytest.mark.parametrize("value", ["-1", -1, "many", "100001", 100_001, True, 2.5, "2.5", None, ""])
def test_clean_member_count_refuses(value):
    with pytest.raises(DomainError):
        clean_member_count(value)


@pytest.mark.parametrize("old,new", [
    (Stage.APPLICANT, Stage.STARTUP), (Stage.STARTUP, Stage.GROWTH),
    (Stage.GROWTH, Stage.STARTUP), (Stage.GROWTH, Stage.GROWTH), (Stage.GRADUATED, Stage.GRADUATED),
])
def test_stage_edits_allowed(old, new):
    check_stage_change(old, new)


@pytest.mark.parametrize("old,new,message", [
    (Stage.STARTUP, Stage.GRADUATED, "Use the graduate or exit command to change stage to {stage}"),
    (Stage.GROWTH, Stage.EXITED, "Use the graduate or exit command to change stage to {stage}"),
    (Stage.APPLICANT, Stage.EXITED, "Use the graduate or exit command to change stage to {stage}"),
    (Stage.APPLICANT, Stage.GROWTH, "The stage cannot change from {old} to {new}"),
    (Stage.GROWTH, Stage.APPLICANT, "The stage cannot change from {old} to {new}"),
    (Stage.STARTUP, Stage.APPLICANT, "The stage cannot change from {old} to {new}"),
    (Stage.EXITED, Stage.STARTUP, "The stage cannot change from {old} to {new}"),
    (Stage.GRADUATED, Stage.GROWTH, "The stage cannot change from {old} to {new}"),
    (Stage.GRADUATED, Stage.EXITED, "Use the graduate or exit command to change stage to {stage}"),
])
def test_stage_edits_refused(old, new, message):
    with pytest.raises(DomainError) as caught:
        check_stage_change(old, new)
    assert caught.value.text.message == message
