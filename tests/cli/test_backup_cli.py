"""backup, restore and device protect through the CLI."""

import sqlite3

from incubator.store.home import replica_path

from .test_cli import dump_hash, run, run_json


def actor(home) -> str:
    conn = sqlite3.connect(replica_path(home))
    try:
        return conn.execute("SELECT value FROM replica_meta WHERE key = 'actor'").fetchone()[0]
    finally:
        conn.close()


class TestBackup:
    def test_backup_then_restore_elsewhere_keeps_the_data_under_a_new_actor(self, store,
                                                                            tmp_path):
        store.close()
        out = run("backup", "--out", tmp_path / "copy.backup").stdout
        assert "copy.backup" in out
        home = tmp_path / "restored"
        run("--home", home, "restore", tmp_path / "copy.backup")
        assert run_json("--home", home, "hub", "list")[0]["name"] == "阳光孵化中心"
        assert actor(home) != actor(tmp_path / "home")
        assert run("--home", home, "verify").exit_code == 0

    def test_restore_refuses_a_file_that_is_not_a_backup(self, store, tmp_path):
        (tmp_path / "junk").write_text("junk")
        result = run("--home", tmp_path / "x", "restore", tmp_path / "junk", ok=False)
        assert result.exit_code == 2 and "不是副本备份" in result.stderr

    def test_restore_will_not_overwrite_by_accident(self, store, tmp_path, isolated_home):
        store.close()
        run("backup", "--out", tmp_path / "b")
        before = dump_hash(isolated_home)
        result = run("restore", tmp_path / "b", ok=False)
        assert result.exit_code == 2 and "--replace" in result.stderr
        assert dump_hash(isolated_home) == before


class TestProtect:
    def test_protect_with_the_passphrase_from_the_environment(self, store, monkeypatch):
        store.close()
        monkeypatch.setenv("INCUBATOR_PASSPHRASE", "村里的笔记本2026")
        assert "密码" in run("device", "protect").stdout
        again = run("device", "protect", ok=False)
        assert again.exit_code == 2 and "已经" in again.stderr
        monkeypatch.delenv("INCUBATOR_PASSPHRASE")
        result = run("bundle", "export", "--for", run("device", "id").stdout.strip(),
                     "--out", "x.bundle", ok=False)
        assert result.exit_code == 2
