"""English left on a Chinese screen: ASCII words that are neither data nor an allowed name.

Data is what a person types or reads as it is stored: command and option names, the keys
and values the CLI accepts (stage and kind values, category and setting keys, sort and
count fields), identifiers (anything with a digit in it), and the names in the replica.
The few words a Chinese screen may still show are listed in ALLOWED.
"""

from __future__ import annotations

import re
from enum import StrEnum

from incubator.domain import models
from incubator.domain.categories import CATEGORIES
from incubator.domain.rubric import DEFAULT_RUBRIC
from incubator.domain.settings import Settings
from incubator.i18n import LANGUAGES
from incubator.sheets.reports import REPORTS
from incubator.store.queries import COUNT_FIELDS, ORG_SORTS, REPORT_GROUPS

# product and format names, key names, placeholders and units
ALLOWED = frozenset({
    "incubator", "Automerge", "SQLite", "JSON", "mDNS", "USB", "ID", "UTC", "SVG", "QR",
    "HOST", "PORT", "YYYY-MM", "YYYY-MM-DD", "Ctrl", "Ctrl-C", "ctrl", "Tab", "tab", "esc", "Esc", "Enter",
    "enter", "pgup", "pgdn", "PageUp", "PageDown", "shift", "INCUBATOR_HOME", "network",
    "MiB", "textual", "XLSX", "CSV", "xlsx", "csv", "Syncthing",
})
_KEYS = re.compile(r"((ctrl|shift|super|alt|meta)\+)+\w+")   # a key as Textual names it
_RUN = re.compile(r"[\x21-\x7e]+")            # a run of printable ASCII without blanks
_PARTS = re.compile(r"[/=|,;:()\[\]{}<>\"'`.…·]+")


def data_words() -> set[str]:
    """Every value the CLI accepts and the app stores as it is."""
    words = {member.value for name in dir(models)
             if isinstance(enum := getattr(models, name), type) and issubclass(enum, StrEnum)
             and enum is not StrEnum for member in enum}
    words |= set(CATEGORIES) | set(COUNT_FIELDS) | set(ORG_SORTS) | set(REPORT_GROUPS)
    words |= set(REPORTS) | {"round", "all"}
    words |= set(LANGUAGES) | {field for field in Settings.__dataclass_fields__}
    words |= {item.key for item in DEFAULT_RUBRIC.items} | {"profile", "yes", "no"}
    return words


def english_words(text: str, data: set[str] = frozenset()) -> list[str]:
    """The ASCII words of `text` that are not data (`data_words()`, `data`, option names,
    identifiers) and not ALLOWED; single letters (keys, N) pass."""
    known = data_words() | set(data)
    found = []
    for run in _RUN.findall(text):
        run = run.strip("()[]{}<>,.;:!?\"'`…")
        if (not run or run.startswith("-") or re.search(r"\d", run) or run in known
                or _KEYS.fullmatch(run)):
            continue
        for part in _PARTS.split(run):
            part = part.strip("-_+*%#&!?~^$\\")
            if (len(re.sub(r"[^A-Za-z]", "", part)) > 1 and part not in known
                    and part not in ALLOWED):
                found.append(part)
    return found
