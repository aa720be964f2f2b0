"""Shared fixtures: a temporary replica home and a frozen clock; one seed per run."""

import functools
import os
import random
import shutil
import tempfile
import time
from datetime import datetime, timezone

import pytest
import typer.testing

from incubator.i18n import set_language
from incubator.store.commands import Store

NOW = datetime(2026, 11, 15, 9, 30, tzinfo=timezone.utc)

# Typer's CliRunner turns the Typer app into a Click command on every `invoke` (evaluating
# every command's annotations: ~0.1 s, most of an in-process command's time). The app is
# the same for the whole run, and a Click command keeps no state between invocations, so
# each app is converted once.
typer.testing._get_command = functools.cache(typer.testing._get_command)


def built_home(factory, name: str, build):
    """A home made once by `build()` (the commands a person types, on this suite's clock,
    in Chinese) for a module's tests to copy: (the home, what `build` returned)."""
    home = factory.mktemp(name) / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INCUBATOR_HOME", str(home))
        patch.setenv("INCUBATOR_NOW", NOW.isoformat())
        patch.delenv("INCUBATOR_LANG", raising=False)
        made = build()
    return home, made


def copy_home(template: tuple, home) -> dict:
    """A copy of a `built_home` in this test's home; what its build returned."""
    shutil.copytree(template[0], home)
    return template[1]


def pytest_configure(config):
    """One random seed for the whole run (`INCUBATOR_SEED` replays it), chosen before any
    test module is imported: the parallel workers inherit it, so they collect the same
    randomly drawn cases."""
    if not hasattr(config, "workerinput"):
        os.environ.setdefault("INCUBATOR_SEED", str(random.SystemRandom().randrange(10**9)))
        keep_bytecode_outside_the_tree()


def keep_bytecode_outside_the_tree() -> None:
    """When the environment turns Python's bytecode cache off (PYTHONDONTWRITEBYTECODE),
    the workers and every `incubator` process a test starts (hundreds) would compile the
    whole package again, 0.3 s of CPU each: they share a cache in the temporary folder
    instead, which keeps the source tree as clean as the setting asks. Inherited, like
    the seed."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    cache = os.path.join(tempfile.gettempdir(), f"incubator-tests-bytecode-{os.getuid()}")
    os.makedirs(cache, mode=0o700, exist_ok=True)
    if os.stat(cache).st_uid != os.getuid():  # someone else's folder: compile as before
        return
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    os.environ["PYTHONPYCACHEPREFIX"] = cache


def pytest_report_header(config):
    return f"INCUBATOR_SEED={os.environ['INCUBATOR_SEED']}"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test gets its own INCUBATOR_HOME, a frozen clock and Chinese by default."""
    home = tmp_path / "home"
    monkeypatch.setenv("INCUBATOR_HOME", str(home))
    monkeypatch.setenv("INCUBATOR_NOW", NOW.isoformat())
    monkeypatch.delenv("INCUBATOR_LANG", raising=False)
    set_language("zh")  # a test before it in this worker may have switched to English
    return home


@pytest.fixture
def store(isolated_home):
    """A fresh network with one hub named 阳光孵化中心."""
    opened = Store.init(isolated_home, "阳光孵化中心", "前台电脑", "charity", clock=lambda: NOW)
    yield opened
    opened.close()


@pytest.fixture
def shanghai_time(monkeypatch):
    """Local times in China Standard Time whatever the machine's zone (09:30 UTC is
    17:30 there), so that snapshots do not depend on where the tests run."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
