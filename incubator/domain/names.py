"""One name normaliser for every duplicate check, and the cleaning of a typed name.

`name_key` is the comparison key: two names with the same key are the same name for every
duplicate check in the product (书画社, 書畫社, ` 书画  社 `, `书画社` + a zero-width space).
`clean_display_name` is what is stored and shown: the name as typed, minus invisible
characters and extra blanks.

Traditional → simplified conversion uses OpenCC's `t2s` configuration. The converter is
created on first use only (importing opencc and loading its dictionaries costs ~15 ms);
names made only of ASCII never load it.
"""

from __future__ import annotations

import functools
import unicodedata

# Invisible characters that are not of category Cf but are default-ignorable in Unicode:
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian free variation
# selectors, variation selectors. They are removed like Cf characters.
_IGNORABLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)
_ZWJ = "\u200d"
_EMOJI_JOINABLE = frozenset({"So", "Sk"})        # emoji, emoji modifiers (skin tones)
_VS16 = "\ufe0f"

# Brackets that mean the same in a name, after NFKC (which already turns （）［］｢｣ into
# ()[]「」). 【】〔〕〖〗「」『』[] and their kin all become ( ).
_BRACKETS = str.maketrans({
    "[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "〖": "(", "〗": ")",
    "「": "(", "」": ")", "『": "(", "』": ")", "［": "(", "］": ")", "（": "(", "）": ")",
})


def is_invisible(ch: str) -> bool:
    """A format (Cf) or other default-ignorable character: nothing is seen of it."""
    return ch in _IGNORABLE or unicodedata.category(ch) == "Cf" or (
        0xE0100 <= ord(ch) <= 0xE01EF)                          # variation selectors supplement


def _strip_invisible(text: str, keep_emoji_joiners: bool) -> str:
    """`text` without format (Cf) and other invisible characters.

    With `keep_emoji_joiners`, a zero-width joiner between two emoji (👩‍👧) stays, and so does a
    variation selector 16 after an emoji (❤️): they are part of what is seen.
    """
    out: list[str] = []
    for index, ch in enumerate(text):
        if not is_invisible(ch):
            out.append(ch)
            continue
        if keep_emoji_joiners and out:
            before = out[-1]
            before_emoji = (unicodedata.category(before) in _EMOJI_JOINABLE
                            or (before == _VS16 and len(out) > 1
                                and unicodedata.category(out[-2]) in _EMOJI_JOINABLE))
            after = text[index + 1] if index + 1 < len(text) else ""
            if ch == _VS16 and unicodedata.category(before) in _EMOJI_JOINABLE:
                out.append(ch)
            elif ch == _ZWJ and before_emoji and after and (
                    unicodedata.category(after) in _EMOJI_JOINABLE):
                out.append(ch)
    return "".join(out)


def clean_display_name(text: str) -> str:
    """The name to store and show: NFC, invisible characters removed, blanks collapsed.

    Format characters (category Cf: zero-width spaces and joiners, bidi marks and embeddings,
    the BOM, soft hyphens …) and variation selectors are removed, except the joiners and
    selectors inside an emoji sequence. Runs of whitespace become one space; the ends are
    stripped. Everything else stays as typed: full-width letters, traditional characters,
    brackets and case.
    """
    text = unicodedata.normalize("NFC", text)
    text = _strip_invisible(text, keep_emoji_joiners=True)
    return " ".join(text.split())


@functools.cache
def _t2s():
    import opencc                                                 # ~10 ms, on first use only

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters → simplified (OpenCC t2s); anything else unchanged."""
    if text.isascii():
        return text
    # The converter works on UTF-8: a lone surrogate cannot pass.
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return _t2s().convert(text)


@functools.lru_cache(maxsize=8192)  # a roster import asks for each name's key 4 times
def name_key(text: str) -> str:
    """The comparison key of a name; equal keys mean the same name for duplicate checks.

    NFKC (full-width → half-width), invisible characters removed, all whitespace removed,
    brackets unified to ( ), traditional → simplified, casefolded. The key is never shown.
    An empty key means the name has nothing visible in it.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _strip_invisible(text, keep_emoji_joiners=False)
    text = "".join(text.split())
    text = to_simplified(text)
    text = text.translate(_BRACKETS).casefold()
    return unicodedata.normalize("NFKC", text)
