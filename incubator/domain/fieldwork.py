"""What field staff record offline: activities (活动记录), visits (走访 / 上门视导), trainings.

Each record is dated; the date may be neither in the future nor before the organization
existed (its registration, filing or entry date, whichever is earliest).
"""

from __future__ import annotations

import math
from datetime import date

from .errors import N_, DomainError, Text
from .months import parse_date
from .fields import ACTIVITY_KIND, ACTIVITY_TITLE, EVIDENCE_NOTE, PLACE

MAX_COUNT = 1_000_000
MAX_HOURS = 100_000.0


def record_date(text: object, today: date, since: str | None, what: str) -> date:
    """The date of an activity, visit or training: not in the future, not before `since`."""
    day = parse_date(text)
    if day > today:
        raise DomainError("Date {date} is in the future", date=day.isoformat())
    if since and day.isoformat() < since:
        raise DomainError("{what} on {date} is before the organization existed ({since})",
                          what=Text(what), date=day.isoformat(), since=since)
    return day


def clean_count(value: object, field: str) -> int:
    """A whole number of people or person-times, 0 to a million; empty is 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        count = value if isinstance(value, int) and not isinstance(value, bool) \
            else int(str(value).strip())
    except ValueError:
        count = -1
    if not 0 <= count <= MAX_COUNT:
        raise DomainError("{field} must be a whole number from 0 to {maximum}, not {value}",
                          field=Text(field), maximum=MAX_COUNT, value=str(value)[:20])
    return count


def clean_hours(value: object) -> float:
    """Volunteer hours, 0 to 100,000; empty is 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0.0
    try:
        hours = float(value) if not isinstance(value, bool) else -1.0
    except (TypeError, ValueError):
        hours = -1.0
    if not math.isfinite(hours) or not 0 <= hours <= MAX_HOURS:
        raise DomainError("Volunteer hours must be a number from 0 to {maximum}, not {value}",
                          maximum=int(MAX_HOURS), value=str(value)[:20])
    return hours


def clean_activity(title: object, kind: object, place: object, participants: object,
                   beneficiaries: object, person_times: object, hours: object,
                   note: object) -> dict:
    """The fields of one activity record (its date is checked by `record_date`)."""
    return {
        "title": ACTIVITY_TITLE.clean(title, required=True),
        "kind": ACTIVITY_KIND.clean(kind),
        "place": PLACE.clean(place),
        "participants": clean_count(participants, N_("Participants")),
        "beneficiaries": clean_count(beneficiaries, N_("Beneficiaries")),
        "person_times": clean_count(person_times, N_("Service person-times")),
        "hours": clean_hours(hours),
        "note": EVIDENCE_NOTE.clean(note),
    }
