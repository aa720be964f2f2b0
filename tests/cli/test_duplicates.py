"""Names and score items given twice, however they are typed, are refused (exit 2, nothing
changed): organizations within a hub, hubs, spaces within a hub; `--item` twice."""

import sqlite3

import pytest

from incubator.store.home import replica_path

from .test_cli import FULL, dump_hash, run, run_json

LOOK_ALIKES = [
    "书画社\u200b",      # a zero-width space after the name
    "\u200f书画社",      # a right-to-left mark before it
    "書畫社",            # the same name in traditional characters
    " 书画  社 ",        # blanks
]


@pytest.fixture
def hub_with_names(isolated_home):
    run("init", "--hub-name", "阳光孵化中心", "--device-name", "前台电脑")
    for name in ("书画社", "ABC社"):
        run("org", "add", "--name", name, "--category", "culture", "--hub", "阳光孵化中心",
            "--entered", "2024-01-01")
    run("space", "add", "阳光孵化中心", "101 室")
    return isolated_home


def refused(home, *args, says: str):
    before = dump_hash(home)
    result = run(*args, ok=False)
    assert result.exit_code == 2, result.output
    assert says in result.stderr and "Traceback" not in result.output
    assert dump_hash(home) == before
    return result


class TestOrganizationNames:
    @pytest.mark.parametrize("name", LOOK_ALIKES)
    def test_a_look_alike_of_an_existing_name_is_refused(self, hub_with_names, name):
        refused(hub_with_names, "org", "add", "--name", name, "--category", "culture",
                "--hub", "阳光孵化中心", says="书画社")

    def test_full_width_letters_and_another_case_are_the_same_name(self, hub_with_names):
        for name in ("ＡＢＣ社", "abc社"):
            result = refused(hub_with_names, "org", "add", "--name", name, "--category",
                             "culture", "--hub", "阳光孵化中心", says="ABC社")
            assert "同一个名称" in result.stderr

    def test_a_name_of_invisible_characters_only_is_refused(self, hub_with_names):
        refused(hub_with_names, "org", "add", "--name", "\u200f\u200f", "--category", "culture",
                "--hub", "阳光孵化中心", says="没有可见字符")

    def test_renaming_or_moving_onto_a_look_alike_is_refused(self, hub_with_names):
        other = run("org", "add", "--name", "合唱团", "--category", "culture", "--hub",
                    "阳光孵化中心").stdout.strip()
        refused(hub_with_names, "org", "edit", other, "--name", "書畫社", says="书画社")
        run("hub", "add", "东湖孵化园")
        moved = run("org", "add", "--name", "書畫社", "--category", "culture", "--hub",
                    "东湖孵化园").stdout.strip()
        refused(hub_with_names, "org", "edit", moved, "--hub", "阳光孵化中心", says="书画社")

    def test_the_same_name_in_another_hub_is_fine(self, hub_with_names):
        run("hub", "add", "东湖孵化园")
        run("org", "add", "--name", "書畫社", "--category", "culture", "--hub", "东湖孵化园")
        names = {(o["hub"], o["name"]) for o in run_json("org", "list")}
        assert ("东湖孵化园", "書畫社") in names

    def test_the_key_is_in_the_query_table(self, hub_with_names):
        conn = sqlite3.connect(replica_path(hub_with_names))
        keys = dict(conn.execute("SELECT name, name_key FROM organizations"))
        conn.close()
        assert keys == {"书画社": "书画社", "ABC社": "abc社"}


class TestHubAndSpaceNames:
    def test_a_look_alike_hub_name_is_refused(self, hub_with_names):
        refused(hub_with_names, "hub", "add", "陽光孵化中心", says="阳光孵化中心")
        refused(hub_with_names, "hub", "add", "阳光孵化中心\u200d", says="阳光孵化中心")

    def test_a_look_alike_space_name_is_refused(self, hub_with_names):
        refused(hub_with_names, "space", "add", "阳光孵化中心", "101\u3000室", says="101 室")
        refused(hub_with_names, "space", "add", "阳光孵化中心", "１０１ 室", says="101 室")
        refused(hub_with_names, "space", "add", "阳光孵化中心", "\u200b", says="没有可见字符")


class TestScoreItemsGivenTwice:
    @pytest.mark.parametrize("items", [
        ["--item", "plan=2", "--item", "plan=1"],
        ["--item", "工作计划=2", "--item", "plan=1"],
        ["--item", " plan =2", "--item", "plan=1"],
    ], ids=["key twice", "label and key", "with blanks"])
    def test_an_item_given_twice_is_refused(self, hub_with_names, items):
        rest = FULL[2:]  # every item but plan
        refused(hub_with_names, "score", "set", "书画社", "--month", "2026-10", *items, *rest,
                says="重复")
