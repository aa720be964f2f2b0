"""Fuzzing the three parsers that read bytes from other devices.

- the frame decoder and a live `SyncSession` (random bytes, mutated frames, plausible
  frames with random contents), from `incubator.sync.protocol`;
- the bundle parser (`import_bundle`, `inspect_bundle`) on real bundles mutated by bit
  flips, truncation, splicing, insertion, deletion and overwritten length fields, and on
  well-encrypted, well-signed bundles whose plaintext is fuzzed;
- document loading (`Replica.merge`) with mutated bytes of real Automerge documents.

Only the documented refusals may escape (`ProtocolError`, `BundleError`, `ReplicaError`,
all `DomainError`s); anything else — KeyError, TypeError, struct.error, RecursionError, a
Rust panic — is a bug. A refused input changes nothing, and a length field claiming a
huge size must not be allocated. A hang kills the run with a traceback (faulthandler).

Default example counts keep this file well under a minute; `INCUBATOR_LONG=1` raises them
so that the long run covers more than 100,000 inputs (`INCUBATOR_FUZZ_SCALE=x` multiplies
either). The inputs run are printed at the end with `-s`.
"""

from __future__ import annotations

import faulthandler
import hashlib
import json
import os
import struct
import tracemalloc
import zlib
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incubator.domain.errors import DomainError
from incubator.sync.exchange import Exchange
from incubator.store.commands import ScoreEntry
from incubator.store.replica import ReplicaError
from incubator.sync.bundle import format as bundle_format
from incubator.sync.bundle import export_bundle, import_bundle, inspect_bundle
from incubator.sync.protocol import (
    MAX_FRAME, PROTOCOL_VERSION, Frame, FrameDecoder, ProtocolError, SyncSession,
    encode_frame,
)

from ..sync.helpers import hub_and_member, pump, session


LONG = os.environ.get("INCUBATOR_LONG") == "1"
SCALE = float(os.environ.get("INCUBATOR_FUZZ_SCALE", "1"))
RUN: Counter[str] = Counter()
FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}


def fuzz(examples: int, long: int):
    """`examples` inputs by default, `long` with INCUBATOR_LONG=1 (times INCUBATOR_FUZZ_SCALE)."""
    return settings(max_examples=max(1, int((long if LONG else examples) * SCALE)), deadline=None,
                    database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


@contextmanager
def watchdog(name: str, seconds: int = 60):
    """Count the input, and end the whole run with a traceback if it hangs."""
    RUN[name] += 1
    faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    print(f"\nfuzz inputs run: {sum(RUN.values())} {dict(RUN)}")


# -- mutations ------------------------------------------------------------------------

def mutate(data: bytes, draw, others: list[bytes] = ()) -> bytes:
    """One to four random mutations of `data`."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "overwrite",
                                    "length", "splice"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if how == "flip" and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif how == "truncate":
            del out[at:]
        elif how == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif how == "delete":
            del out[at:at + draw(st.integers(1, 256))]
        elif how == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=32))
            out[at:at + len(chunk)] = chunk
        elif how == "length":
            value = draw(st.sampled_from([0, 1, 2, 0x7FFFFFFF, 0xFFFFFFFF, MAX_FRAME,
                                          MAX_FRAME + 1, len(out), len(out) + 1]))
            out[at:at + 4] = struct.pack(">I", value)
        elif how == "splice" and others:
            other = draw(st.sampled_from(list(others)))
            cut = draw(st.integers(0, len(other)))
            out[at:] = other[cut:]
    return bytes(out)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=4),
    max_leaves=12)
HEX = st.text("0123456789abcdef", min_size=64, max_size=64)


def raw_frame(kind: int, flag: int, body: bytes) -> bytes:
    return struct.pack(">IBB", len(body) + 2, kind, flag) + body


def header_body(text: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(text)) + text + payload


NESTED = st.builds(lambda opener, depth: (opener * depth).encode(),
                   st.sampled_from(["[", '{"a":', "[{\"x\":"]), st.integers(1, 200_000))


# -- the frame decoder ------------------------------------------------------------------

def decode_all(data: bytes, splits: list[int]) -> list:
    decoder = FrameDecoder()
    out, start = [], 0
    for cut in sorted(splits) + [len(data)]:
        out += list(decoder.feed(data[start:cut]))
        start = max(start, cut)
    return out


@fuzz(400, 40_000)
@given(data=st.binary(max_size=4096), splits=st.lists(st.integers(0, 4096), max_size=4))
def test_random_bytes_only_raise_protocol_errors(data, splits):
    with watchdog("decoder: random bytes"):
        try:
            decode_all(data, splits)
        except ProtocolError:
            pass


FRAMES = st.lists(st.tuples(st.sampled_from(list(Frame)), st.dictionaries(st.text(max_size=8),
                                                                          JSON, max_size=5),
                            st.binary(max_size=600)), min_size=1, max_size=4)


@fuzz(400, 40_000)
@given(frames=FRAMES, data=st.data())
def test_mutated_frames_only_raise_protocol_errors(frames, data):
    stream = b"".join(encode_frame(kind, header, payload) for kind, header, payload in frames)
    mutated = mutate(stream, data.draw)
    splits = data.draw(st.lists(st.integers(0, len(mutated)), max_size=3))
    with watchdog("decoder: mutated frames"):
        try:
            decoded = decode_all(mutated, splits)
        except ProtocolError:
            return
    if mutated == stream:
        assert decoded == [(kind, json.loads(json.dumps(header)), payload)
                           for kind, header, payload in frames]


@fuzz(150, 15_000)
@given(kind=st.sampled_from(list(Frame)) | st.integers(0, 255), flag=st.sampled_from([0, 1, 1, 2]),
       text=NESTED | st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()),
       claimed=st.one_of(st.none(), st.integers(0, 2**32 - 1)), payload=st.binary(max_size=64))
def test_handmade_frames_only_raise_protocol_errors(kind, flag, text, claimed, payload):
    body = header_body(text, payload)
    if claimed is not None:
        body = struct.pack(">I", claimed) + body[4:]
    if flag == 1:
        body = zlib.compress(body)
    with watchdog("decoder: handmade frames"):
        try:
            list(FrameDecoder().feed(raw_frame(kind, flag, body)))
        except ProtocolError:
            pass


def test_a_huge_length_claim_is_never_allocated():
    decoder = FrameDecoder()
    tracemalloc.start()
    try:
        frames = list(decoder.feed(struct.pack(">IBB", MAX_FRAME, Frame.DATA, 0) + b"x" * 1024))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert frames == [] and peak < 256 * 1024
    with pytest.raises(ProtocolError, match="out of bounds"):
        list(FrameDecoder().feed(struct.pack(">I", 0xFFFFFFFF)))
    # A header length field claiming 4 GiB inside a small frame is refused, not read.
    with pytest.raises(ProtocolError):
        list(FrameDecoder().feed(raw_frame(Frame.HELLO, 0, struct.pack(">I", 0xFFFFFFFF) + b"{}")))


# -- a live session -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A hub and a field laptop, synced, sharing a few organizations with scores; and
    the real bytes of their documents (snapshots and change chunks)."""
    hub, laptop = hub_and_member(tmp_path_factory.mktemp("fuzz"), role="field")
    hub_id = hub.db.conn.execute("SELECT id FROM hubs").fetchone()[0]
    orgs = [hub.add_org(f"第{n}社区服务社", "culture", hub_id, entered="2024-01-01")
            for n in range(3)]
    pump(session(laptop, hub), session(hub, laptop))
    hub.set_scores([ScoreEntry(org, "2026-10", FULL) for org in orgs])
    laptop.edit_org(orgs[0], {"notes": "走访：王老师接待"})
    pump(session(laptop, hub), session(hub, laptop))
    docs = {}
    for doc_id in hub.replica.doc_ids():
        doc = hub.replica.document(doc_id)
        changes = doc.new_changes([])
        docs[doc_id] = [doc.save(), doc.changes_since([]),
                        doc.changes_since(doc.heads()[:1]) or doc.save()]
        assert changes
    yield hub, laptop, docs
    hub.close()
    laptop.close()


def state(store) -> dict:
    return dict(store.db.conn.execute("SELECT doc_id, heads FROM documents"))


def offers(doc_ids):
    return st.lists(st.tuples(st.sampled_from(doc_ids) | st.from_regex(
        r"\A(network|hub:[a-z0-9]{1,8}|org:[a-z0-9]{1,8}|bogus)\Z"),
        st.lists(HEX, max_size=3)).map(list), max_size=4)


@st.composite
def plausible_frame(draw, docs: dict):
    """A frame of a known type whose header has the right shape and random contents."""
    doc_ids = sorted(docs)
    kind = draw(st.sampled_from(list(Frame)))
    payload = b""
    if kind is Frame.HELLO:
        header = {"v": draw(st.sampled_from([PROTOCOL_VERSION, PROTOCOL_VERSION, 1, 3, "1", True])),
                  "index": draw(st.text(max_size=20)), "known": draw(st.text(max_size=20)),
                  "offer": draw(offers(doc_ids))}
    elif kind in (Frame.OFFER, Frame.REQUEST):
        header = {"offer" if kind is Frame.OFFER else "want": draw(offers(doc_ids))}
    elif kind is Frame.DATA:
        entries = []
        for doc_id in draw(st.lists(st.sampled_from(doc_ids), max_size=3)):
            data = draw(st.sampled_from(docs[doc_id]))
            if draw(st.booleans()):
                data = mutate(data, draw, [d for ds in docs.values() for d in ds])
            entries.append((doc_id, data))
        header = {"docs": [[doc_id, draw(st.integers(0, 1)), len(data), draw(st.lists(HEX, max_size=2))]
                           for doc_id, data in entries], "last": draw(st.booleans())}
        payload = b"".join(data for _doc, data in entries)
        if draw(st.booleans()):
            header["docs"] = draw(JSON)
    elif kind is Frame.ACK:
        header = {"ok": draw(st.dictionaries(st.sampled_from(doc_ids), st.lists(HEX, max_size=2))
                             | JSON), "refused": draw(st.dictionaries(st.text(), JSON) | JSON)}
    else:
        header = {"message": draw(JSON)}
    if draw(st.integers(0, 9)) == 0:
        header = draw(st.dictionaries(st.text(max_size=8), JSON, max_size=5))
    return encode_frame(kind, header, payload)


@fuzz(120, 3_000)
@given(data=st.data())
def test_a_session_fed_random_frames_only_raises_protocol_errors(world, data):
    hub, laptop, docs = world
    frames = data.draw(st.lists(plausible_frame(docs), min_size=1, max_size=5))
    if data.draw(st.booleans()):
        frames = [mutate(b"".join(frames), data.draw, list(frames))]
    side = SyncSession(Exchange(laptop.replica, hub.replica.identity.device_id))
    before = state(laptop)
    with watchdog("session: frames"):
        side.start()
        try:
            for frame in frames:
                list(side.receive(frame))
        except DomainError:
            pass
    # Everything the laptop could be sent, it already holds: nothing new may appear.
    assert state(laptop) == before


# -- bundles ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundles(world, tmp_path_factory):
    """Real bundles hub → laptop (full and incremental) and laptop → hub, already imported
    once (so a mutation that changes nothing re-imports nothing)."""
    hub, laptop, _docs = world
    folder = tmp_path_factory.mktemp("bundles")
    made = []
    for name, sender, recipient, full in (("full", hub, laptop, True), ("inc", hub, laptop, False),
                                          ("back", laptop, hub, True)):
        if not full:
            org = hub.db.conn.execute("SELECT id FROM organizations").fetchone()[0]
            hub.set_scores([ScoreEntry(org, "2026-09", FULL)])
        path = folder / f"{name}.bundle"
        export_bundle(sender.replica, [recipient.replica.identity.device_id], path, full=full)
        import_bundle(recipient.replica, path)
        made.append(path.read_bytes())
    return folder, made


def try_import(store, path: Path, name: str) -> None:
    before = state(store)
    with watchdog(name):
        try:
            import_bundle(store.replica, path)
        except DomainError:
            assert state(store) == before, "a refused bundle changed the replica"
        for replica in (store.replica, None):
            try:
                inspect_bundle(path, replica)
            except DomainError:
                pass


@fuzz(120, 3_000)
@given(data=st.data())
def test_mutated_bundles_are_refused_cleanly(world, bundles, data):
    hub, laptop, _docs = world
    folder, raw = bundles
    original = data.draw(st.sampled_from(raw))
    mutated = mutate(original, data.draw, raw)
    path = folder / "mutated.bundle"
    path.write_bytes(mutated)
    before = state(laptop)
    try_import(laptop, path, "bundle: mutated file")
    if mutated != original:
        assert state(laptop) == before


def seal(hub, laptop, plaintext: bytes, *, compress: bool = True, sign: bool = True) -> bytes:
    """A bundle from the hub to the laptop whose (uncompressed) plaintext is `plaintext`:
    real encryption, a real signature, so the fuzzed contents reach the parser."""
    file_key = os.urandom(32)
    preamble = bundle_format._preamble([laptop.replica.identity.bundle_public_key], file_key,
                                       "2026-11-15T09:30:00+00:00")

    class Sink:
        data = bytearray(preamble)

        def write(self, chunk):
            self.data += chunk

    sink = Sink()
    sealer = bundle_format._Sealer(sink, file_key, hashlib.sha256(preamble).digest())
    sealer.write(zlib.compress(plaintext) if compress else plaintext)
    key = serialization.load_pem_private_key(hub.replica.identity.private_key_pem.encode(), None)
    signature = key.sign(hashlib.sha256(preamble + plaintext).digest())
    sealer.write(signature if sign else os.urandom(64))
    sealer.close()
    return bytes(sink.data)


@st.composite
def plaintexts(draw, hub, laptop, docs):
    """An envelope of the right shape with random contents, and document bytes."""
    doc_ids = sorted(docs)
    entries, blobs = [], []
    for _ in range(draw(st.integers(0, 3))):
        doc_id = draw(st.sampled_from(doc_ids) | st.text(max_size=12)
                      | st.from_regex(r"\A(hub|org|x):[a-z0-9]{1,6}\Z"))
        blob = draw(st.sampled_from(docs.get(doc_id) or docs["network"]))
        if draw(st.booleans()):
            blob = mutate(blob, draw)
        blobs.append(blob)
        entry = [doc_id, draw(st.sampled_from([0, 1, True, "1", None])), len(blob),
                 draw(st.lists(HEX | st.text(max_size=5), max_size=2)),
                 draw(st.lists(HEX, max_size=2)), draw(st.integers(0, 5) | JSON)]
        if draw(st.integers(0, 3)) == 0:
            entry = draw(st.lists(JSON, max_size=7))
        entries.append(entry)
    envelope = {"id": draw(st.text(max_size=70)), "sender": hub.replica.identity.device_id,
                "sender_name": "东湖前台", "recipients": [laptop.replica.identity.device_id],
                "created": "2026-11-15T09:30:00+00:00", "docs": entries,
                "acks": draw(st.lists(JSON, max_size=3))}
    if draw(st.integers(0, 4)) == 0:
        key = draw(st.sampled_from(sorted(envelope)))
        envelope[key] = draw(JSON)
    text = json.dumps(envelope, ensure_ascii=False).encode()
    if draw(st.integers(0, 9)) == 0:
        text = draw(NESTED)
    plain = struct.pack(">I", len(text)) + text + b"".join(blobs)
    if draw(st.integers(0, 3)) == 0:
        plain = mutate(plain, draw)
    return plain


@fuzz(120, 3_000)
@given(data=st.data())
def test_signed_bundles_with_fuzzed_contents_only_raise_refusals(world, bundles, data):
    hub, laptop, docs = world
    folder, _raw = bundles
    plain = data.draw(plaintexts(hub, laptop, docs))
    sealed = seal(hub, laptop, plain, compress=data.draw(st.integers(0, 9)) > 0,
                  sign=data.draw(st.integers(0, 9)) > 0)
    path = folder / "signed.bundle"
    path.write_bytes(sealed)
    try_import(laptop, path, "bundle: signed, fuzzed contents")


def test_a_bundle_claiming_huge_sizes_allocates_only_what_it_holds(world, bundles):
    hub, laptop, _docs = world
    folder, _raw = bundles
    envelope = json.dumps({"id": "x", "sender": hub.replica.identity.device_id,
                           "recipients": [laptop.replica.identity.device_id], "acks": [],
                           "docs": [["org:x", 1, 256 * 1024 * 1024, [], [], 1]]}).encode()
    for plain in (struct.pack(">I", len(envelope)) + envelope + b"abc",
                  struct.pack(">I", 64 * 1024 * 1024) + b"{}"):
        path = folder / "huge.bundle"
        path.write_bytes(seal(hub, laptop, plain))
        tracemalloc.start()
        try:
            with pytest.raises(DomainError):
                import_bundle(laptop.replica, path)
            _now, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 8 * 1024 * 1024


# -- document loading -----------------------------------------------------------------------

class _Rollback(Exception):
    pass


@fuzz(120, 3_000)
@given(data=st.data())
def test_merging_mutated_documents_only_raises_replica_errors(world, data):
    hub, laptop, docs = world
    doc_id = data.draw(st.sampled_from(sorted(docs)))
    source = data.draw(st.sampled_from(docs[doc_id]))
    every = [blob for blobs in docs.values() for blob in blobs]
    mutated = mutate(source, data.draw, every) if data.draw(st.integers(0, 9)) else source
    target = data.draw(st.sampled_from([doc_id, f"org:fuzz{data.draw(st.integers(0, 9))}"]))
    heads = data.draw(st.lists(HEX, max_size=2))
    before = state(laptop)
    with watchdog("merge: mutated documents"):
        try:
            with laptop.replica.transaction():
                laptop.replica.merge(target, mutated, heads)
                raise _Rollback  # keep the replica as it was for the next input
        except (ReplicaError, _Rollback):
            pass
    assert state(laptop) == before


# -- the inputs that found bugs, kept as plain regression tests -------------------------------

def test_a_frame_header_nested_too_deep_is_a_protocol_error():
    text = b"[" * 100_000
    with pytest.raises(ProtocolError, match="not valid JSON"):
        list(FrameDecoder().feed(raw_frame(Frame.HELLO, 0, header_body(text))))


def _envelope(hub, laptop, docs: list) -> bytes:
    return json.dumps({"id": "r", "sender": hub.replica.identity.device_id, "acks": [],
                       "recipients": [laptop.replica.identity.device_id], "docs": docs}).encode()


@pytest.mark.parametrize("entry", [
    ["org:x", 1, 0, [], [], None],           # a change count that is not a number
    ["org:x", 1, 0, [], [], "3"],
    ["bogus:x", 1, 0, [], [], 1],            # a document id of no known kind
    ["org:x\n", 1, 0, [], [], 1],
    ["org:x", 1, 0, [["nested"]], [], 1],    # heads that are not hex digests
])
def test_a_signed_bundle_with_a_malformed_entry_is_refused(world, bundles, entry):
    hub, laptop, _docs = world
    folder, _raw = bundles
    text = _envelope(hub, laptop, [entry])
    path = folder / "entry.bundle"
    path.write_bytes(seal(hub, laptop, struct.pack(">I", len(text)) + text))
    before = state(laptop)
    with pytest.raises(DomainError, match="malformed"):
        import_bundle(laptop.replica, path)
    assert state(laptop) == before


def test_a_bundle_nested_too_deep_is_refused(world, bundles):
    hub, laptop, _docs = world
    folder, _raw = bundles
    path = folder / "deep.bundle"
    deep = b"[" * 60_000
    path.write_bytes(seal(hub, laptop, struct.pack(">I", len(deep)) + deep))
    with pytest.raises(DomainError, match="malformed"):
        import_bundle(laptop.replica, path)
    path.write_bytes(bundle_format.MAGIC + struct.pack(">I", len(deep)) + deep)
    with pytest.raises(DomainError, match="damaged"):
        import_bundle(laptop.replica, path)
    with pytest.raises(DomainError, match="damaged"):
        inspect_bundle(path, None)


def test_an_error_frame_from_the_peer_is_a_protocol_error(world):
    hub, laptop, _docs = world
    side = SyncSession(Exchange(laptop.replica, hub.replica.identity.device_id))
    side.start()
    hello = encode_frame(Frame.HELLO, {"v": PROTOCOL_VERSION, "index": "i", "known": "",
                                       "offer": []})
    with pytest.raises(ProtocolError, match="ended the session: 服务器关闭"):
        list(side.receive(hello + encode_frame(Frame.ERROR, {"message": "服务器关闭"})))
