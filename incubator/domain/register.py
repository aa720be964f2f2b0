"""The district register: what a registration or filing record says about an organization.

A registered organization (登记注册) is identified by its unified social credit code, a
filed one (备案) by its filing number; each has a registration or filing date, a person in
charge (负责人), usually a supervising unit (业务主管单位), a legal form, an activity place
and an activity area, and where it is: urban or rural, street or town, community or village.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from .credit_code import check_form_agrees, parse_credit_code
from .errors import DomainError
from .models import LegalStatus, OrgForm
from .fields import FILING_NUMBER

# the profile fields of the register, beside those every organization has
REGISTER_FIELDS = ("area", "town", "village", "credit_code", "filing_number", "registered_on",
                   "leader", "supervisor", "org_form", "place", "activity_area")


def clean_credit_code(text: object) -> str:
    """A checked code in canonical form; empty text clears it."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return ""
    return parse_credit_code(text)


def clean_filing_number(text: object) -> str:
    """A filing number (备案编号) as written on the filing record, one line; empty clears it."""
    number = FILING_NUMBER.clean(text)
    if "\n" in number:
        raise DomainError("The filing number must be one line")
    return number


def check_registered_on(day: date, today: date) -> None:
    if day > today:
        raise DomainError("The registration or filing date {date} is in the future",
                          date=day.isoformat())


def check_identifiers(profile: Mapping[str, object]) -> None:
    """A filed organization has a filing number and no credit code; a registered one a
    credit code and no filing number, and its form agrees with the code (51, 52, 53)."""
    status = profile.get("legal_status")
    code, number = profile.get("credit_code") or "", profile.get("filing_number") or ""
    if status == LegalStatus.FILED and code:
        raise DomainError("A filed organization has a filing number, not a unified social "
                          "credit code ({code})", code=code)
    if status == LegalStatus.REGISTERED and number:
        raise DomainError("A registered organization has a unified social credit code, not a "
                          "filing number ({number})", number=number)
    if code:
        form = profile.get("org_form")
        check_form_agrees(code, OrgForm(form) if form else None)


def existed_since(registered_on: str | None, entered: str | None) -> str | None:
    """The first day the register knows the organization existed: the earlier of its
    registration or filing date and its entry date (ISO dates compare as text)."""
    known = [day for day in (registered_on, entered) if day]
    return min(known) if known else None
