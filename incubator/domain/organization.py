"""Validation of what a person types about an organization, and stage changes."""

from __future__ import annotations

import re
import unicodedata
from .errors import N_, DomainError, Text
from .models import Stage, english_label
from .names import clean_display_name, name_key

NAME_MAX_CHARS = 80  # an organization's or a hub's name
SPACE_NAME_MAX_CHARS = 40
PHONE_MAX_CHARS = 20
MEMBERS_MAX = 100_000
_PHONE = re.compile(rf"[0-9+\- ]{{3,{PHONE_MAX_CHARS}}}")
ALLOWED_EDITS = {
    Stage.APPLICANT: {Stage.STARTUP},
    Stage.STARTUP: {Stage.GROWTH},
    Stage.GROWTH: {Stage.STARTUP},
}
# Profile field → its label (a msgid): what edits, conflicts and history call a field.
PROFILE_LABELS = {
    "name": N_("Name"), "category": N_("Category"), "legal_status": N_("Legal status"),
    "stage": N_("Stage"), "community": N_("Community"), "contact": N_("Contact"),
    "phone": N_("Phone"), "members": N_("Members"), "party_org": N_("Party organization"),
    "entered": N_("Entered"), "notes": N_("Notes"), "hub": N_("Hub"),
    "area": N_("Urban or rural"), "town": N_("Street or town"),
    "village": N_("Community or village"), "credit_code": N_("Unified social credit code"),
    "filing_number": N_("Filing number"), "registered_on": N_("Registered or filed on"),
    "leader": N_("Person in charge"), "supervisor": N_("Supervising unit"),
    "org_form": N_("Organization form"), "place": N_("Activity place"),
    "activity_area": N_("Activity area"),
}
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _has_control_or_invalid(text: str) -> bool:
    """Control, surrogate, private-use, unassigned, line-separator or bidi-override characters."""
    return any(unicodedata.category(ch) in _REFUSED_CATEGORIES or ch in _BIDI_CONTROLS
               for ch in text)


def clean_text(text: object, field: str, maximum: int = 200, required: bool = False) -> str:
    """Stripped text of one field; newlines are kept, other control characters refused."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise DomainError("{field} must be text", field=Text(field))
    cleaned = text.strip()
    if required and not cleaned:
        raise DomainError("{field} is empty", field=Text(field))
    if len(cleaned) > maximum:
        raise DomainError("{field} is too long ({length} characters, at most {maximum})",
                          field=Text(field), length=len(cleaned), maximum=maximum)
    if _has_control_or_invalid(cleaned.replace("\n", "")):
        raise DomainError("{field} contains control or invalid characters", field=Text(field))
    return cleaned


def clean_name(text: object, maximum: int = NAME_MAX_CHARS) -> str:
    """An organization's, hub's or space's name: one line, at most `maximum` characters,
    nothing invisible.

    Control, bidi-override and invalid characters are refused; other invisible characters
    (zero-width spaces, bidi marks …) are removed and blanks collapsed (`clean_display_name`).
    A name with nothing visible left (an empty `name_key`) is refused.
    """
    if not isinstance(text, str) or not text.strip():
        raise DomainError("Name is empty")
    cleaned = clean_display_name(text)
    if len(cleaned) > maximum:
        raise DomainError("Name is too long ({length} characters, at most {maximum})",
                          length=len(cleaned), maximum=maximum)
    if _has_control_or_invalid(text.strip()):
        raise DomainError("Name contains control characters")
    if not name_key(cleaned):
        raise DomainError("Name has no visible characters (only blanks, zero-width or "
                          "direction marks)")
    return cleaned


def clean_phone(text: object) -> str:
    """A phone number of digits, spaces, + and -; empty when there is none."""
    if text is None:
        return ""
    cleaned = text.strip() if isinstance(text, str) else None
    if cleaned is None or (cleaned and not _PHONE.fullmatch(cleaned)):
        raise DomainError("Phone {value} may hold only digits, spaces, + and -, 3–20 characters",
                          value=str(text)[:40])
    return cleaned


def clean_member_count(value: object) -> int:
    """A whole number of members, 0–100000, from an int or typed text."""
    try:
        count = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        count = -1
    if isinstance(value, bool) or not 0 <= count <= MEMBERS_MAX:
        raise DomainError("Member count {value} must be a whole number from 0 to 100000",
                          value=str(value)[:20])
    return count


def check_stage_change(old: Stage, new: Stage) -> None:
    """Edits move applicant → startup and startup ⇄ growth; nothing else.

    Graduated and exited are reached only through the graduate and exit commands, and
    nothing leaves them by an edit.
    """
    if new == old:
        return
    if new in (Stage.GRADUATED, Stage.EXITED):
        raise DomainError("Use the graduate or exit command to change stage to {stage}",
                          stage=Text(english_label(new)))
    if new not in ALLOWED_EDITS.get(old, set()):
        raise DomainError("The stage cannot change from {old} to {new}",
                          old=Text(english_label(old)), new=Text(english_label(new)))

