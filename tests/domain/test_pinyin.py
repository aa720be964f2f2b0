"""Pinyin search (SQL LIKE on search_text) and pinyin order (ORDER BY sort_key)."""

import json
import sqlite3
import subprocess
import sys

import pytest

from incubator.domain.pinyin import (
    ALTERNATIVE_CHARS, ALTERNATIVE_READINGS, ALTERNATIVE_WINDOW, search_query, search_text,
    sort_key,
)


def finds(name: str, typed: str) -> bool:
    """What the store will do: LIKE over the stored search_text with the typed needle."""
    db = sqlite3.connect(":memory:")
    row = db.execute("SELECT ? LIKE '%' || ? || '%'",
                     (search_text(name), search_query(typed))).fetchone()
    return bool(row[0]) and search_query(typed) != ""


def ordered(names: list[str]) -> list[str]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (name TEXT, sort_key TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(n, sort_key(n)) for n in reversed(names)])
    return [n for (n,) in db.execute("SELECT name FROM t ORDER BY sort_key")]


@pytest.mark.parametrize("name,expected", [
    ("书画社", "shuhuashe shs"),
    ("民乐队", "minyuedui myd"),                       # the phrase dictionary: 乐 read yue
    ("民樂隊", "minyuedui myd"),                       # traditional: converted first
    ("长江合唱团", "changjianghechangtuan cjhct"),
    ("長江合唱團", "changjianghechangtuan cjhct"),
    ("重庆市书法协会", "chongqingshishufaxiehui cqssfxh"),
    ("ABC书画社12", "abcshuhuashe12 abcshs12"),
    ("（成都）书画社", "chengdushuhuashe cdshs"),
    ("ＡＢＣ", "abc"), ("Café 社", "cafeshe cafes"), ("", ""), ("★★ · ！", ""),
])
def test_search_text(name, expected):
    """The full spelling and the initials come first; other readings may follow."""
    text = search_text(name)
    assert text == expected or text.startswith(expected + " ")


@pytest.mark.parametrize("name,expected", [
    ("书画社", "shuhuashe shs"), ("民乐队", "minyuedui myd"),
    ("朝阳社区", "zhaoyangshequ zysq chaoyangshequ cysq"),   # 朝 not settled: both readings
    ("曾家", "cengjia cj zengjia zj cengjie cenggu cg"),      # 曾 and 家: up to two others each
])
def test_search_text_with_other_readings(name, expected):
    assert search_text(name) == expected


@pytest.mark.parametrize("name,typed", [
    ("书画社", "shuhua"), ("书画社", "shuhuashe"), ("书画社", "shs"), ("书画社", "hs"),
    ("书画社", "SHUHUA"), ("书画社", "shu hua"), ("书画社", "书画"), ("书画社", "書畫"),
    ("書畫社", "shuhua"), ("民乐队", "minyue"), ("民乐队", "myd"), ("民樂隊", "minyuedui"),
    ("朝阳社区", "chaoyang"), ("朝阳社区", "zhaoyang"), ("朝阳社区", "cysq"), ("朝阳社区", "朝阳"),
    ("阳光 Sunshine 社工站", "sunshine"), ("阳光 Sunshine 社工站", "ygsunshine"),
    ("阳光 Sunshine 社工站", "shegongzhan"), ("第10分队", "10"), ("ＡＢＣ书画社", "abcshs"),
    ("绿洲志愿队", "lvzhou"), ("绿洲志愿队", "lzzyd"), ("Café 社", "cafe"), ("曾家", "zengjia"),
])
def test_typed_text_finds_the_name(name, typed):
    assert finds(name, typed)


@pytest.mark.parametrize("name,typed", [
    ("书画社", "shufa"), ("书画社", "minyue"), ("书画社", "shehs"),   # not across the two parts
    ("民乐队", "minle"), ("书画社", ""), ("书画社", "%"), ("书画社", "_"), ("书画社", "★"),
])
def test_typed_text_that_does_not_find_the_name(name, typed):
    assert not finds(name, typed)


@pytest.mark.parametrize("typed,needle", [
    ("ShuHua", "shuhua"), (" shu hua ", "shuhua"), ("书画", "shuhua"), ("書畫", "shuhua"),
    ("50%_off", "50off"), ("Ｓｈｕ", "shu"), ("lv", "lv"), ("", ""),
])
def test_search_query(typed, needle):
    assert search_query(typed) == needle


def test_search_text_is_bounded():
    name = "朝" * 80                                  # 80 unsettled polyphonic characters
    text = search_text(name)
    window = (2 * ALTERNATIVE_WINDOW + 1) * len("zhao")
    assert len(text) <= 80 * 4 + 80 + ALTERNATIVE_CHARS * ALTERNATIVE_READINGS * (window + 7) + 40
    assert text == text.lower() and "%" not in text and "_" not in text


@pytest.mark.parametrize("names", [
    ["阿", "白", "陈", "张"],
    ["阿", "阿姨", "安", "白"],                        # syllable by syllable, shorter first
    ["妈", "麻", "马", "骂"],                          # same syllable: by tone
    ["张", "章", "张三"],                              # same reading: by the name itself; shorter first
    ["2号楼", "10号楼", "阿"],                          # digits by value, before letters
    ["阿", "ABC", "安", "Apple社", "白"],              # Latin words among the pinyin
    ["★", "阿"],                                       # nothing to spell: first
    ["长江合唱团", "陈家", "重庆书社", "民乐队", "张家"],   # chang < chen < chong, min, zhang
    ["陈家", "陳家"],                                   # same reading, then the name itself
    ["zhang", "张"], ["Zhang", "zhang"],
])
def test_sort_order(names):
    assert ordered(names) == names
    assert sorted(reversed(names), key=sort_key) == names


def test_traditional_names_sort_by_their_reading():
    assert sort_key("陳家").split(" ")[:2] == sort_key("陈家").split(" ")[:2]


@pytest.mark.parametrize("name,key", [
    ("书画社", "shu!hua!she 144 书画社"), ("第2分队", "di!0000000002!fen!dui 4014 第2分队"),
    ("★", "  ★"),
])
def test_sort_key_format(name, key):
    assert sort_key(name) == key


LAZY = """
import json, sys
import incubator.domain.pinyin as p
loaded = ["pypinyin" in sys.modules]
p.sort_key("ABC")
loaded.append("pypinyin" in sys.modules)
p.search_text("书画社")
loaded.append("pypinyin" in sys.modules)
print(json.dumps(loaded))
"""


def test_pypinyin_is_imported_on_first_use_only():
    run = subprocess.run([sys.executable, "-c", LAZY], capture_output=True, text=True,
                         check=True, timeout=60)
    assert json.loads(run.stdout) == [False, False, True]
