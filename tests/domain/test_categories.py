"""Organization categories: keys, Chinese and English labels."""

import pytest

from incubator.domain.categories import CATEGORIES, category_label, resolve_category
from incubator.domain.errors import DomainError

REQUIRED = {
    "charity": "公益慈善", "culture": "文化艺术", "community-service": "社区服务",
    "volunteer": "志愿服务", "elderly": "为老服务", "disability": "助残服务",
    "youth": "青少年服务", "mutual-aid": "邻里互助", "governance": "社区治理",
    "legal-aid": "法律援助", "other": "其他",
}


@pytest.mark.parametrize("key,zh", REQUIRED.items())
def test_the_reports_categories_are_there(key, zh):
    assert category_label(key, "zh") == zh
    assert resolve_category(zh) == key
    assert resolve_category(key) == key
    assert resolve_category(category_label(key, "en").upper()) == key


def test_categories_are_ordered_with_other_last():
    assert list(CATEGORIES)[0] == "charity" and list(CATEGORIES)[-1] == "other"


@pytest.mark.parametrize("text,key", [
    ("文化艺术", "culture"), (" culture ", "culture"), ("Legal aid", "legal-aid"),
    ("LEGAL-AID", "legal-aid"),
])
def test_resolve_category(text, key):
    assert resolve_category(text) == key


@pytest.mark.parametrize("text", ["魔法", "", None, 7, "cult"])
def test_resolve_category_refuses(text):
    with pytest.raises(DomainError) as caught:
        resolve_category(text)
    assert caught.value.text.message == "Unknown category: {value}"


def test_a_category_from_a_newer_version_shows_its_key():
    assert category_label("time-bank", "zh") == "time-bank"
