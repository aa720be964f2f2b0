"""The device, member and sync commands, through Typer's CliRunner."""

import asyncio
import contextlib
import json
import threading

import pytest
from incubator.cli import qr_text
from incubator.store.identity import Card, new_identity
from incubator.store.commands import Store
from incubator.sync.transport import SyncServer

from ..sync.helpers import bypass_local_checks
from .test_cli import dump_hash, run, run_json

def at(home, *args, ok=True):
    return run("--home", home, *args, ok=ok)


@pytest.fixture
def hub(isolated_home):
    run("init", "--hub-name", "阳光孵化中心", "--device-name", "前台电脑")
    return isolated_home


@pytest.fixture
def laptop(hub, tmp_path):
    """A field laptop that joined the hub's network and was added by the hub."""
    home = tmp_path / "laptop"
    out = at(home, "init", "--join", run("device", "card", "--address", "127.0.0.1:1").stdout,
             "--device-name", "外勤一号").stdout
    run("member", "add", out.strip().splitlines()[-1], "--role", "field")
    return home


class TestDevice:
    def test_id_and_card_name_the_same_device(self, hub):
        device_id = run("device", "id").stdout.strip()
        card = Card.decode(run("device", "card", "--address", "10.0.0.5:22300").stdout)
        assert card.device_id == device_id and card.address == "10.0.0.5:22300"
        assert card.name == "前台电脑"

    def test_the_qr_code_uses_no_ambiguous_width_glyphs(self, hub):
        out = run("device", "card", "--qr").stdout
        lines = out.splitlines()
        assert set("".join(lines[:-1])) <= {"#", " "} and len(lines) > 20
        assert lines[-1].startswith("INCUBATOR1:")
        assert "\x1b[40m" in qr_text("x", terminal=True)

    def test_a_bad_address_is_refused(self, hub):
        result = run("device", "card", "--address", "host:notaport", ok=False)
        assert result.exit_code == 2 and "不是有效的" in result.stderr


class TestJoin:
    def test_join_prints_a_card_to_give_the_hub(self, hub, tmp_path):
        hub_card = run("device", "card").stdout
        out = at(tmp_path / "new", "init", "--join", hub_card, "--device-name", "外勤二号").stdout
        own = Card.decode(out.strip().splitlines()[-1])
        assert own.name == "外勤二号"
        assert own.device_id == at(tmp_path / "new", "device", "id").stdout.strip()

    def test_a_joined_device_refuses_edits_until_it_has_synced(self, laptop):
        result = at(laptop, "hub", "add", "新中心", ok=False)
        assert result.exit_code == 2 and "还不是网络成员" in result.stderr

    @pytest.mark.parametrize("card", ["hello", "INCUBATOR1:!!!!", "INCUBATOR1:eJwrSS0u"])
    def test_a_damaged_card_is_refused_and_nothing_is_created(self, tmp_path, card):
        result = at(tmp_path / "new", "init", "--join", card, ok=False)
        assert result.exit_code == 2 and "名片" in result.stderr
        assert not (tmp_path / "new").exists()

    def test_init_needs_exactly_one_of_hub_name_and_join(self, isolated_home):
        result = run("--lang", "en", "init", ok=False)
        assert result.exit_code == 2 and "--hub-name" in result.stderr


class TestMembers:
    def test_add_list_and_revoke(self, hub, laptop):
        members = run_json("member", "list")
        assert sorted((m["name"], m["role"]) for m in members) == [
            ("前台电脑", "hub"), ("外勤一号", "field")]
        laptop_id = at(laptop, "device", "id").stdout.strip()
        assert "已撤销" in run("member", "revoke", laptop_id).stdout
        revoked = {m["device_id"]: m["revoked_at"] for m in run_json("member", "list")}
        assert revoked[laptop_id]

    def test_a_mistyped_device_id_is_refused_unchanged(self, hub, laptop):
        laptop_id = at(laptop, "device", "id").stdout.strip()
        typo = laptop_id[:-1] + ("A" if laptop_id[-1] != "A" else "B")
        before = dump_hash(hub)
        result = run("member", "revoke", typo, ok=False)
        assert result.exit_code == 2 and dump_hash(hub) == before

    def test_an_unknown_role_is_refused(self, hub, tmp_path):
        card = run("device", "card").stdout
        out = at(tmp_path / "x", "init", "--join", card).stdout.strip().splitlines()[-1]
        result = run("member", "add", out, "--role", "admin", ok=False)
        assert result.exit_code == 2 and "admin" in result.stderr

    def test_this_devices_own_card_is_refused(self, hub):
        """Adding it would change this hub's own role (to a viewer, say)."""
        before = dump_hash(hub)
        result = run("member", "add", run("device", "card").stdout, "--role", "viewer",
                     ok=False)
        assert result.exit_code == 2 and "本设备自己的名片" in result.stderr
        assert dump_hash(hub) == before


@contextlib.contextmanager
def serving(hub):
    """The hub's replica served on a free 127.0.0.1 port in a thread; yields the port."""
    ready, state = threading.Event(), {}

    def serve():
        async def main():
            store = Store.open(hub)
            server = SyncServer(store.replica)
            state["port"] = (await server.start("127.0.0.1", 0))[1]
            state["stop"] = asyncio.Event()
            state["loop"] = asyncio.get_running_loop()
            ready.set()
            await state["stop"].wait()
            await server.close()
            store.close()
        asyncio.run(main())

    thread = threading.Thread(target=serve)
    thread.start()
    assert ready.wait(30)
    try:
        yield state["port"]
    finally:
        state["loop"].call_soon_threadsafe(state["stop"].set)
        thread.join(10)


class TestSync:
    def test_sync_now_pulls_the_network_and_status_shows_it(self, hub, laptop):
        with serving(hub) as port:
            hub_id = run("device", "id").stdout.strip()
            rows = json.loads(at(laptop, "sync", "now", "--peer", hub_id, "--address",
                                 f"127.0.0.1:{port}", "--json").stdout)
            assert rows[0]["error"] is None and rows[0]["docs_received"] == 2
            status = json.loads(at(laptop, "--json", "sync", "status").stdout)
            assert [(s["name"], s["last_error"]) for s in status] == [("前台电脑", None)]
            assert at(laptop, "hub", "list").exit_code == 0

    def test_an_unreachable_peer_is_reported_and_exits_non_zero(self, hub, laptop):
        hub_id = run("device", "id").stdout.strip()
        result = at(laptop, "sync", "now", "--peer", hub_id, ok=False)
        assert result.exit_code == 1 and "无法连接" in result.stdout

    def test_an_unknown_peer_is_refused(self, hub):
        other = new_identity("陌生设备").device_id
        result = run("sync", "now", "--peer", other, "--address", "127.0.0.1:9", ok=False)
        assert result.exit_code == 1 and "不是本网络的当前成员" in result.stdout

    def test_address_without_peer_is_refused(self, hub):
        result = run("--lang", "en", "sync", "now", "--address", "127.0.0.1:9", ok=False)
        assert result.exit_code == 2 and "--address needs --peer" in result.stderr

    def test_no_peer_at_all_says_what_to_do(self, hub):
        result = run("sync", "now", ok=False)
        assert result.exit_code == 2 and "没有可同步的设备" in result.stderr


class TestBundle:
    def test_export_inspect_and_import_through_the_cli(self, hub, laptop, tmp_path):
        laptop_id = at(laptop, "device", "id").stdout.strip()
        stick = tmp_path / "stick.bundle"
        out = run("bundle", "export", "--for", laptop_id, "--out", stick, "--full").stdout
        assert "stick.bundle" in out and stick.exists()
        shown = json.loads(at(laptop, "bundle", "inspect", stick, "--json").stdout)
        assert shown["sender_name"] == "前台电脑" and shown["readable"]
        summary = json.loads(at(laptop, "bundle", "import", stick, "--json").stdout)
        assert summary["documents"] == 2 and summary["sender_name"] == "前台电脑"
        assert "外勤一号" in at(laptop, "member", "list").stdout

    def test_a_file_that_is_not_a_bundle_is_refused_in_both_languages(self, hub, tmp_path):
        junk = tmp_path / "junk.bundle"
        junk.write_text("hello")
        before = dump_hash(hub)
        zh = run("bundle", "import", junk, ok=False)
        en = run("--lang", "en", "bundle", "import", junk, ok=False)
        assert zh.exit_code == en.exit_code == 2
        assert "不是同步包" in zh.stderr and "not a sync bundle" in en.stderr
        assert dump_hash(hub) == before

    def test_a_missing_file_is_a_plain_error(self, hub, tmp_path):
        result = run("bundle", "import", tmp_path / "nope.bundle", ok=False)
        assert result.exit_code == 2 and "无法读取" in result.stderr

    def test_export_needs_a_recipient_that_is_a_member(self, hub, tmp_path):
        stranger = new_identity("陌生设备").device_id
        result = run("bundle", "export", "--for", stranger, "--out", tmp_path / "b", ok=False)
        assert result.exit_code == 2 and "不是当前成员" in result.stderr


class TestSyncNowShowsRefusals:
    def test_documents_refused_by_the_hub_are_in_the_table_not_ok(self, hub, laptop):
        """A modified laptop client writes a hub document (only hubs may): the hub refuses
        it, and `sync now` says so in its table instead of "ok"."""
        with serving(hub) as port:
            hub_id = run("device", "id").stdout.strip()
            sync = ("sync", "now", "--peer", hub_id, "--address", f"127.0.0.1:{port}")
            at(laptop, *sync)
            forger = Store.open(laptop)
            bypass_local_checks(forger)
            forger.add_space("阳光孵化中心", "假房间")
            forger.close()
            table = at(laptop, *sync).stdout
            assert "1 个文档被拒绝" in table and "成功" not in table, table
            rows = json.loads(at(laptop, *sync, "--json").stdout)
            assert rows[0]["refused"] and "field" in rows[0]["refused"][0]


class TestInspectDamaged:
    def test_a_damaged_bundle_is_called_damaged_not_someone_elses(self, hub, laptop, tmp_path):
        laptop_id = at(laptop, "device", "id").stdout.strip()
        stick = tmp_path / "stick.bundle"
        run("bundle", "export", "--for", laptop_id, "--out", stick, "--full")
        data = stick.read_bytes()
        preamble = data.index(b'"stanzas"') + 400  # past the recipients' wrapped keys
        damaged_copies = {
            "a flipped bit in the contents": (preamble + 40, None),
            "a flipped bit in the middle": (len(data) // 2 + preamble // 2, None),
            "a flipped bit in the signature": (len(data) - 3, None),
            "cut in half": (None, (len(data) + preamble) // 2),
            "the last byte missing": (None, len(data) - 1),
        }
        for label, (flip, cut) in damaged_copies.items():
            copy = bytearray(data[:cut] if cut else data)
            if flip is not None:
                copy[flip] ^= 0x04
            path = tmp_path / "damaged.bundle"
            path.write_bytes(bytes(copy))
            result = at(laptop, "bundle", "inspect", path, ok=False)
            assert result.exit_code == 2, (label, result.output)
            assert "已损坏" in result.stdout and "不是发给本设备" not in result.stdout, (
                label, result.stdout)
            shown = json.loads(at(laptop, "bundle", "inspect", path, "--json", ok=False).stdout)
            assert shown["damaged"], label
        # a sound bundle for someone else is still just "not addressed to this device"
        other = run("bundle", "inspect", stick).stdout
        assert "不是发给本设备" in other and "已损坏" not in other
        assert at(laptop, "bundle", "inspect", stick).exit_code == 0


class TestSyncFolder:
    def test_a_laptop_and_a_hub_sync_through_a_shared_folder(self, hub, laptop, tmp_path):
        box = tmp_path / "shared"
        box.mkdir()
        first = json.loads(at(laptop, "sync", "folder", box, "--json").stdout)
        assert first["written"] == [] and first["imported"] == []  # it only takes part
        out = run("sync", "folder", box).stdout
        assert "外勤一号" in out and "写入" in out
        arrived = json.loads(at(laptop, "sync", "folder", box, "--json").stdout)
        assert arrived["imported"][0]["sender_name"] == "前台电脑"
        assert "外勤一号" in at(laptop, "member", "list").stdout
        assert "已删除" in run("sync", "folder", box).stdout  # the laptop acknowledged it
        assert "没有需要导入或写入的" in run("sync", "folder", box).stdout

    def test_a_folder_that_is_not_there_is_a_plain_error(self, hub, tmp_path):
        before = dump_hash(hub)
        zh = run("sync", "folder", tmp_path / "nope", ok=False)
        en = run("--lang", "en", "sync", "folder", tmp_path / "nope", "--watch", ok=False)
        assert zh.exit_code == en.exit_code == 2
        assert "不是文件夹" in zh.stderr and "is not a folder" in en.stderr
        assert dump_hash(hub) == before


class TestScopes:
    def test_a_laptop_scoped_to_its_village_syncs_counts_and_prunes(self, hub, tmp_path):
        for name, village in (("白沙村书画社", "白沙村"), ("东湖读书会", "东湖村")):
            run("org", "add", "--name", name, "--category", "文化艺术", "--hub", "阳光孵化中心",
                "--area", "rural", "--town", "柳营街道", "--village", village,
                "--entered", "2024-01-01")
        laptop = tmp_path / "laptop"
        card = at(laptop, "init", "--join", run("device", "card").stdout,
                  "--device-name", "外勤一号").stdout.strip().splitlines()[-1]
        bad = run("member", "add", card, "--role", "field", "--scope", "village:白纱村", ok=False)
        assert bad.exit_code == 2 and "没有组织属于" in bad.stderr
        out = run("member", "add", card, "--role", "field", "--scope", "village:白沙村,village:东湖村").stdout
        assert "village:白沙村" in out
        laptop_id = at(laptop, "device", "id").stdout.strip()
        listed = {m["device_id"]: m["scope"] for m in run_json("member", "list")}
        assert listed[laptop_id] == "village:东湖村,village:白沙村"
        with serving(hub) as port:
            hub_id = run("device", "id").stdout.strip()
            sync = ("sync", "now", "--peer", hub_id, "--address", f"127.0.0.1:{port}")
            at(laptop, *sync)
            narrowed = run("member", "scope", laptop_id, "村:白沙村").stdout
            assert "village:白沙村" in narrowed
            at(laptop, *sync)
        count = at(laptop, "--json", "org", "count", "--by", "village")
        assert "部分" in count.stderr and json.loads(count.stdout)  # the note leaves JSON clean
        refused = at(laptop, "score", "set", "东湖读书会", "--month", "2026-10", *(
            f"--item={item}=2" for item in ("plan", "cleanliness", "activities", "archives",
                                            "party")), ok=False)
        assert refused.exit_code == 2 and "超出了" in refused.stderr
        pruned = json.loads(at(laptop, "prune", "--json").stdout)
        assert pruned == {"removed": ["东湖读书会"], "kept": []}
        assert [o["name"] for o in json.loads(at(laptop, "--json", "org", "list").stdout)] == [
            "白沙村书画社"]
        assert run("prune", ok=False).exit_code == 2  # the hub holds the whole network
        assert "整个网络" in run("member", "scope", laptop_id, "all").stdout
