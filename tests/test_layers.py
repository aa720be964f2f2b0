"""The layers, from one table of allowed imports: every module's imports are checked.

`ALLOWED` maps a package or module of `incubator` to what it may import from
`incubator` and from third-party packages; the most specific entry wins. Every
import counts: absolute and relative, at the top, inside functions and under
`TYPE_CHECKING`. The standard library is allowed except where `NO_STDLIB` says.
A second test copies the package, adds forbidden imports and checks they are caught.
"""

from __future__ import annotations

import ast
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "incubator"


@dataclass(frozen=True)
class Rule:
    internal: tuple[str, ...]
    external: tuple[str, ...] = ()


DOMAIN = "incubator.domain"
STORE_API = ("incubator.store.queries", "incubator.store.commands", "incubator.store.home",
             "incubator.store.identity")
ALLOWED: dict[str, Rule] = {
    # pure rules: nothing but each other (and text tools)
    "incubator.domain": Rule((DOMAIN,), ("opencc", "pypinyin")),
    "incubator.i18n": Rule((DOMAIN,)),
    # documents <-> rows: the only layer with SQL; only its wrapper touches Automerge
    "incubator.store": Rule((DOMAIN, "incubator.store"),
                            ("sqlite_utils", "cryptography", "platformdirs")),
    "incubator.store.automerge_doc": Rule((DOMAIN,), ("automerge",)),
    # replicas <-> replicas: through the port, never the replica's tables
    "incubator.sync": Rule((DOMAIN, "incubator.i18n", "incubator.sync", "incubator.store.ports",
                            "incubator.store.identity"), ("cryptography", "zeroconf",
                                                          "watchfiles")),
    # spreadsheets in and out: files parsed and workbooks written, through the store's API
    "incubator.sheets": Rule((DOMAIN, "incubator.i18n", "incubator.present", *STORE_API,
                              "incubator.sheets"), ("openpyxl",)),
    # words shared by the two front ends
    "incubator.present": Rule((DOMAIN, "incubator.i18n", "incubator.present",
                               "incubator.sync.bundle", "incubator.sync.folder"), ("qrcode",)),
    # the front ends: queries, commands and services, never the storage engine
    "incubator.screens": Rule((DOMAIN, "incubator.i18n", "incubator.present", *STORE_API,
                               "incubator.sync.bundle", "incubator.sync.service",
                               "incubator.sync.transport", "incubator.sync.folder",
                               "incubator.screens", "incubator.sheets"),
                              ("textual", "rich", "textual_plotext")),
    "incubator.cli": Rule((DOMAIN, "incubator.i18n", "incubator.present", *STORE_API,
                           "incubator.store.files", "incubator.sync.bundle",
                           "incubator.sync.service", "incubator.sync.transport",
                           "incubator.sync.folder",
                           "incubator.cli", "incubator.demo", "incubator.screens.app",
                           "incubator.sheets"),
                          ("typer", "rich")),
    "incubator.demo": Rule((DOMAIN, "incubator.store.commands", "incubator.store.queries")),
    "incubator": Rule(()),
}
NO_STDLIB = {
    "incubator.domain": ("os", "pathlib", "socket", "ssl", "sqlite3", "subprocess", "asyncio",
                         "threading", "shutil", "tempfile", "io", "time"),
}


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str, package: Path) -> bool:
    base = package.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def imported_modules(path: Path, package: Path = PACKAGE) -> set[str]:
    """Every module one file imports (relative imports resolved; `from pkg import mod`
    counts as importing `pkg.mod`), wherever the import statement stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path, package)
    current = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = current.split(".")[: len(current.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "__future__":
                continue
            submodules = {f"{module}.{alias.name}" for alias in node.names
                          if is_module(f"{module}.{alias.name}", package)}
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(module)
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def rule_for(module: str) -> tuple[str, Rule]:
    key = max((key for key in ALLOWED if _within(module, key)), key=len)
    return key, ALLOWED[key]


def violations(package: Path = PACKAGE) -> list[str]:
    """`module imports name` for every import the table does not allow."""
    found = []
    for path in sorted(package.rglob("*.py")):
        module = module_name(path, package)
        key, rule = rule_for(module)
        banned = NO_STDLIB.get(key, ())
        for name in sorted(imported_modules(path, package)):
            top = name.split(".")[0]
            if top == "incubator":
                ok = any(_within(name, allowed) for allowed in rule.internal)
            elif top in sys.stdlib_module_names:
                ok = top not in banned
            else:
                ok = top in rule.external
            if not ok:
                found.append(f"{module} imports {name}")
    return found


def test_every_import_is_allowed_by_the_table():
    assert violations() == []


def test_the_checker_reads_every_kind_of_import():
    """Guard against a checker that finds nothing."""
    assert "sqlite_utils" in imported_modules(PACKAGE / "store" / "replica.py")
    assert "incubator.domain.months" in imported_modules(PACKAGE / "demo.py")
    assert "incubator.store.commands" in imported_modules(PACKAGE / "screens" / "base.py")  # TYPE_CHECKING
    assert "incubator.sync.discovery" in imported_modules(PACKAGE / "sync" / "service.py")  # in a function
    assert "incubator.store.queries" in imported_modules(PACKAGE / "store" / "commands" / "base.py")


FORBIDDEN = [
    # (file, import added at its end, in a function or a TYPE_CHECKING block, what is reported)
    ("store/queries/organizations.py",
     "def _late():\n    from ...sync import service\n",
     "incubator.store.queries.organizations imports incubator.sync.service"),
    ("screens/warnings/screen.py",
     "if TYPE_CHECKING:\n    from ...store.replica import Replica\n",
     "incubator.screens.warnings.screen imports incubator.store.replica"),
    ("domain/rubric.py",
     "from ..i18n import _\n",
     "incubator.domain.rubric imports incubator.i18n"),
    ("domain/months.py",
     "def _late():\n    import os\n",
     "incubator.domain.months imports os"),
    ("cli/orgs.py",
     "import automerge\n",
     "incubator.cli.orgs imports automerge"),
]


@pytest.mark.parametrize("target,added,reported", FORBIDDEN, ids=[f[0] for f in FORBIDDEN])
def test_the_checker_catches_a_forbidden_import(tmp_path, target, added, reported):
    copy = tmp_path / "incubator"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    path = copy / target
    text = path.read_text(encoding="utf-8")
    if "TYPE_CHECKING" in added and "TYPE_CHECKING" not in text:
        added = "from typing import TYPE_CHECKING\n" + added
    path.write_text(text + "\n\n" + added, encoding="utf-8")
    assert violations(copy) == [reported]


SQL = re.compile(r"\bexecute(many|script)?\(|\bSELECT\b")


def test_no_sql_outside_the_store():
    found = [f"{path.relative_to(PACKAGE)}:{number}"
             for path in sorted(PACKAGE.rglob("*.py")) if not _within(
                 module_name(path, PACKAGE), "incubator.store")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if SQL.search(line)]
    assert found == []


def test_the_sql_scan_sees_sql():
    assert SQL.search('db.execute("SELECT 1")') and SQL.search("conn.executemany(")
    assert not SQL.search("self.query(ScoreRow)")
