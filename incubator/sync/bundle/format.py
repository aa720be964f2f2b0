"""Signed, encrypted sync bundles for a USB stick (format: docs/bundle-format.md).

    preamble   MAGIC, u32 length, JSON {"v", "created", "stanzas": [[ephemeral X25519
               public key, wrapped file key], …]} — no device IDs: the file does not say
               who talks to whom
    stream     ChaCha20-Poly1305 chunks of 64 KiB under the file key; nonce = 11-byte
               counter + a last-chunk flag; associated data = SHA-256 of the preamble
    plaintext  zlib( u32 length, envelope JSON {sender, recipients, created, docs:
               [[doc id, snapshot?, length, prerequisite heads, new heads, changes]],
               id, acks: [ids of bundles received from the recipients]}, then each
               document's bytes ) followed by a 64-byte Ed25519
               signature by the sender over SHA-256(preamble ‖ uncompressed plaintext)

Each recipient's stanza wraps the file key age-style: X25519 with a fresh ephemeral
key, HKDF-SHA256, ChaCha20-Poly1305. Import verifies, decrypts and merges in one
SQLite transaction while streaming; the signature is checked at the end and a damaged,
truncated or wrongly signed bundle rolls everything back. A document refused on its own
(missing prerequisites, a change its author may not make) is skipped and reported.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ...domain.device import parse_device_id, short_device_id
from ...domain.docids import is_doc_id, is_head
from ...i18n import _
from ...store.ports import SyncPort
from ..peers import device_names
from . import contents as bundles
from .contents import BundleDamaged, BundleDoc, BundleError, ImportSummary

MAGIC = b"INCBNDL\x01"
VERSION = 1
CHUNK = 64 * 1024
TAG = 16
SIGNATURE = 64
MAX_PREAMBLE = 64 * 1024
MAX_ENVELOPE = 64 * 1024 * 1024
MAX_DOCUMENT = 256 * 1024 * 1024
WRAP_INFO = b"incubator-bundle-v1 file key"
PARTIAL_SUFFIX = ".partial"

Progress = Callable[[int, int], None]


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _wrap_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, ephemeral + recipient, WRAP_INFO).derive(shared)


def _stanza(file_key: bytes, recipient: bytes) -> list[str]:
    ephemeral = X25519PrivateKey.generate()
    public = ephemeral.public_key().public_bytes_raw()
    key = _wrap_key(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient)), public,
                    recipient)
    wrapped = ChaCha20Poly1305(key).encrypt(b"\0" * 12, file_key, None)
    return [base64.b64encode(public).decode(), base64.b64encode(wrapped).decode()]


def _unwrap(stanzas: list, private: X25519PrivateKey) -> bytes | None:
    mine = private.public_key().public_bytes_raw()
    for stanza in stanzas:
        try:
            public, wrapped = (base64.b64decode(part, validate=True) for part in stanza)
            key = _wrap_key(private.exchange(X25519PublicKey.from_public_bytes(public)), public,
                            mine)
            return ChaCha20Poly1305(key).decrypt(b"\0" * 12, wrapped, None)
        except (ValueError, TypeError, InvalidTag):
            continue
    return None


class _Sealer:
    """Writes plaintext as sealed chunks; `close` seals the last one."""

    def __init__(self, out: BinaryIO, key: bytes, associated: bytes) -> None:
        self.out, self.aead, self.associated = out, ChaCha20Poly1305(key), associated
        self.buffer = bytearray()
        self.counter = 0

    def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]

    def _seal(self, chunk: bytes, last: bool) -> None:
        self.out.write(self.aead.encrypt(_nonce(self.counter, last), chunk, self.associated))
        self.counter += 1

    def close(self) -> None:
        self._seal(bytes(self.buffer), last=True)


def _opened(source: BinaryIO, key: bytes, associated: bytes) -> Iterator[bytes]:
    """Plaintext chunks of the sealed stream; refuses truncation and any altered byte."""
    aead = ChaCha20Poly1305(key)
    counter = 0
    block = source.read(CHUNK + TAG)
    while True:
        following = source.read(CHUNK + TAG) if len(block) == CHUNK + TAG else b""
        last = not following
        try:
            yield aead.decrypt(_nonce(counter, last), block, associated)
        except InvalidTag:
            raise BundleError("The bundle is damaged or truncated") from None
        if last:
            return
        counter += 1
        block = following


@dataclass
class ExportSummary:
    path: str
    recipients: list[str]
    documents: int
    changes: int
    bytes: int
    payload_bytes: int
    bundle_id: str = ""
    acks: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _preamble(recipient_keys: list[bytes], file_key: bytes, created: str) -> bytes:
    body = json.dumps({"v": VERSION, "created": created,
                       "stanzas": [_stanza(file_key, key) for key in recipient_keys]},
                      separators=(",", ":")).encode()
    return MAGIC + struct.pack(">I", len(body)) + body


def export_bundle(replica: SyncPort, recipients: list[str], out: Path, *, full: bool = False,
                  progress: Progress | None = None) -> ExportSummary:
    """Write a bundle for `recipients` atomically (temporary file, fsync, rename)."""
    keys = bundles.recipient_keys(replica, recipients)
    peers = sorted(keys)
    return write_bundle(replica, keys, bundles.contents(replica, peers, full),
                        bundles.acks_for(replica, peers), out, progress)


def write_bundle(replica: SyncPort, keys: dict[str, bytes], items: list[BundleDoc],
                 acks: list[str], out: Path, progress: Progress | None = None) -> ExportSummary:
    """Write `items` and `acks` for the recipients whose bundle keys are `keys`, signed and
    encrypted, under a temporary name renamed into place once complete and on disk."""
    signing_key = replica.identity.signing_key()
    peers = sorted(keys)
    identity = replica.identity
    file_key = os.urandom(32)
    created = replica.now_iso()
    preamble = _preamble([keys[peer] for peer in peers], file_key, created)
    bundle_id = os.urandom(12).hex()
    envelope = json.dumps({
        "id": bundle_id, "sender": identity.device_id, "sender_name": identity.device_name,
        "recipients": peers, "created": created, "acks": acks,
        "docs": [[item.doc_id, int(item.snapshot), len(item.data), item.prereqs, item.heads,
                  item.changes] for item in items],
    }, ensure_ascii=False, separators=(",", ":")).encode()
    out = Path(out)
    temporary = partial_name(out)
    digest = hashlib.sha256(preamble)
    compressor = zlib.compressobj(6)
    try:
        with open(temporary, "wb") as handle:
            handle.write(preamble)
            sealer = _Sealer(handle, file_key, hashlib.sha256(preamble).digest())

            def put(data: bytes) -> None:
                digest.update(data)
                sealer.write(compressor.compress(data))

            put(struct.pack(">I", len(envelope)) + envelope)
            for number, item in enumerate(items, 1):
                put(item.data)
                if progress:
                    progress(number, len(items))
            sealer.write(compressor.flush())
            sealer.write(signing_key.sign(digest.digest()))
            sealer.close()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise BundleError("Cannot write the bundle to {path}: {error}", path=str(out),
                          error=error.strerror or str(error)) from None
    bundles.written(replica, bundle_id, peers, items)
    return ExportSummary(str(out), peers, len(items), sum(item.changes for item in items),
                         out.stat().st_size, sum(len(item.data) for item in items), bundle_id,
                         list(acks))


def partial_name(out: Path) -> Path:
    """Where a bundle is written before it is complete: a hidden `.partial` name beside
    it, which file-sync tools are told to ignore (see `sync.folder`)."""
    return out.with_name(f".{out.name}.{os.getpid()}{PARTIAL_SUFFIX}")


def addressed_here(path: Path, replica: SyncPort) -> bool | None:
    """Whether the bundle at `path` opens with this device's key (reading its preamble
    only); None when the preamble is not all there (a file still being copied, or not a
    bundle)."""
    try:
        with open(path, "rb") as handle:
            _preamble_bytes, header = _read_preamble(handle)
    except BundleError:
        return None
    return _unwrap(header["stanzas"], replica.identity.bundle_private_key()) is not None


def _read_preamble(handle: BinaryIO) -> tuple[bytes, dict]:
    head = handle.read(len(MAGIC) + 4)
    if len(head) < len(MAGIC) + 4 or head[:len(MAGIC)] != MAGIC:
        raise BundleError("This file is not a sync bundle")
    (size,) = struct.unpack(">I", head[len(MAGIC):])
    if size > MAX_PREAMBLE:
        raise BundleError("The bundle is damaged or truncated")
    body = handle.read(size)
    try:
        header = json.loads(body)
        if len(body) != size or not isinstance(header, dict) or header.get("v") != VERSION:
            raise ValueError
        if not isinstance(header.get("stanzas"), list) or not isinstance(header.get("created"), str):
            raise ValueError
    except (ValueError, RecursionError):
        raise BundleError("The bundle is damaged or truncated") from None
    return head + body, header


class _Plaintext:
    """The decompressed plaintext, read by exact lengths; the signature is what
    follows the compressed body."""

    def __init__(self, chunks: Iterator[bytes], preamble: bytes) -> None:
        self.chunks = chunks
        self.inflater = zlib.decompressobj()
        self.buffer = bytearray()
        self.digest = hashlib.sha256(preamble)

    def read(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if self.inflater.eof:
                raise BundleError("The bundle is damaged or truncated")
            chunk = next(self.chunks, None)
            if chunk is None:
                raise BundleError("The bundle is damaged or truncated")
            try:
                self.buffer += self.inflater.decompress(chunk)
            except zlib.error:
                raise BundleError("The bundle is damaged or truncated") from None
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        self.digest.update(data)
        return data

    def signature(self) -> bytes:
        tail = bytearray(self.inflater.unused_data)
        for chunk in self.chunks:
            if not self.inflater.eof:
                raise BundleError("The bundle is damaged or truncated")
            tail += chunk
        if self.buffer or not self.inflater.eof or len(tail) != SIGNATURE:
            raise BundleError("The bundle is damaged or truncated")
        return bytes(tail)


def _envelope(plain: _Plaintext) -> dict:
    (size,) = struct.unpack(">I", plain.read(4))
    if size > MAX_ENVELOPE:
        raise BundleError("The bundle is damaged or truncated")
    try:
        envelope = json.loads(plain.read(size))
        if not isinstance(envelope, dict) or not isinstance(envelope.get("docs"), list):
            raise ValueError
        if not isinstance(envelope.get("recipients"), list) or not isinstance(
                envelope.get("acks"), list) or not isinstance(envelope.get("id"), str):
            raise ValueError
        envelope["sender"] = parse_device_id(envelope.get("sender"))
    except (ValueError, TypeError, RecursionError):
        raise BundleError("The bundle's contents are malformed") from None
    return envelope


def _open(handle: BinaryIO, replica: SyncPort) -> tuple[bytes, dict, _Plaintext]:
    preamble, header = _read_preamble(handle)
    file_key = _unwrap(header["stanzas"], replica.identity.bundle_private_key())
    if file_key is None:
        raise BundleError("This bundle is not addressed to this device (or it is damaged)")
    plain = _Plaintext(_opened(handle, file_key, hashlib.sha256(preamble).digest()), preamble)
    try:
        envelope = _envelope(plain)
    except BundleError as error:  # it opened with this device's key: it is damaged
        raise BundleDamaged(error.text.message, **error.text.params) from None
    if replica.identity.device_id not in envelope["recipients"]:
        raise BundleDamaged("The bundle was altered: its list of recipients does not match "
                            "the keys it was encrypted to")
    return preamble, envelope, plain


def _documents(envelope: dict, plain: _Plaintext, certificate: str | None,
               progress: Progress | None) -> Iterator[BundleDoc]:
    """Each document as it is read; finally the sender's signature is checked (unless
    `certificate` is None: an inspection of a bundle from an unknown sender)."""
    docs = envelope["docs"]
    for number, entry in enumerate(docs, 1):
        try:
            doc_id, snapshot, size, prereqs, heads, changes = entry
            if not (is_doc_id(doc_id) and snapshot in (0, 1)
                    and isinstance(size, int) and 0 <= size <= MAX_DOCUMENT
                    and isinstance(changes, int) and changes >= 0
                    and isinstance(prereqs, list) and isinstance(heads, list)
                    and all(is_head(h) for h in prereqs + heads)):
                raise ValueError
        except (ValueError, TypeError):
            raise BundleError("The bundle's contents are malformed") from None
        yield BundleDoc(doc_id, bool(snapshot), plain.read(size), list(prereqs), list(heads),
                        changes)
        if progress:
            progress(number, len(docs))
    signature = plain.signature()
    if certificate is None:
        return
    public = x509.load_pem_x509_certificate(certificate.encode()).public_key()
    assert isinstance(public, Ed25519PublicKey)
    try:
        public.verify(signature, plain.digest.digest())
    except InvalidSignature:
        raise BundleError("The bundle's signature does not match its sender") from None


def import_bundle(replica: SyncPort, path: Path, progress: Progress | None = None) -> ImportSummary:
    """Verify, decrypt and merge a bundle in one transaction: nothing of a damaged or
    forged one; of a genuine one, every document that is not refused."""
    try:
        with open(path, "rb") as handle, replica.transaction():
            _preamble_bytes, envelope, plain = _open(handle, replica)
            sender = envelope["sender"]
            name, certificate = bundles.sender_record(replica, sender)
            summary = bundles.apply(replica, sender, envelope["id"][:64],
                                    _documents(envelope, plain, certificate, progress),
                                    [str(acked)[:64] for acked in envelope["acks"]], _)
            summary.sender_name = name
            return summary
    except OSError as error:
        raise BundleError("Cannot read {path}: {error}", path=str(path),
                          error=error.strerror or str(error)) from None


def inspect_bundle(path: Path, replica: SyncPort | None) -> dict:
    """Date, size and recipient count; sender and recipients too when this device is
    one of them (its contents are decrypted and checked to the last byte and the sender's
    signature, but nothing is merged). A bundle this device can open that fails a check
    is `damaged`, with the reason."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            _preamble_bytes, header = _read_preamble(handle)
            info = {"path": str(path), "bytes": size, "created": header["created"],
                    "recipients_count": len(header["stanzas"])}
            if replica is None:
                return info
            handle.seek(0)
            try:
                _p, envelope, plain = _open(handle, replica)
            except BundleDamaged as damage:
                return {**info, "readable": False, "damaged": True, "problem": damage.render()}
            except BundleError:
                return {**info, "readable": False, "damaged": False}
            names = device_names(replica)
            info.update(readable=True, damaged=False, sender=envelope["sender"],
                        sender_name=names.get(envelope["sender"],
                                              short_device_id(envelope["sender"])),
                        recipients=[{"device_id": r, "name": names.get(r, "")}
                                    for r in envelope["recipients"]],
                        documents=len(envelope["docs"]))
            try:
                _name, certificate = bundles.sender_record(replica, envelope["sender"])
            except BundleError:
                certificate = None  # the contents are checked, the signature cannot be
            try:
                for _doc in _documents(envelope, plain, certificate, None):
                    pass
            except BundleError as damage:
                info.update(damaged=True, problem=damage.render(_))
            return info
    except OSError as error:
        raise BundleError("Cannot read {path}: {error}", path=str(path),
                          error=error.strerror or str(error)) from None
