"""A demo replica built once per session, copied for every test that needs one."""

import shutil

import pytest
from textual.widgets import Input

from incubator.demo import build_demo
from incubator.screens.app import IncubatorApp
from incubator.store.home import replica_path

from ..conftest import NOW


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo-template")
    store = build_demo(home, orgs=40, months=24, seed=7, clock=lambda: NOW)
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return home


@pytest.fixture
def demo_home(demo_template, tmp_path):
    home = tmp_path / "demo"
    home.mkdir()
    shutil.copy(replica_path(demo_template), replica_path(home))
    return home


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
    """A small district (80 organizations, 3 of them residents) built once per session."""
    from incubator.demo import build_district

    home = tmp_path_factory.mktemp("district-template")
    store = build_district(home, orgs=80, months=24, seed=7, clock=lambda: NOW)
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return home


@pytest.fixture
def district_home(district_template, tmp_path):
    home = tmp_path / "district"
    home.mkdir()
    shutil.copy(replica_path(district_template), replica_path(home))
    return home


@pytest.fixture
def district_app(district_home):
    return IncubatorApp(district_home, clock=lambda: NOW)
