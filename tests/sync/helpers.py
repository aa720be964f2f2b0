"""Two replicas of one network, and an in-memory pump between two sync sessions."""

from __future__ import annotations

from incubator.store import queries
from incubator.sync.exchange import Exchange
from incubator.store.identity import Card
from incubator.store.commands import Store
from incubator.sync.protocol import SyncSession

from ..conftest import NOW


def hub_and_member(tmp_path, role: str = "hub", name: str = "外勤笔记本") -> tuple[Store, Store]:
    """A founding hub, and a joined device it has added with `role`."""
    hub = Store.init(tmp_path / "hub", "东湖孵化园", "东湖前台", clock=lambda: NOW)
    member = Store.join(tmp_path / name, Card.of(hub.replica.identity), name, clock=lambda: NOW)
    hub.add_member(Card.of(member.replica.identity), role)
    return hub, member


def bypass_local_checks(store: Store) -> None:
    """A modified client: it skips the checks that keep a device within its role, so it
    can write what its peers must refuse on receipt."""
    store.replica._check_own_role = lambda doc_id: None
    store.replica._check_own_change = lambda doc_id, doc, before: None


def session(store: Store, peer: Store) -> SyncSession:
    return SyncSession(Exchange(store.replica, peer.replica.identity.device_id))


def pump(a: SyncSession, b: SyncSession, *, cut_after: int | None = None) -> dict:
    """Run a session in memory; `cut_after` drops the link after that many bytes.
    Returns bytes each way and round trips (a flight a → b answered by b counts one)."""
    sent = {"a": 0, "b": 0, "round_trips": 0}
    to_b, to_a = [a.start()], [b.start()]
    budget = cut_after
    while to_b or to_a:
        for chunk in to_b:
            sent["a"] += len(chunk)
        replies = []
        for chunk in to_b:
            if budget is not None:
                chunk, budget = chunk[:budget], budget - len(chunk[:budget])
            replies += list(b.receive(chunk))
            if budget == 0:
                return sent
        sent["round_trips"] += bool(to_b and (to_a or replies))
        to_b = []
        for chunk in to_a + replies:
            sent["b"] += len(chunk)
            if budget is not None:
                chunk, budget = chunk[:budget], budget - len(chunk[:budget])
            to_b += list(a.receive(chunk))
            if budget == 0:
                return sent
        to_a = []
    assert a.done and b.done, "the session stalled before both sides were done"
    return sent


def tables(store: Store) -> dict:
    return store.replica.dump_query_tables()


def org_names(store: Store) -> list[str]:
    return sorted(row["name"] for row in queries.organizations(store.db))
