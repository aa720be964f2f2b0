"""The unified social credit code (GB 32100-2015) and the civil-affairs organization forms."""

import pytest

from incubator.domain.credit_code import (
    ALPHABET, WEIGHTS, check_character, check_form_agrees, form_of_code, parse_credit_code,
)
from incubator.domain.errors import DomainError
from incubator.domain.models import OrgForm, label, parse_enum

STANDARD_EXAMPLE = "91350100M000100Y43"       # the worked example printed in GB 32100-2015
FIRST17 = [
    ("51510107MJ0123456", "H"),       # 民政 社会团体, 成都市武侯区
    ("52440300MJL12345X", "C"),       # 民政 民办非企业单位, 深圳市
    ("53100000500021676", "K"),       # 民政 基金会, 民政部登记
    ("59330106MA2H0RRK0", "W"),       # 民政 其他
    ("12100000400010398", "P"),       # 机构编制 事业单位
    ("91110108551385082", "Q"),       # 工商 企业
    ("Y1110108MA01AB12C", "1"),       # 其他
    ("51510107MJ0123402", "0"),       # Σ mod 31 = 0: the check is 31, written 0
    ("91350100M000100Y4", "3"),
]
VALID = [f + c for f, c in FIRST17]


def refusal(function, *args):
    with pytest.raises(DomainError) as caught:
        function(*args)
    return caught.value


def test_the_alphabet_and_weights():
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("first17,check", FIRST17)
def test_check_character(first17, check):
    assert check_character(first17) == check
    assert check_character(first17.lower()) == check


def test_the_standards_example_is_valid():
    assert parse_credit_code(STANDARD_EXAMPLE) == STANDARD_EXAMPLE


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_parse_to_themselves(code):
    assert parse_credit_code(code) == code


@pytest.mark.parametrize("typed,code", [
    ("91350100m000100y43", STANDARD_EXAMPLE),                     # lower case
    ("  91350100M000100Y43\n", STANDARD_EXAMPLE),
    ("９１３５０１００Ｍ０００１００Ｙ４３", STANDARD_EXAMPLE),       # full width
    ("９１３５０１００ｍ０００１００ｙ４３", STANDARD_EXAMPLE),
    ("9135 0100 M000 100Y 43", STANDARD_EXAMPLE),                # grouped as printed
    ("\u200b91350100M000100Y43\ufeff", STANDARD_EXAMPLE),        # invisible characters of a paste
    ("51510107mj0123456h", "51510107MJ0123456H"),
])
def test_what_people_type_is_accepted(typed, code):
    assert parse_credit_code(typed) == code


@pytest.mark.parametrize("text,message,params", [
    ("", "{field} is empty", {}), (None, "{field} is empty", {}), ("  ", "{field} is empty", {}),
    (91350100, "{field} must be text", {}),
    (STANDARD_EXAMPLE[:17], "The unified social credit code has {length} characters; it must "
     "have 18", {"length": 17}),
    (STANDARD_EXAMPLE + "0", "The unified social credit code has {length} characters; it must "
     "have 18", {"length": 19}),
    ("91350100I000100Y43", "Character {position} of the unified social credit code, {char}, is "
     "not allowed: codes use digits and capital letters other than I, O, S, V and Z",
     {"position": 9, "char": "I"}),
    ("91350100MOOO100Y43", "Character {position} of the unified social credit code, {char}, is "
     "not allowed: codes use digits and capital letters other than I, O, S, V and Z",
     {"position": 10, "char": "O"}),
    ("91350100M000100Y4s", "Character {position} of the unified social credit code, {char}, is "
     "not allowed: codes use digits and capital letters other than I, O, S, V and Z",
     {"position": 18, "char": "S"}),
    ("V1350100M000100Y43", "Character {position} of the unified social credit code, {char}, is "
     "not allowed: codes use digits and capital letters other than I, O, S, V and Z",
     {"position": 1, "char": "V"}),
    ("913501号0M000100Y43", "Character {position} of the unified social credit code, {char}, is "
     "not allowed: codes use digits and capital letters other than I, O, S, V and Z",
     {"position": 7, "char": "号"}),
    ("91350100M000100Y4-", "Character {position} of the unified social credit code, {char}, is "
     "not allowed: codes use digits and capital letters other than I, O, S, V and Z",
     {"position": 18, "char": "-"}),
    ("913501A0M000100Y43", "Characters 3–8 of the unified social credit code ({division}) must "
     "be digits: they are the administrative division code", {"division": "3501A0"}),
    ("91350100M000100Y44", "The check character (the 18th) of unified social credit code {code} "
     "is wrong: expected {expected}, found {found}",
     {"code": "91350100M000100Y44", "expected": "3", "found": "4"}),
    ("51510107MJ0123456X", "The check character (the 18th) of unified social credit code {code} "
     "is wrong: expected {expected}, found {found}",
     {"code": "51510107MJ0123456X", "expected": "H", "found": "X"}),
])
def test_refusals_say_what_is_wrong(text, message, params):
    error = refusal(parse_credit_code, text)
    assert error.text.message == message
    assert {k: error.text.params[k] for k in params} == params


def test_the_wrong_check_message_reads_well():
    assert str(refusal(parse_credit_code, "91350100m000100y4a")) == (
        "The check character (the 18th) of unified social credit code 91350100M000100Y4A is "
        "wrong: expected 3, found A")


@pytest.mark.parametrize("code", VALID)
def test_every_single_substitution_and_adjacent_swap_is_caught(code):
    for position in range(17):
        for ch in ALPHABET:
            changed = code[:position] + ch + code[position + 1:]
            if ch != code[position] and changed[2:8].isdigit():
                with pytest.raises(DomainError):
                    parse_credit_code(changed)
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
        if position < 16 and swapped != code and swapped[2:8].isdigit():
            with pytest.raises(DomainError):
                parse_credit_code(swapped)


@pytest.mark.parametrize("first17,length", [("9135", 4), (STANDARD_EXAMPLE, 18), ("", 0)])
def test_check_character_needs_17_characters(first17, length):
    error = refusal(check_character, first17)
    assert error.text.message == "A check character is computed from 17 characters, not {length}"
    assert error.text.params["length"] == length


def test_check_character_names_an_illegal_character():
    error = refusal(check_character, "9135010OM000100Y4")
    assert error.text.params == {"position": 8, "char": "O"}


@pytest.mark.parametrize("code,form", [
    ("51510107MJ0123456H", OrgForm.SOCIAL_GROUP), ("52440300MJL12345XC", OrgForm.NON_ENTERPRISE),
    ("53100000500021676K", OrgForm.FOUNDATION), ("59330106MA2H0RRK0W", None),
    ("12100000400010398P", None), (STANDARD_EXAMPLE, None), ("Y1110108MA01AB12C1", None),
    ("51510107mj0123456h", OrgForm.SOCIAL_GROUP),
])
def test_form_of_code(code, form):
    assert form_of_code(code) is form


def test_form_of_an_invalid_code_is_refused():
    with pytest.raises(DomainError):
        form_of_code("51510107MJ0123456X")


@pytest.mark.parametrize("code,form", [
    ("51510107MJ0123456H", OrgForm.SOCIAL_GROUP), ("52440300MJL12345XC", OrgForm.NON_ENTERPRISE),
    ("53100000500021676K", OrgForm.FOUNDATION), ("53100000500021676K", "foundation"),
    ("51510107MJ0123456H", None), (STANDARD_EXAMPLE, None), ("59330106MA2H0RRK0W", None),
])
def test_forms_that_agree(code, form):
    check_form_agrees(code, form)


@pytest.mark.parametrize("code,form,message,params", [
    ("51510107MJ0123456H", OrgForm.FOUNDATION,
     "Unified social credit code {code} is for the form “{code_form}”, but the organization is "
     "recorded as “{form}”", {"code_form": "Social group", "form": "Foundation"}),
    ("53100000500021676K", OrgForm.NON_ENTERPRISE,
     "Unified social credit code {code} is for the form “{code_form}”, but the organization is "
     "recorded as “{form}”", {"code_form": "Foundation", "form": "Private non-enterprise unit"}),
    (STANDARD_EXAMPLE, OrgForm.SOCIAL_GROUP,
     "Unified social credit code {code} is not for the form “{form}”: codes of that form start "
     "with {prefix}", {"form": "Social group", "prefix": "51"}),
    ("59330106MA2H0RRK0W", OrgForm.FOUNDATION,
     "Unified social credit code {code} is not for the form “{form}”: codes of that form start "
     "with {prefix}", {"form": "Foundation", "prefix": "53"}),
])
def test_forms_that_disagree(code, form, message, params):
    error = refusal(check_form_agrees, code, form)
    assert error.text.message == message
    shown = {k: v.render() if hasattr(v, "render") else v for k, v in error.text.params.items()}
    assert {k: shown[k] for k in params} == params
    assert shown["code"] == code


def test_the_disagreement_message_reads_well():
    assert str(refusal(check_form_agrees, "51510107mj0123456h", OrgForm.FOUNDATION)) == (
        "Unified social credit code 51510107MJ0123456H is for the form “Social group”, but the "
        "organization is recorded as “Foundation”")


@pytest.mark.parametrize("member,value,zh,en", [
    (OrgForm.SOCIAL_GROUP, "social-group", "社会团体", "Social group"),
    (OrgForm.NON_ENTERPRISE, "non-enterprise", "民办非企业单位", "Private non-enterprise unit"),
    (OrgForm.FOUNDATION, "foundation", "基金会", "Foundation"),
])
def test_org_form_values_and_labels(member, value, zh, en):
    assert member.value == value
    assert (label(member, "zh"), label(member, "en")) == (zh, en)
    assert parse_enum(OrgForm, value) is parse_enum(OrgForm, zh) is member
    assert parse_enum(OrgForm, en) is member


def test_an_unknown_org_form_names_the_kind():
    error = refusal(parse_enum, OrgForm, "company")
    assert error.render() == ("Unknown organization form: company; expected one of social-group, "
                              "non-enterprise, foundation")


@pytest.mark.parametrize("member", list(OrgForm))
def test_org_form_labels_are_in_the_catalog(member):
    import gettext

    from incubator.i18n import LOCALE_DIR
    chinese = gettext.translation("incubator", LOCALE_DIR, languages=["zh_CN"])
    assert chinese.gettext(label(member, "en")) == label(member, "zh")
    assert chinese.gettext("organization form") == "组织形式"
