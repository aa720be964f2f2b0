"""The free-text fields a person types: each one's name (a msgid) and its longest length.

One source for the store's checks and the app's inputs (which refuse a character past the
maximum as it is typed). Names, phones and member counts have their own cleaners in
`organization`, with their limits beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import N_
from .organization import clean_text


@dataclass(frozen=True)
class TextField:
    label: str  # an English msgid: the field's name in messages
    maximum: int  # characters, after the ends are stripped

    def clean(self, text: object, *, required: bool = False) -> str:
        """The stripped text, or a `DomainError` naming this field."""
        return clean_text(text, self.label, self.maximum, required)


# the profile of an organization (the district register's fields among them)
COMMUNITY = TextField(N_("Community"), 200)
CONTACT = TextField(N_("Contact"), 40)
NOTES = TextField(N_("Notes"), 2000)
TOWN = TextField(N_("Street or town"), 40)
VILLAGE = TextField(N_("Community or village"), 40)
FILING_NUMBER = TextField(N_("Filing number"), 40)
LEADER = TextField(N_("Person in charge"), 40)
SUPERVISOR = TextField(N_("Supervising unit"), 80)
ACTIVITY_PLACE = TextField(N_("Activity place"), 200)
ACTIVITY_AREA = TextField(N_("Activity area"), 200)

# decisions and their reasons
NOTE = TextField(N_("Note"), 500)
REASON = TextField(N_("Reason"), 500)
DISMISSED_BY = TextField(N_("Dismissed by"), 40)
APPROVED_BY = TextField(N_("Approved by"), 40)
DESTINATION = TextField(N_("Destination"), 200)
DEVICE_NAME = TextField(N_("Device name"), 80)

# fieldwork
FINDINGS = TextField(N_("Findings"), 2000)
FOLLOW_UP = TextField(N_("Follow-up"), 1000)
TOPIC = TextField(N_("Topic"), 100)
ACTIVITY_TITLE = TextField(N_("Title"), 100)
ACTIVITY_KIND = TextField(N_("Kind"), 20)
PLACE = TextField(N_("Place"), 100)
EVIDENCE_NOTE = TextField(N_("Evidence note"), 1000)
