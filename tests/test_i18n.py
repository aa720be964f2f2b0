"""The gettext catalog: every msgid in the code has Chinese, and the .mo is current."""

import gettext
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from incubator.i18n import LOCALE_DIR

PACKAGE = Path(__file__).resolve().parent.parent / "incubator"
PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "incubator.po"
KEYWORDS = {
    "_": None, "N_": None, "DomainError": (1,), "Text": (1,), "change": (2,),
    "_end_allocations": (4,), "ReplicaError": (1,), "ProtocolError": (1,), "SyncError": (1,),
    "PinError": (1,), "BundleError": (1,), "PassphraseError": (1,), "FolderError": (1,),
    "SenderRefused": (1,), "WorkerError": (1,),
}


def code_msgids() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS):
        if isinstance(message, str) and message:
            found.add(message)
    return found


def catalog():
    with PO.open("rb") as handle:
        return read_po(handle)


def test_the_extractor_finds_messages():
    msgids = code_msgids()
    assert "Unknown organization: {value}" in msgids
    assert "Scored {month}: {total}" in msgids
    assert len(msgids) > 100


def test_every_msgid_has_a_chinese_translation():
    translated = {m.id: m.string for m in catalog() if m.id}
    missing = sorted(m for m in code_msgids() if not translated.get(m))
    assert missing == []


def test_the_compiled_catalog_matches_the_po_file():
    compiled = gettext.GNUTranslations((PO.with_suffix(".mo")).open("rb"))
    stale = [m.id for m in catalog() if m.id and compiled.gettext(m.id) != m.string]
    assert stale == []


def test_placeholders_survive_translation():
    import string

    def names(text):
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    broken = [m.id for m in catalog() if m.id and m.string and names(m.id) != names(m.string)]
    assert broken == []
