"""Demo replicas (the hubs' demo, a small district) built once per session, copied for
every test that needs one."""

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input

from incubator.demo import build_demo, build_district
from incubator.screens.app import IncubatorApp
from incubator.store.home import replica_path

from ..conftest import NOW


def template(factory, name, build) -> Path:
    """A replica built once (by `build(home)`), checkpointed, to copy for each test."""
    home = factory.mktemp(name)
    store = build(home)
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return home


def copied(template_home: Path, tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    home.mkdir()
    shutil.copy(replica_path(template_home), replica_path(home))
    return home


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    return template(tmp_path_factory, "demo-template",
                    lambda home: build_demo(home, orgs=40, months=24, seed=7, clock=lambda: NOW))


@pytest.fixture
def demo_home(demo_template, tmp_path):
    return copied(demo_template, tmp_path, "demo")


@pytest.fixture
def app(demo_home):
    return IncubatorApp(demo_home, clock=lambda: NOW)


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch):
    """The text cursor never blinks in tests: a screenshot must not depend on how long
    the screen took to settle (half a second decides whether the cursor shows)."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(scope="session")
def district_template(tmp_path_factory):
    """A small district (80 organizations, 4 of them in the hubs) built once per session."""
    return template(tmp_path_factory, "district-template",
                    lambda home: build_district(home, orgs=80, months=24, seed=7,
                                                clock=lambda: NOW))


@pytest.fixture
def district_home(district_template, tmp_path):
    return copied(district_template, tmp_path, "district")


@pytest.fixture
def district_app(district_home):
    return IncubatorApp(district_home, clock=lambda: NOW)
