"""One name key for every duplicate check; the name as stored; clean_name's use of both."""

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incubator.domain.errors import DomainError
from incubator.domain.names import clean_display_name, is_invisible, name_key, to_simplified
from incubator.domain.organization import clean_name

FORMAT_CHARACTERS = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202b",
    "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\u00ad",
    "\u180e", "\ufe0f", "\u034f", "\U000e0001",
]


@pytest.mark.parametrize("variant", [
    "书画社", "书画社\u200b", "書畫社", " 书画  社 ", "\u200f书画社", "书\u3000画\t社", "\ufeff書画社",
    "书\u200d画\u2060社", "\u2066书画社\u2069",
])
def test_variants_of_one_name_share_its_key(variant):
    assert name_key(variant) == name_key("书画社") == "书画社"


@pytest.mark.parametrize("a,b", [
    ("ＡＢＣ社", "ABC社"), ("ABC社", "abc社"), ("Straße 社", "STRASSE社"),
    ("（成都）书画社", "(成都)书画社"), ("【成都】书画社", "(成都)书画社"), ("〔成都〕书画社", "(成都)书画社"),
    ("［成都］书画社", "(成都)书画社"), ("「成都」书画社", "(成都)书画社"), ("[成都]书画社", "(成都)书画社"),
    ("〖成都〗书画社", "(成都)书画社"), ("『成都』书画社", "(成都)书画社"), ("｢成都｣書畫社", "(成都)书画社"),
    ("臺灣同鄉會", "台湾同乡会"), ("長江合唱團", "长江合唱团"), ("夕陽紅志願服務隊", "夕阳红志愿服务队"),
    ("阳光 Sunshine 社工站", "阳光sunshine社工站"), ("e\u0301社", "é社"), ("①号楼", "1号楼"),
])
def test_equal_keys(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize("a,b", [
    ("书画社", "书法社"), ("书画社", "书画社(二)"), ("书画社", "书画协会"), ("ABC社", "ABD社"),
    ("1号楼", "2号楼"), ("(成都)书画社", "成都书画社"),
])
def test_different_names_have_different_keys(a, b):
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize("char", FORMAT_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_format_character_is_invisible_to_the_key(char):
    assert is_invisible(char)
    assert name_key(f"书{char}画社{char}") == "书画社"


@pytest.mark.parametrize("text", ["", " ", "\t\u3000", "\u200f", "\u200b\u200b", "\ufeff \u2060",
                                  "\u202e", "\ufe0f"])
def test_nothing_visible_gives_an_empty_key(text):
    assert name_key(text) == ""


@pytest.mark.parametrize("text", ["a\x00書", "a\ud800書", "\U0002a700書", "x" * 10_000])
def test_the_key_takes_any_text(text):
    assert isinstance(name_key(text), str)


@given(st.text(alphabet="書画畫社书 　()（）【】[]ＡaA\u200b\u200f\u00adé\u0301①臺灣长長", max_size=20))
def test_the_key_is_idempotent(text):
    key = name_key(text)
    assert name_key(key) == key
    assert not any(ch.isspace() for ch in key)


@given(st.text(max_size=30))
def test_the_key_never_fails_and_never_holds_blanks_or_format_characters(text):
    key = name_key(text)
    assert not any(ch.isspace() or is_invisible(ch) for ch in key)


@pytest.mark.parametrize("text,expected", [
    (" 書畫社 ", "書畫社"), ("书画\u200b社", "书画社"), ("ＡＢＣ  社", "ＡＢＣ 社"),
    ("书画\u3000\u3000社", "书画 社"), ("\u200f书画社", "书画社"), ("书画社\u200d", "书画社"),
    ("【成都】書畫社", "【成都】書畫社"), ("Sunshine\u00ad社", "Sunshine社"), ("e\u0301社", "é社"),
    ("👩\u200d👧 亲子会", "👩\u200d👧 亲子会"),                     # joiner inside an emoji: kept
    ("👩🏽\u200d👧 亲子会", "👩🏽\u200d👧 亲子会"),                   # after a skin tone too
    ("❤\ufe0f 爱心社", "❤\ufe0f 爱心社"),                          # emoji presentation: kept
    ("❤\ufe0f\u200d🔥 社", "❤\ufe0f\u200d🔥 社"),
    ("爱\u200d心社", "爱心社"), ("爱\ufe0f心社", "爱心社"), ("\u2066书画社\u2069", "书画社"),
    ("", ""), ("\u200b", ""),
])
def test_clean_display_name(text, expected):
    assert clean_display_name(text) == expected


@pytest.mark.parametrize("text", ["書畫社 ", "书画 社", "ＡＢＣ社", "👩\u200d👧 亲子会"])
def test_the_display_name_keeps_the_key(text):
    assert name_key(clean_display_name(text)) == name_key(text)
    assert clean_display_name(clean_display_name(text)) == clean_display_name(text)


@pytest.mark.parametrize("text,expected", [
    ("书画\u200b社", "书画社"), (" 书画  社 ", "书画 社"), ("\u200f书画社", "书画社"),
    ("書畫社", "書畫社"), ("ＡＢＣ社", "ＡＢＣ社"), ("名" * 80 + "\u200b", "名" * 80),
])
def test_clean_name_removes_invisible_characters(text, expected):
    assert clean_name(text) == expected


INVISIBLE = "Name has no visible characters (only blanks, zero-width or direction marks)"


@pytest.mark.parametrize("text,message", [
    ("\u200f", INVISIBLE), ("\u200b\u200b", INVISIBLE), (" \ufeff \u2060 ", INVISIBLE),
    ("\u202e", "Name contains control characters"),        # a bidi override is refused outright
    ("书画\u202e社", "Name contains control characters"),
])
def test_clean_name_refuses_invisible_names(text, message):
    with pytest.raises(DomainError) as caught:
        clean_name(text)
    assert caught.value.text.message == message


@pytest.mark.parametrize("text,expected", [
    ("書畫社", "书画社"), ("abc", "abc"), ("臺灣", "台湾"), ("书画社", "书画社"), ("a\ud800", "a\ufffd"),
])
def test_to_simplified(text, expected):
    assert to_simplified(text) == expected


LAZY = """
import json, sys
import incubator.domain.names as names
loaded = ["opencc" in sys.modules]
names.name_key("ABC 社团"[:3])
loaded.append("opencc" in sys.modules)
names.name_key("書畫社")
loaded.append("opencc" in sys.modules)
print(json.dumps(loaded))
"""


def test_opencc_is_loaded_on_the_first_non_ascii_name_only():
    run = subprocess.run([sys.executable, "-c", LAZY], capture_output=True, text=True,
                         check=True, timeout=60)
    assert json.loads(run.stdout) == [False, False, True]
