"""Shared fixtures: a temporary replica home and a frozen clock."""

from datetime import datetime, timezone

import pytest

from incubator.store.commands import Store

NOW = datetime(2026, 11, 15, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test gets its own INCUBATOR_HOME, a frozen clock and Chinese by default."""
    home = tmp_path / "home"
    monkeypatch.setenv("INCUBATOR_HOME", str(home))
    monkeypatch.setenv("INCUBATOR_NOW", NOW.isoformat())
    monkeypatch.delenv("INCUBATOR_LANG", raising=False)
    return home


@pytest.fixture
def store(isolated_home):
    """A fresh network with one hub named 阳光孵化中心."""
    opened = Store.init(isolated_home, "阳光孵化中心", "前台电脑", "charity", clock=lambda: NOW)
    yield opened
    opened.close()
