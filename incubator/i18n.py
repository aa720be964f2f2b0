"""Translations: English msgids in the code, Chinese from a gettext catalog.

Chinese is the default language; `--lang en` (or `INCUBATOR_LANG=en`) switches
to the English source strings. The catalog lives in
`incubator/locale/zh_CN/LC_MESSAGES/incubator.po`, compiled to `.mo` with
`pybabel compile -d incubator/locale -D incubator`.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

from .domain.errors import N_, Text

__all__ = ["LANGUAGES", "LOCALE_DIR", "N_", "_", "every_language", "language", "render",
           "render_summary", "set_language"]

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")

_state = {"lang": "zh", "catalog": gettext.NullTranslations()}


def set_language(lang: str | None) -> str:
    """Switch every later `_()` call to `lang` (zh or en); returns the language used."""
    lang = (lang or os.environ.get("INCUBATOR_LANG") or "zh").lower()
    if lang not in LANGUAGES:
        lang = "zh"
    if lang == "zh":
        catalog = _chinese()
    else:
        catalog = gettext.NullTranslations()
    _state.update(lang=lang, catalog=catalog)
    return lang


def _chinese() -> gettext.NullTranslations:
    return gettext.translation("incubator", LOCALE_DIR, languages=["zh_CN"])


def every_language(message: str) -> set[str]:
    """A msgid as every language shows it (to read back a file written in either)."""
    return {message, _chinese().gettext(message)}


def language() -> str:
    return _state["lang"]


def _(message: str) -> str:
    """Translate a msgid into the current language."""
    return _state["catalog"].gettext(message)


def render(text: Text) -> str:
    return text.render(_)


def render_summary(summary: str, params: dict) -> str:
    """A journal summary (a msgid plus its parameters) in the current language.

    A parameter stored as `{"msgid": …}` (a label such as a waiver kind) is translated too.
    """
    shown = {key: _translated_label(value) for key, value in params.items()}
    try:
        return _(summary).format(**shown)
    except (KeyError, IndexError, ValueError):
        return summary


def _translated_label(value):
    if isinstance(value, dict) and "msgid" in value:
        label = value["msgid"]
        return _(label)
    return value


set_language(None)
