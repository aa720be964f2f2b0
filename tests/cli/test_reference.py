"""docs/cli.md is the CLI reference generated from the Typer app: it must be current."""

from pathlib import Path

from incubator.cli.reference import markdown

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_the_cli_reference_is_up_to_date():
    assert REFERENCE.read_text(encoding="utf-8") == markdown(), (
        "docs/cli.md is stale: run .venv/bin/python -m incubator.cli.reference > docs/cli.md")


def test_the_reference_names_every_command_and_option():
    text = markdown()
    for expected in ("### `incubator init`", "`incubator org add`", "`--approved-by` (required)",
                     "`incubator bundle import`", "`--item` (required, repeatable)"):
        assert expected in text
