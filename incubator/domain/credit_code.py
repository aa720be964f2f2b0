"""The unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from ALPHABET (digits and capitals without I, O, S, V, Z):

    1       registration authority (1 机构编制, 5 民政 civil affairs, 9 工商, Y 其他 …)
    2       kind of organization within it; for civil affairs 1 社会团体, 2 民办非企业单位,
            3 基金会, 9 other
    3–8     the 6-digit administrative division code
    9–17    the organization identifier
    18      check character over 1–17: C18 = 31 − (Σ value_i · 3^(i−1) mod 31), 31 → 0,
            a character's value being its index in ALPHABET
"""

from __future__ import annotations

import unicodedata

from .errors import N_, DomainError, Text
from .models import OrgForm, english_label
from .names import is_invisible

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
WEIGHTS = tuple(pow(3, i, 31) for i in range(LENGTH - 1))   # 1, 3, 9, 27, 19, 26, 16, …
CIVIL_AFFAIRS = "5"
FORM_CHARS = {"1": OrgForm.SOCIAL_GROUP, "2": OrgForm.NON_ENTERPRISE, "3": OrgForm.FOUNDATION}
_FIELD = N_("Unified social credit code")
_VALUES = {ch: value for value, ch in enumerate(ALPHABET)}


def _normalize(text: object) -> str:
    """Full-width → half-width, ASCII letters upper-cased, blanks and invisibles dropped."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise DomainError("{field} must be text", field=Text(_FIELD))
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch.upper() if ch.isascii() else ch for ch in text
                   if not ch.isspace() and not is_invisible(ch))


def _shown(ch: str) -> str:
    return ch if ch.isprintable() else f"U+{ord(ch):04X}"


def _check_alphabet(code: str) -> None:
    for position, ch in enumerate(code, start=1):
        if ch not in _VALUES:
            raise DomainError(
                "Character {position} of the unified social credit code, {char}, is not "
                "allowed: codes use digits and capital letters other than I, O, S, V and Z",
                position=position, char=_shown(ch))


def _check_of(first17: str) -> str:
    total = sum(_VALUES[ch] * weight for ch, weight in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def check_character(first17: object) -> str:
    """The 18th character for the first 17 (normalized like `parse_credit_code`)."""
    code = _normalize(first17)
    if len(code) != LENGTH - 1:
        raise DomainError("A check character is computed from 17 characters, not {length}",
                          length=len(code))
    _check_alphabet(code)
    return _check_of(code)


def parse_credit_code(text: object) -> str:
    """A valid code in its canonical form, from what a person typed.

    Accepts lower case, full-width characters, blanks anywhere (as in "5151 0107 …") and
    invisible characters from a paste; refuses with a message naming the problem: the
    length, an illegal character and its position, a division code that is not 6 digits, or
    a wrong check character (saying which was expected).
    """
    code = _normalize(text)
    if not code:
        raise DomainError("{field} is empty", field=Text(_FIELD))
    if len(code) != LENGTH:
        raise DomainError("The unified social credit code has {length} characters; it must "
                          "have 18", length=len(code))
    _check_alphabet(code)
    division = code[2:8]
    if not division.isdigit():
        raise DomainError("Characters 3–8 of the unified social credit code ({division}) must "
                          "be digits: they are the administrative division code",
                          division=division)
    expected = _check_of(code[:17])
    if code[17] != expected:
        raise DomainError("The check character (the 18th) of unified social credit code "
                          "{code} is wrong: expected {expected}, found {found}",
                          code=code, expected=expected, found=code[17])
    return code


def form_of_code(code: object) -> OrgForm | None:
    """The civil-affairs form a code says (51, 52, 53); None for any other code.

    The code is parsed first, so an invalid code raises DomainError.
    """
    code = parse_credit_code(code)
    return FORM_CHARS.get(code[1]) if code[0] == CIVIL_AFFAIRS else None


def check_form_agrees(code: object, form: OrgForm | None) -> None:
    """Refuse a registered organization whose recorded form disagrees with its code.

    A social group's code starts with 51, a private non-enterprise unit's with 52, a
    foundation's with 53. No form recorded (None) checks nothing but the code itself.
    """
    code_form = form_of_code(code)
    if form is None or code_form == form:
        return
    form = OrgForm(form)
    canonical = parse_credit_code(code)
    if code_form is None:
        prefix = CIVIL_AFFAIRS + next(ch for ch, f in FORM_CHARS.items() if f == form)
        raise DomainError("Unified social credit code {code} is not for the form “{form}”: "
                          "codes of that form start with {prefix}",
                          code=canonical, form=Text(english_label(form)), prefix=prefix)
    raise DomainError("Unified social credit code {code} is for the form “{code_form}”, but "
                      "the organization is recorded as “{form}”", code=canonical,
                      code_form=Text(english_label(code_form)),
                      form=Text(english_label(form)))
