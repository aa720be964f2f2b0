"""The layers: domain is pure, only the store's wrapper touches Automerge, the UI reads SQL."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "incubator"


def imported_modules(path: Path) -> set[str]:
    """Absolute module names imported by one file (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def files_under(*parts: str) -> list[Path]:
    return sorted(PACKAGE.joinpath(*parts).rglob("*.py"))


def imports_any(path: Path, prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in imported_modules(path)
                  if any(m == p or m.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize("path", files_under("domain"), ids=lambda p: p.name)
def test_the_domain_imports_no_io_and_no_ui(path):
    forbidden = ("sqlite3", "sqlite_utils", "automerge", "textual", "typer", "rich",
                 "incubator.store", "incubator.sync", "incubator.screens", "incubator.cli",
                 "socket", "ssl", "os", "pathlib")
    assert imports_any(path, forbidden) == []


def test_only_the_wrapper_imports_automerge():
    users = [p.relative_to(PACKAGE).as_posix() for p in files_under()
             if imports_any(p, ("automerge",))]
    assert users == ["store/automerge_doc.py"]


@pytest.mark.parametrize("path", [*files_under("screens"), PACKAGE / "cli.py"],
                         ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_the_ui_never_touches_documents(path):
    assert imports_any(path, ("automerge", "incubator.store.automerge_doc",
                              "incubator.store.replica.AutomergeDoc")) == []


@pytest.mark.parametrize("path", [*files_under("domain"), *files_under("store"),
                                  *files_under("sync")], ids=lambda p: p.name)
def test_core_layers_never_import_the_ui(path):
    assert imports_any(path, ("textual", "incubator.screens", "incubator.cli", "typer")) == []


def test_the_checker_sees_imports():
    """Guard against a checker that finds nothing: the store does import sqlite_utils."""
    assert imports_any(PACKAGE / "store" / "replica.py", ("sqlite_utils",)) == ["sqlite_utils"]
    assert "incubator.domain.months" in imported_modules(PACKAGE / "demo.py")
