"""The sync protocol, sans I/O: bytes in, bytes out, no sockets, no clocks.

Frames: a 4-byte big-endian length (capped at `MAX_FRAME`), a type byte, a
compression byte (0 plain, 1 zlib), then a 4-byte JSON length, the JSON header
and any binary payload (document bytes). Anything else ends the session with a
`ProtocolError` and changes nothing.

A session, the same on both sides after TLS:

1. HELLO: protocol version, my index ID, the index ID I have recorded for you,
   and my offer: each document changed since you last had everything, with its
   heads. Two empty offers end an idle reconnect after one round trip.
2. OFFER: a full offer, sent only when the peer turns out to be new or restored.
3. REQUEST: for each offered document I lack something of, the heads I hold.
4. DATA: a compressed snapshot of a document the peer lacks, else the changes
   after its heads; in batches, the last one marked.
5. ACK: the heads now held per document, and the documents refused (with why).

ERROR ends a session on a fault; BUSY ends it because this side cannot write now
(another program holds its replica's write lock, or a server is already receiving as
much as it may buffer, or this device has too many sessions open with it): the peer
tries again later, with backoff. Either may come at any point, even before HELLO.

Every DATA frame is merged in one SQLite transaction and acknowledged; a cut
connection leaves both replicas valid and the next session skips what arrived.

Version 2 (this one) added BUSY and the rule that changes are judged by the membership
their author held (`store.authorship`): a version-1 peer is refused with a plain message.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections import deque
from collections.abc import Iterator
from enum import IntEnum
from typing import Any

from ..domain.docids import is_doc_id, is_head
from ..domain.errors import DomainError
from .exchange import DocData, Exchange, Offer

PROTOCOL_VERSION = 2
MAX_FRAME = 32 * 1024 * 1024
COMPRESS_FROM = 200


class ProtocolError(DomainError):
    """A frame that is malformed, unknown, oversized or out of turn."""


class PeerBusy(ProtocolError):
    """The peer cannot take this session now (its BUSY frame): try again later."""


class Frame(IntEnum):
    HELLO = 1
    OFFER = 2
    REQUEST = 3
    DATA = 4
    ACK = 5
    ERROR = 6
    BUSY = 7


def encode_frame(kind: Frame, header: dict[str, Any], payload: bytes = b"") -> bytes:
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    body = struct.pack(">I", len(text)) + text + payload
    compressed = len(body) >= COMPRESS_FROM
    if compressed:
        body = zlib.compress(body, 6)
    if len(body) + 2 > MAX_FRAME:
        raise ProtocolError("A frame of {size} bytes exceeds the limit", size=len(body))
    return struct.pack(">IBB", len(body) + 2, kind, int(compressed)) + body


class FrameDecoder:
    """Splits a byte stream into (type, header, payload); never holds more than one
    frame's worth of bytes beyond what it was given."""

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()

    def pending(self) -> int:
        """The declared size of a frame begun but not complete yet (0 when none): what
        the buffer will grow to before that frame can be decoded."""
        if len(self._buffer) < 4:
            return 0
        (length,) = struct.unpack_from(">I", self._buffer)
        return 4 + length if len(self._buffer) < 4 + length else 0

    def feed(self, data: bytes) -> Iterator[tuple[Frame, dict[str, Any], memoryview]]:
        self._buffer += data
        while len(self._buffer) >= 4:
            (length,) = struct.unpack_from(">I", self._buffer)
            if length < 2 or length > self.max_frame:
                raise ProtocolError("Frame length {length} is out of bounds", length=length)
            if len(self._buffer) < 4 + length:
                return
            if len(self._buffer) == 4 + length:  # the whole buffer: decode it in place
                frame, self._buffer = memoryview(self._buffer)[4:], bytearray()
            else:
                with memoryview(self._buffer) as view:
                    frame = memoryview(bytes(view[4:4 + length]))
                del self._buffer[:4 + length]
            yield self._decode(frame)

    def _decode(self, frame: memoryview) -> tuple[Frame, dict[str, Any], memoryview]:
        """The frame's parts; the payload is a view into it (no copy of a large frame)."""
        kind_byte, flag, body = frame[0], frame[1], frame[2:]
        try:
            kind = Frame(kind_byte)
        except ValueError:
            raise ProtocolError("Unknown frame type {kind}", kind=kind_byte) from None
        if flag == 1:
            inflater = zlib.decompressobj()
            try:
                body = memoryview(inflater.decompress(body, self.max_frame))
            except zlib.error as exc:
                raise ProtocolError("A compressed frame is damaged") from exc
            if inflater.unconsumed_tail or not inflater.eof:
                raise ProtocolError("A compressed frame is damaged or too large")
        elif flag != 0:
            raise ProtocolError("Unknown frame encoding {flag}", flag=flag)
        if len(body) < 4:
            raise ProtocolError("A frame is truncated")
        (size,) = struct.unpack_from(">I", body)
        try:
            header = json.loads(bytes(body[4:4 + size]))
        except (ValueError, RecursionError) as exc:  # RecursionError: nesting too deep
            raise ProtocolError("A frame header is not valid JSON") from exc
        if len(body) < 4 + size or not isinstance(header, dict):
            raise ProtocolError("A frame header is malformed")
        return kind, header, body[4 + size:]


def _offer(value: Any) -> Offer:
    """A list of [doc id, [heads]] from the wire, checked."""
    if not isinstance(value, list):
        raise ProtocolError("A document list is malformed")
    out = []
    for entry in value:
        if (not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[0], str)
                or not is_doc_id(entry[0]) or not isinstance(entry[1], list)
                or not all(is_head(h) for h in entry[1])):
            raise ProtocolError("A document list is malformed")
        out.append((entry[0], list(entry[1])))
    return out


def _text(header: dict, key: str, limit: int = 64) -> str:
    value = header.get(key, "")
    if not isinstance(value, str) or len(value) > limit:
        raise ProtocolError("A frame header is malformed")
    return value


class SyncSession:
    """One side of a session. Feed it what arrives (`receive`), send what it returns."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.decoder = FrameDecoder()
        self.got_hello = False
        self.peer_offers_due = 0      # offers the peer will still send
        self.data_due = 0             # my non-empty REQUESTs not yet fully answered
        self.acks_due = 0             # my DATA frames not yet acknowledged
        self.complete = True          # every document I sent was accepted
        self.finished = False
        self.offers: deque[dict[str, list[str]]] = deque()  # awaiting their REQUEST
        self.docs_sent = 0
        self.docs_received = 0
        self.refused: list[str] = []

    @property
    def done(self) -> bool:
        return (self.got_hello and not self.peer_offers_due and not self.offers
                and not self.data_due and not self.acks_due)

    def start(self) -> bytes:
        offer = self.exchange.offer()
        self._offered(offer)
        return encode_frame(Frame.HELLO, {
            "v": PROTOCOL_VERSION, "index": self.exchange.index_id,
            "known": self.exchange.known_peer_index(), "offer": offer})

    def _offered(self, offer: Offer, *, answered_if_empty: bool = False) -> None:
        if offer or answered_if_empty:
            self.offers.append(dict(offer))

    def receive(self, data: bytes) -> Iterator[bytes]:
        """Frames to send in answer to `data` (lazily: DATA is built batch by batch)."""
        for kind, header, payload in self.decoder.feed(data):
            if kind not in (Frame.HELLO, Frame.ERROR, Frame.BUSY) and not self.got_hello:
                raise ProtocolError("The peer did not start with a greeting")
            yield from getattr(self, f"_on_{kind.name.lower()}")(header, payload)
        if self.done and self.complete and not self.finished:
            self.finished = True
            self.exchange.finish()

    def _on_hello(self, header: dict, _payload: bytes) -> Iterator[bytes]:
        if self.got_hello:
            raise ProtocolError("The peer greeted twice")
        version = header.get("v")
        if version != PROTOCOL_VERSION:
            if isinstance(version, int) and version < PROTOCOL_VERSION:
                raise ProtocolError("The other device runs an older version of incubator (sync "
                                    "protocol {version}, this one {ours}): update it to sync",
                                    version=version, ours=PROTOCOL_VERSION)
            raise ProtocolError("The other device runs a newer version of incubator (sync "
                                "protocol {version}, this one {ours}): update this one to sync",
                                version=str(version)[:10], ours=PROTOCOL_VERSION)
        self.got_hello = True
        index, known = _text(header, "index"), _text(header, "known")
        offer = _offer(header.get("offer"))
        if known and known != self.exchange.index_id:
            self.peer_offers_due += 1
        if self.exchange.observe_peer_index(index):
            full = self.exchange.offer()
            self._offered(full, answered_if_empty=True)
            yield encode_frame(Frame.OFFER, {"offer": full})
        yield from self._answer_offer(offer)

    def _on_offer(self, header: dict, _payload: bytes) -> Iterator[bytes]:
        if not self.peer_offers_due:
            raise ProtocolError("An offer arrived out of turn")
        self.peer_offers_due -= 1
        offer = _offer(header.get("offer"))
        yield from self._answer_offer(offer, always=True)

    def _answer_offer(self, offer: Offer, always: bool = False) -> Iterator[bytes]:
        if not offer and not always:
            return
        wanted = self.exchange.wants(offer)
        if wanted:
            self.data_due += 1
        yield encode_frame(Frame.REQUEST, {"want": wanted})

    def _on_request(self, header: dict, _payload: bytes) -> Iterator[bytes]:
        if not self.offers:
            raise ProtocolError("A request arrived out of turn")
        offered = self.offers.popleft()
        wanted = _offer(header.get("want"))
        asked = {doc_id for doc_id, _heads in wanted}
        outside = self.exchange.outside_scope(sorted(asked))
        if outside:
            raise ProtocolError("The peer asked for {count} documents outside its scope "
                                "(such as {doc})", count=len(outside), doc=outside[0])
        self.exchange.acknowledged({doc_id: heads for doc_id, heads in offered.items()
                                    if doc_id not in asked})
        if not wanted:
            return
        for batch, last in self.exchange.data_for(wanted):
            header = {"docs": [[item.doc_id, int(item.snapshot), len(item.data), item.heads]
                               for item in batch], "last": last}
            self.acks_due += 1
            self.docs_sent += len(batch)
            yield encode_frame(Frame.DATA, header, b"".join(item.data for item in batch))

    def _on_data(self, header: dict, payload: bytes) -> Iterator[bytes]:
        if not self.data_due:
            raise ProtocolError("Data arrived out of turn")
        docs = header.get("docs")
        if not isinstance(docs, list) or not isinstance(header.get("last"), bool):
            raise ProtocolError("A data frame is malformed")
        items, offset = [], 0
        for entry in docs:
            if (not isinstance(entry, list) or len(entry) != 4 or entry[1] not in (0, 1)
                    or not isinstance(entry[2], int) or entry[2] < 0):
                raise ProtocolError("A data frame is malformed")
            (doc_id, heads), = _offer([[entry[0], entry[3]]])
            items.append(DocData(doc_id, bool(entry[1]), bytes(payload[offset:offset + entry[2]]), heads))
            offset += entry[2]
        if offset != len(payload):
            raise ProtocolError("A data frame's sizes do not add up")
        accepted, refused = self.exchange.apply(items)
        self.docs_received += len(accepted)
        self.refused += [f"{doc_id}: {reason}" for doc_id, reason in refused.items()]
        if header["last"]:
            self.data_due -= 1
        yield encode_frame(Frame.ACK, {"ok": accepted, "refused": refused})

    def _on_ack(self, header: dict, _payload: bytes) -> Iterator[bytes]:
        if not self.acks_due:
            raise ProtocolError("An acknowledgement arrived out of turn")
        self.acks_due -= 1
        accepted, refused = header.get("ok"), header.get("refused")
        if not isinstance(accepted, dict) or not isinstance(refused, dict):
            raise ProtocolError("An acknowledgement is malformed")
        (_offer([[doc_id, heads] for doc_id, heads in accepted.items()]))
        self.exchange.acknowledged(accepted)
        if refused:
            self.complete = False
            self.refused += [f"{doc_id}: {str(reason)[:300]}" for doc_id, reason in refused.items()]
        return iter(())

    def _on_error(self, header: dict, _payload: bytes) -> Iterator[bytes]:
        """The peer's reason, in this side's language when it is one of our messages
        without parameters (e.g. its disk is full)."""
        reason = str(header.get("message", ""))[:300]
        raise ProtocolError("The peer ended the session: {reason}",
                            reason=self.exchange.translate(reason))

    def _on_busy(self, header: dict, _payload: bytes) -> Iterator[bytes]:
        raise PeerBusy("The other device is busy ({reason}): trying again later",
                       reason=str(header.get("message", ""))[:300])


def error_frame(message: str) -> bytes:
    """The last frame sent before closing on an error."""
    return encode_frame(Frame.ERROR, {"message": message[:300]})


def busy_frame(message: str) -> bytes:
    """The last frame sent before closing because this side cannot go on now."""
    return encode_frame(Frame.BUSY, {"message": message[:300]})
