"""The sync core over the in-memory port: no SQLite, the same protocol and bookkeeping."""

from hypothesis import given, settings
from hypothesis import strategies as st

from incubator.store.commands import Store
from incubator.sync import exchange
from incubator.sync.exchange import Exchange
from incubator.sync.protocol import SyncSession

from ..conftest import NOW
from .helpers import pump
from .memory_port import MemoryPort

A, B = "A" * 56, "B" * 56


def sessions(left: MemoryPort, right) -> tuple[SyncSession, SyncSession]:
    return (SyncSession(Exchange(left, right.identity.device_id)),
            SyncSession(Exchange(right, left.identity.device_id)))


def trees(port) -> dict:
    return {doc_id: port.document(doc_id).tree() for doc_id in port.document_heads()}


def two_ports() -> tuple[MemoryPort, MemoryPort]:
    left, right = MemoryPort(A), MemoryPort(B)
    for number in range(5):
        left.write(f"org:a{number}", "name", f"左{number}")
    right.write("org:b0", "name", "右")
    return left, right


def test_two_memory_replicas_exchange_everything():
    left, right = two_ports()
    pump(*sessions(left, right))
    assert left.document_heads() == right.document_heads()
    assert trees(left) == trees(right) and len(trees(left)) == 6


def test_concurrent_edits_converge_and_only_changes_travel_the_second_time():
    left, right = two_ports()
    pump(*sessions(left, right))
    left.write("org:a0", "phone", "1")
    right.write("org:a0", "phone", "2")
    a, b = sessions(left, right)
    pump(a, b)
    assert left.document_heads() == right.document_heads()
    assert left.docs["org:a0"].tree() == right.docs["org:a0"].tree()
    assert a.docs_sent == 1 and b.docs_sent == 1


def test_an_idle_reconnect_offers_nothing():
    left, right = two_ports()
    pump(*sessions(left, right))
    figures = pump(*sessions(left, right))
    assert figures["round_trips"] == 1


@settings(max_examples=25, deadline=None)
@given(cut=st.integers(min_value=1, max_value=4000))
def test_a_cut_at_any_byte_then_a_full_session_converges(cut):
    left, right = two_ports()
    pump(*sessions(left, right), cut_after=cut)
    pump(*sessions(left, right))
    assert left.document_heads() == right.document_heads()


def test_a_memory_replica_pulls_a_real_replica(tmp_path):
    hub = Store.init(tmp_path / "hub", "东湖孵化园", "东湖前台", clock=lambda: NOW)
    hub.add_org("东湖村书画社", "culture", "东湖孵化园", entered="2024-01-01")
    memory = MemoryPort(A)
    pump(SyncSession(Exchange(memory, hub.identity.device_id)),
         SyncSession(Exchange(hub.port, memory.identity.device_id)))
    assert memory.document_heads() == hub.replica.document_heads()
    org = next(doc for doc in memory.document_heads() if doc.startswith("org:"))
    assert memory.document(org).tree()["profile"]["name"] == "东湖村书画社"
    hub.close()


def test_each_data_batch_goes_out_before_the_next_is_read(monkeypatch):
    """A server made every batch of a first clone before it sent the first one: the peer
    waited for all of them, then merged them. Now it merges one while the next is read."""
    monkeypatch.setattr(exchange, "DATA_BATCH_BYTES", 1)  # a batch per document
    left, right = two_ports()
    read: list[str] = []
    stored_snapshot = left.stored_snapshot
    monkeypatch.setattr(left, "stored_snapshot",
                        lambda doc_id: read.append(doc_id) or stored_snapshot(doc_id))
    a, b = sessions(left, right)
    read_when_sent: list[int] = []
    receive = a.receive

    def sending(data: bytes):
        for frame in receive(data):
            read_when_sent.append(len(read))
            yield frame

    monkeypatch.setattr(a, "receive", sending)
    pump(a, b)
    assert trees(left) == trees(right)
    sent = iter(read_when_sent)  # the five batches went out one document read apart
    assert all(count in sent for count in (1, 2, 3, 4, 5)), read_when_sent


def test_no_data_batch_grows_past_the_limit_but_a_larger_document_goes_alone(monkeypatch):
    """A batch was cut only once it reached the limit, so a large document after a nearly
    full batch could make a frame over `MAX_FRAME`, refused every time: that document
    never synced. Now a batch stops before it would grow past the limit."""
    left, _right = two_ports()
    left.write("org:big", "notes", "大" * 3000)  # one document larger than the limit
    wanted = [(doc_id, []) for doc_id in sorted(left.document_heads())]
    sizes = {doc_id: len(left.document(doc_id).save()) for doc_id, _ in wanted}
    limit = sizes["org:big"] - 1
    monkeypatch.setattr(exchange, "DATA_BATCH_BYTES", limit)
    batches = list(Exchange(left, B).data_for(wanted))
    assert [item.doc_id for batch, _last in batches for item in batch] == [
        doc_id for doc_id, _ in wanted]
    for batch, _last in batches:
        assert len(batch) == 1 or sum(len(item.data) for item in batch) <= limit
    assert [batch for batch, _last in batches if len(batch) == 1 and
            batch[0].doc_id == "org:big"]
    assert [last for _batch, last in batches] == [False] * (len(batches) - 1) + [True]
