"""A replica file with a flipped bit: `verify` says what is damaged and what can be recovered.

A real replica (a hub, organizations with a year of scores, interviews, a space) is
written out, then copies of it get one bit flipped in one page each. For every copy:

- `incubator verify` never fails with a traceback: it exits 0 (the bit was in unused
  space) or 2 with one plain line per problem, each saying what is damaged and what to do;
- a damaged chunk is reported with the document it belongs to (the organization's name,
  or the network document);
- when every problem is one `incubator reindex` repairs (query tables, indexes, the
  bookkeeping, the sync records), reindex does, and verify is clean afterwards;
- other commands (`org list`) give a plain message too, never a traceback.

CI flips 20 pages picked at random; `INCUBATOR_LONG=1` flips every page three times
(`INCUBATOR_SEED=S` replays a run).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3

import pytest
from typer.testing import CliRunner

from incubator.cli import app
from incubator.domain.errors import DomainError
from incubator.store import files, queries
from incubator.store.commands import ScoreEntry, Store
from incubator.store.home import replica_path

from ..conftest import NOW

FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}
PAGE = 4096
runner = CliRunner()


@pytest.fixture(scope="module")
def sound_replica(tmp_path_factory) -> bytes:
    home = tmp_path_factory.mktemp("sound")
    store = Store.init(home, "阳光孵化中心", "前台", clock=lambda: NOW)
    orgs = [store.add_org(f"书画社{number}", "culture", "阳光孵化中心", entered="2024-01-01")
            for number in range(6)]
    for number, org in enumerate(orgs):
        store.set_scores([ScoreEntry(org, f"2025-{month:02d}", FULL, f"备注{number}{month}")
                          for month in range(1, 13)])
    low = {key: 1 for key in FULL}
    store.set_scores([ScoreEntry(orgs[0], month, low) for month in ("2026-08", "2026-09",
                                                                     "2026-10")])
    store.record_interview(orgs[0], "2026-11-01")  # for the warning case they opened
    space = store.add_space("阳光孵化中心", "101 室")
    store.assign_space(space, orgs[1], "2026-01-01")
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return replica_path(home).read_bytes()


def invoke(home, *args):
    result = runner.invoke(app, ["--lang", "en", "--home", str(home), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: {result.exception!r}")
    assert "Traceback" not in result.output
    return result


def flips(data: bytes) -> list[tuple[int, int]]:
    """(byte offset, bit) to flip: one used byte in each chosen page."""
    seed = int(os.environ.get("INCUBATOR_SEED") or random.SystemRandom().randrange(10**9))
    print(f"corrupt-file sweep seed={seed}")
    rng = random.Random(seed)
    pages = [page for page in range(len(data) // PAGE)
             if any(data[page * PAGE:(page + 1) * PAGE])]
    chosen = pages * 3 if os.environ.get("INCUBATOR_LONG") else rng.sample(pages, 20)
    found = []
    for page in chosen:
        used = [offset for offset in range(page * PAGE, (page + 1) * PAGE) if data[offset]]
        found.append((rng.choice(used), rng.randrange(8)))
    return found


def damaged_copy(data: bytes, home, offset: int, bit: int | None = None,
                 byte: int | None = None):
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    damaged = bytearray(data)
    damaged[offset] = byte if byte is not None else damaged[offset] ^ (1 << bit)
    replica_path(home).write_bytes(bytes(damaged))


def check_report(home) -> list[str]:
    """verify's report through the CLI: exit 0 and no problems, or exit 2 and one plain
    line per problem (what is damaged: what can be done), the same in JSON."""
    result = invoke(home, "verify")
    report = json.loads(invoke(home, "--json", "verify").stdout)
    if result.exit_code == 0:
        assert report == {"ok": True, "problems": [], "data_quality": []}
        return []
    assert result.exit_code == 2, result.output
    lines = [line[2:] for line in result.stderr.splitlines() if line.startswith("- ")]
    assert lines and lines == report["problems"] and not report["ok"]
    return lines


def problems(home) -> list[str]:
    """What `incubator verify` reports, from the library (the CLI costs 0.4 s a call)."""
    found = [problem.render() for problem in files.verify(home)]
    for line in found:
        what, _sep, remedy = line.partition(": ")
        assert what and remedy, line
    return found


def opens_or_says_why(home) -> None:
    """What every command does first: open the store. On a damaged file it either works
    or raises what the CLI turns into a plain message (never anything else)."""
    try:
        store = Store.open(home, clock=lambda: NOW)
    except (DomainError, sqlite3.DatabaseError):
        return
    try:
        queries.organizations(store.db)
    except sqlite3.DatabaseError:
        pass
    finally:
        store.close()


def test_single_bit_flips_give_a_plain_report_and_reindex_repairs_what_it_says(
        sound_replica, tmp_path):
    outcomes = {"unused": 0, "repaired": 0, "chunk lost": 0, "identity or file lost": 0}
    for number, (offset, bit) in enumerate(flips(sound_replica)):
        home = tmp_path / f"flip{number}"
        damaged_copy(sound_replica, home, offset, bit)
        found = check_report(home) if number < 3 else problems(home)
        opens_or_says_why(home)
        if not found:
            outcomes["unused"] += 1
        elif all("incubator reindex" in line for line in found):
            files.reindex(home)
            assert problems(home) == [], f"flip at {offset} bit {bit}: {found}"
            opens_or_says_why(home)
            outcomes["repaired"] += 1
        elif any(" chunk " in line for line in found):
            named = [line for line in found if " chunk " in line]
            assert all("(org:" in line or "(hub:" in line or "(network)" in line
                       for line in named), named
            outcomes["chunk lost"] += 1
        else:
            assert all("restore a backup" in line for line in found
                       if "incubator reindex" not in line), found
            outcomes["identity or file lost"] += 1
        shutil.rmtree(home)
    print(f"single-bit flips: {outcomes}")
    assert outcomes["repaired"], outcomes


class TestTheIssuesCases:
    def test_text_that_is_not_utf8_in_a_query_table(self, sound_replica, tmp_path):
        """The issue's "Could not decode to UTF-8 column 'items'": a score's items text."""
        offset = sound_replica.index(b'{"activities"')
        damaged_copy(sound_replica, tmp_path / "home", offset + 1, byte=0xFF)
        problems = check_report(tmp_path / "home")
        assert problems == ["Table scores differs from the documents: it holds only what "
                            "the documents say: incubator reindex rebuilds it"]
        invoke(tmp_path / "home", "reindex")
        assert check_report(tmp_path / "home") == []

    def test_a_damaged_chunk_names_its_organization(self, sound_replica, tmp_path):
        store_home = tmp_path / "home"
        damaged_copy(sound_replica, store_home, 0, byte=sound_replica[0])
        conn = sqlite3.connect(replica_path(store_home))
        doc_id, chunk_id, name, data = conn.execute(
            "SELECT c.doc_id, c.id, o.name, c.data FROM chunks c JOIN organizations o "
            "ON o.doc_id = c.doc_id ORDER BY c.id DESC LIMIT 1").fetchone()
        damaged = bytearray(data)
        damaged[len(damaged) // 2] ^= 0x10
        conn.execute("UPDATE chunks SET data = ? WHERE id = ?", (bytes(damaged), chunk_id))
        conn.commit()
        conn.close()
        problems = check_report(store_home)
        assert any(line.startswith(f"{name} ({doc_id}): chunk {chunk_id} is damaged")
                   for line in problems), problems
        assert invoke(store_home, "org", "list").exit_code == 0
