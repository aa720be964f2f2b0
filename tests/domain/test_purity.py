"""incubator.domain is pure: standard library only, no I/O, no clock."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "incubator" / "domain"
FORBIDDEN = ("sqlite3", "sqlite_utils", "automerge", "textual", "typer", "rich",
             "socket", "ssl", "subprocess", "urllib.request", "http.client")
OPEN_CALL = re.compile(r"\bopen\(")
CLOCK_READ = re.compile(r"\b(?:date|datetime)\.(?:today|now|utcnow)\(|\btime\.(?:time|monotonic)\(")
MODULES = sorted(p.stem for p in DOMAIN.glob("*.py") if p.stem != "__init__")

IMPORT_ALL = """
import importlib, json, sys
names = json.loads(sys.argv[1])
for name in names:
    importlib.import_module(name)
forbidden = json.loads(sys.argv[2])
print(json.dumps(sorted(m for m in sys.modules
                        if any(m == f or m.startswith(f + ".") for f in forbidden))))
"""


def forbidden_after_importing(names: list[str]) -> list[str]:
    """Which forbidden modules a fresh interpreter holds after importing `names`."""
    command = [sys.executable, "-c", IMPORT_ALL, json.dumps(names), json.dumps(FORBIDDEN)]
    run = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(run.stdout)


def test_the_domain_modules_are_all_there():
    assert {"errors", "months", "models", "categories", "settings", "rubric", "warnings",
            "review", "graduation", "waivers", "spaces", "organization", "device"} <= set(MODULES)


def test_importing_every_domain_module_pulls_in_no_io_or_ui():
    assert forbidden_after_importing([f"incubator.domain.{m}" for m in MODULES]) == []


def test_the_import_check_sees_a_forbidden_module():
    assert "sqlite3" in forbidden_after_importing(["incubator.domain.months", "sqlite3"])


@pytest.mark.parametrize("name", MODULES)
def test_no_module_opens_files_or_reads_the_clock(name):
    source = (DOMAIN / f"{name}.py").read_text(encoding="utf-8")
    assert OPEN_CALL.findall(source) == []
    assert CLOCK_READ.findall(source) == []


@pytest.mark.parametrize("line,opens,reads_clock", [
    ("with open(path) as f:", True, False), ("path.open('rb')", True, False),
    ("def is_open(state):", False, False), ("today = date.today()", False, True),
    ("datetime.now(timezone.utc)", False, True), ("time.time()", False, True),
    ("month_of(today)", False, False),
])
def test_the_source_patterns_catch_what_they_should(line, opens, reads_clock):
    assert bool(OPEN_CALL.search(line)) is opens
    assert bool(CLOCK_READ.search(line)) is reads_clock
