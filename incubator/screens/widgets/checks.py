"""Inputs checked by the domain's own rules: a refused form says, field by field, what the
CLI says, and no input takes a character past the domain's maximum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.validation import ValidationResult, Validator
from textual.widgets import Input

from ...domain.errors import DomainError
from ...domain.fields import TextField
from ...domain.organization import NAME_MAX_CHARS, clean_name
from ...i18n import _


class DomainCheck(Validator):
    """Valid when `check(value)` raises no `DomainError`; otherwise the error's message, in
    the current language, describes the failure."""

    def __init__(self, check: Callable[[str], Any]) -> None:
        super().__init__()
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        try:
            self.check(value)
        except DomainError as error:
            return self.failure(error.render(_))
        return self.success()


def text_input(field: TextField, value: str = "", *, required: bool = False,
               **options: Any) -> Input:
    """One of the domain's free-text fields (`domain.fields`)."""
    return Input(value, max_length=field.maximum,
                 validators=[DomainCheck(lambda text: field.clean(text, required=required))],
                 **options)


def name_input(value: str = "", *, maximum: int = NAME_MAX_CHARS, **options: Any) -> Input:
    """An organization's, hub's or space's name."""
    return Input(value, max_length=maximum,
                 validators=[DomainCheck(lambda text: clean_name(text, maximum))], **options)


def checked_input(check: Callable[[str], Any], value: str = "", *, max_length: int,
                  **options: Any) -> Input:
    """Any other typed value the domain reads (`check` raises its `DomainError`)."""
    return Input(value, max_length=max_length, validators=[DomainCheck(check)], **options)


def number_or_text(text: str) -> float | str:
    """The number typed, or the text itself when it is none (the domain's check then
    refuses it in the same words as a number out of range)."""
    try:
        return float(text)
    except ValueError:
        return text


def labelled(title: str, wrong: str) -> str:
    """`wrong` (a refusal) named after its field `title` (translated), unless the domain's
    message already names it ("名称过长…", not "名称：名称过长…")."""
    return wrong if title in wrong else _("{field}: {problem}").format(field=title,
                                                                      problem=wrong)


def problem(field: Input) -> str | None:
    """What is wrong with the input's value, in the domain's words; None when it is valid
    (or empty where empty is allowed)."""
    result = field.validate(field.value)
    if result is None or result.is_valid:
        return None
    return result.failure_descriptions[0] if result.failure_descriptions else _("not valid")
