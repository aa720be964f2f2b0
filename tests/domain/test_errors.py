"""Domain messages: an English msgid with parameters, rendered late."""

import pytest

from incubator.domain.errors import DomainError, Text

CATALOG = {"Month {month} is in the future": "月份 {month} 在未来", "stage": "阶段"}


def to_chinese(message):
    return CATALOG.get(message, message)


@pytest.mark.parametrize("text,translate,expected", [
    (Text("Name is empty"), lambda s: s, "Name is empty"),
    (Text("Month {month} is in the future", {"month": "2030-01"}), lambda s: s,
     "Month 2030-01 is in the future"),
    (Text("Month {month} is in the future", {"month": "2030-01"}), to_chinese,
     "月份 2030-01 在未来"),
    (Text("Composite {composite:.1f}", {"composite": 89.95}), lambda s: s, "Composite 90.0"),
    (Text("Unknown {kind}", {"kind": Text("stage")}), to_chinese, "Unknown 阶段"),  # nested Text
])
def test_text_renders_translated_then_formatted(text, translate, expected):
    assert text.render(translate) == expected


def test_domain_error_keeps_its_msgid_and_params():
    error = DomainError("Month {month} is in the future", month="2030-01")
    assert isinstance(error, ValueError)
    assert error.text == Text("Month {month} is in the future", {"month": "2030-01"})
    assert str(error) == "Month 2030-01 is in the future"
    assert error.render(to_chinese) == "月份 2030-01 在未来"
