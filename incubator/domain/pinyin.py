"""Pinyin search and sort for Chinese names (pypinyin, with its phrase dictionary).

`search_text(name)` is stored beside a name and searched with SQL `LIKE '%' || needle || '%'`,
the needle being `search_query(what was typed)`. `sort_key(name)` is stored beside a name for
`ORDER BY sort_key` (SQLite's default BINARY collation; Python's `sorted` gives the same order).

Traditional characters are converted to simplified first (`names.to_simplified`), because
pypinyin's phrase dictionary is simplified: 民樂隊 reads min yue dui like 民乐队.

pypinyin is imported on first use only: the import takes ~0.4–0.7 s and ~55 MB.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from .names import is_invisible, to_simplified

# Han characters pypinyin has readings for: 〇, CJK unified ideographs and extensions A–H,
# compatibility ideographs (most are turned into unified ones by NFKC already).
_HAN = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_WORD = re.compile(r"[0-9]+|[^\W0-9_]+")          # a digit run, or a run of other letters
NUMBER_WIDTH = 10                                 # digit runs are zero-padded to this in sort_key
ALTERNATIVE_CHARS = 4                             # at most this many polyphonic characters …
ALTERNATIVE_READINGS = 2                          # … each with at most this many other readings
ALTERNATIVE_WINDOW = 3                            # … spelled with this many syllables each side


class _Token(NamedTuple):
    text: str                    # lowercase pinyin without tone, a Latin word or a digit run
    tone: str                    # "1"–"5" (5 = neutral) for a Han syllable, "0" otherwise
    han: bool
    alternatives: tuple[str, ...] = ()     # other readings, when no phrase settled the reading


@functools.cache
def _pypinyin():
    import pypinyin                                  # ~0.4–0.7 s, ~55 MB: on first use only

    return pypinyin


_TONE_MARKS = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}


@functools.cache
def _syllable(reading: str) -> tuple[str, str]:
    """'zhāng' → ('zhang', '1'); ü is spelled v (lǜ → lv, '4'), ê is spelled e; 5 = neutral.

    pypinyin's own TONE3 style does the same but costs twice the whole lookup; there are
    only ~1,500 distinct readings, so each is converted once.
    """
    tone = "5"
    letters = []
    for ch in unicodedata.normalize("NFD", reading):
        if ch in _TONE_MARKS:
            tone = _TONE_MARKS[ch]
        elif ch == "\u0308":                           # ü: u + diaeresis
            letters[-1:] = ["v"]
        elif not unicodedata.combining(ch):
            letters.append(ch)
    return "".join(letters), tone


def _han_tokens(run: str) -> list[_Token]:
    """The syllables of a run of Han characters: pypinyin's own segmentation into phrases,
    then each phrase's readings (`_phrase_tokens`), as `pypinyin.pinyin(run)` gives them."""
    from pypinyin.seg.simpleseg import seg

    return [token for phrase in seg(run) for token in _phrase_tokens(phrase)]


@functools.lru_cache(maxsize=16384)
def _phrase_tokens(phrase: str) -> tuple[_Token, ...]:
    """The syllables of one phrase of pypinyin's segmentation, cached: names share their
    phrases (社区, 志愿服务, 协会), and converting one costs more than segmenting the name.
    pypinyin converts each phrase of a list it is given alone, without segmenting it again."""
    pypinyin = _pypinyin()
    tokens = []
    for readings in pypinyin.pinyin([phrase], style=pypinyin.Style.TONE, heteronym=True,
                                    errors="ignore"):
        text, tone = _syllable(readings[0])
        others = []
        for reading in readings[1:]:
            other, _ = _syllable(reading)
            if other != text and other not in others:
                others.append(other)
        tokens.append(_Token(text, tone, True, tuple(others[:ALTERNATIVE_READINGS])))
    return tuple(tokens)


def _word_tokens(segment: str) -> list[_Token]:
    tokens = []
    for word in _WORD.findall(segment.casefold()):
        plain = "".join(ch for ch in unicodedata.normalize("NFKD", word)
                        if not unicodedata.combining(ch))
        tokens.append(_Token(plain if plain.isascii() else word, "0", False))
    return tokens


@functools.lru_cache(maxsize=1024)
def _tokens(name: str) -> tuple[_Token, ...]:
    """The syllables and words of a name, in order; punctuation and symbols are dropped.

    Cached for the last 1,024 names: search_text and sort_key of one name look it up once.
    """
    text = unicodedata.normalize("NFKC", name)
    text = to_simplified("".join(ch for ch in text if not is_invisible(ch)))
    tokens: list[_Token] = []
    position = 0
    for match in _HAN.finditer(text):
        tokens += _word_tokens(text[position:match.start()])
        tokens += _han_tokens(match.group())
        position = match.end()
    return tuple(tokens + _word_tokens(text[position:]))


def _spell(tokens: Sequence[_Token]) -> tuple[str, str]:
    """Full pinyin and initials: 书画社 → ('shuhuashe', 'shs'); words stay whole in both."""
    return ("".join(t.text for t in tokens),
            "".join(t.text[0] if t.han else t.text for t in tokens))


def search_text(name: str) -> str:
    """Lowercase pinyin of `name` to search with LIKE: full spelling, then initials.

    书画社 → 'shuhuashe shs', so shuhua, shuhuashe, shs and hs all find it. Latin letters and
    digits pass through lowercased (accents dropped); punctuation, blanks and symbols are
    left out. Readings come from pypinyin's phrase dictionary (民乐队 → min yue dui). For up to
    ALTERNATIVE_CHARS characters that no phrase settled and that have other readings
    (朝阳社区: zhao or chao), each other reading is added too, spelled with up to
    ALTERNATIVE_WINDOW syllables either side: 'zhaoyangshequ zysq chaoyangshequ cysq'.
    Parts are separated by one space, which a needle from `search_query` never contains.
    """
    tokens = _tokens(name)
    parts = list(_spell(tokens))
    ambiguous = [i for i, t in enumerate(tokens) if t.alternatives][:ALTERNATIVE_CHARS]
    for index in ambiguous:
        start = max(0, index - ALTERNATIVE_WINDOW)
        window = list(tokens[start:index + ALTERNATIVE_WINDOW + 1])
        for other in tokens[index].alternatives:
            window[index - start] = tokens[index]._replace(text=other)
            parts += _spell(window)
    return " ".join(dict.fromkeys(p for p in parts if p))


def search_query(text: str) -> str:
    """The needle for `search_text LIKE '%' || needle || '%'` from what a person typed.

    Lowercase, blanks and punctuation dropped, accents dropped, Chinese characters turned
    into their default pinyin (书画 → shuhua, 書畫 too). Never contains % or _. (ü in pinyin
    is spelled v, as typed on a keyboard: 绿 is lv.)
    """
    return "".join(t.text for t in _tokens(text))


def sort_key(name: str) -> str:
    """A string that orders names by pinyin when compared as plain strings (SQLite BINARY).

    Three levels separated by a space: the syllables and words joined by '!' (so 阿 < 阿姨 <
    安 < 白: syllable by syllable, a shorter name first), then one tone digit per syllable
    (妈 < 麻 < 马 < 骂), then the name itself (NFC) to break ties (张 and 章 are both zhang1;
    code-point order decides). Latin words sort among the pinyin by their lowercase letters
    (an 'Apple 社' sorts with 阿 and 安 under a); digit runs are zero-padded to NUMBER_WIDTH
    so they sort by value (2号 < 10号) and before every letter; other scripts sort after z;
    a name with no letters, digits or Han characters sorts first.
    """
    tokens = _tokens(name)
    words = "!".join(t.text.lstrip("0").zfill(NUMBER_WIDTH) if t.text.isdigit() else t.text
                     for t in tokens)
    tones = "".join(t.tone for t in tokens)
    return f"{words} {tones} {unicodedata.normalize('NFC', name)}"
