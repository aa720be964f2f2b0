"""This device's identity: keys, a self-signed certificate, its device ID and actor.

The device ID is the SHA-256 of the certificate's public key (Syncthing style).
The Automerge actor starts with 12 bytes of that digest, so the author of any
change can be traced to a member; the last 4 bytes are the incarnation (a
restored copy takes a new one and never collides with its past self).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..domain.device import device_id_digest, format_device_id
from ..domain.errors import DomainError

ACTOR_PREFIX_BYTES = 12
CARD_PREFIX = "INCUBATOR1:"
# Village laptops have wrong clocks: certificates are valid from 2000 to 9999.
NOT_BEFORE = datetime(2000, 1, 1, tzinfo=timezone.utc)
NOT_AFTER = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Identity:
    device_id: str
    device_name: str
    actor: bytes
    private_key_pem: str
    bundle_key_pem: str
    certificate_pem: str
    bundle_public_key: bytes

    @property
    def actor_hex(self) -> str:
        return self.actor.hex()

    @property
    def protected(self) -> bool:
        """True when the private keys are stored encrypted with a passphrase."""
        return "ENCRYPTED" in self.private_key_pem

    def signing_key(self) -> Ed25519PrivateKey:
        key = unlock(self.private_key_pem)
        assert isinstance(key, Ed25519PrivateKey)
        return key

    def bundle_private_key(self) -> X25519PrivateKey:
        key = unlock(self.bundle_key_pem)
        assert isinstance(key, X25519PrivateKey)
        return key

    def with_actor(self, actor: bytes) -> Identity:
        return dataclasses.replace(self, actor=actor)


# -- keys at rest ------------------------------------------------------------------


class PassphraseError(DomainError):
    """The private keys are protected and no (or a wrong) passphrase was given."""


def environment_passphrase() -> str | None:
    return os.environ.get("INCUBATOR_PASSPHRASE") or None


Passphrase = Callable[[], "str | None"]
_passphrase_source: list[Passphrase] = [environment_passphrase]


def use_passphrase_source(source: Passphrase) -> None:
    """Where protected keys get their passphrase (the CLI prompts on a terminal)."""
    _passphrase_source[0] = source


def password_for(pem: str) -> bytes | None:
    """The passphrase a PEM needs (asked for once per call), or None if it is plain."""
    if "ENCRYPTED" not in pem:
        return None
    text = _passphrase_source[0]()
    if not text:
        raise PassphraseError("This device's keys are protected: give the passphrase "
                              "(INCUBATOR_PASSPHRASE, or type it when asked)")
    return text.encode()


def unlock(pem: str):
    """A private key from its PEM, asking for the passphrase when it is protected."""
    password = password_for(pem)
    try:
        return serialization.load_pem_private_key(pem.encode(), password)
    except (ValueError, TypeError):
        raise PassphraseError("Wrong passphrase for this device's keys") from None


def protect(pem: str, passphrase: str) -> str:
    """The same private key, encrypted with `passphrase` (PKCS#8, scrypt or PBKDF2 as
    `cryptography` judges best)."""
    if len(passphrase) < 8:
        raise PassphraseError("A passphrase needs at least 8 characters")
    return unlock(pem).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode())).decode()


def _spki_digest(public_key) -> bytes:
    spki = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).digest()


def device_id_of_certificate(certificate: bytes | str) -> str:
    """The device ID a certificate (PEM text or DER bytes) stands for."""
    cert = (x509.load_pem_x509_certificate(certificate.encode()) if isinstance(certificate, str)
            else x509.load_der_x509_certificate(certificate))
    return format_device_id(_spki_digest(cert.public_key()))


def actor_for(device_id: str, incarnation: int) -> bytes:
    """The Automerge actor of `device_id` in its `incarnation`-th life."""
    return device_id_digest(device_id)[:ACTOR_PREFIX_BYTES] + incarnation.to_bytes(4, "big")


def actor_prefix(device_id: str) -> str:
    """The hex prefix shared by every actor of `device_id`."""
    return device_id_digest(device_id)[:ACTOR_PREFIX_BYTES].hex()


def _certificate(key: Ed25519PrivateKey, device_id: str, digest: bytes) -> str:
    """A self-signed certificate whose subject is unique to the device."""
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "incubator"),
                      x509.NameAttribute(NameOID.COMMON_NAME, device_id)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(digest[:16], "big") >> 1)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                              ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, None)
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def new_identity(device_name: str, seed: bytes | None = None) -> Identity:
    """A fresh device identity; `seed` makes it reproducible (demo replicas only)."""
    if seed:
        key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed).digest())
        bundle_key = X25519PrivateKey.from_private_bytes(hashlib.sha256(b"bundle" + seed).digest())
    else:
        key, bundle_key = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    digest = _spki_digest(key.public_key())
    device_id = format_device_id(digest)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    bundle_pem = bundle_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return Identity(device_id, device_name, actor_for(device_id, 0), pem, bundle_pem,
                    _certificate(key, device_id, digest),
                    bundle_key.public_key().public_bytes_raw())


# -- cards: one copyable line to pair two devices ------------------------------------


@dataclass(frozen=True)
class Card:
    """What another device needs to know about this one to pin and reach it."""

    device_id: str
    name: str
    certificate_pem: str
    bundle_key: bytes
    address: str = ""

    @classmethod
    def of(cls, identity: Identity, address: str = "") -> Card:
        return cls(identity.device_id, identity.device_name, identity.certificate_pem,
                   identity.bundle_public_key, address)

    def encode(self) -> str:
        der = x509.load_pem_x509_certificate(self.certificate_pem.encode()).public_bytes(
            serialization.Encoding.DER)
        body = json.dumps({
            "id": self.device_id, "name": self.name,
            "cert": base64.b64encode(der).decode(),
            "bundle": base64.b64encode(self.bundle_key).decode(), "addr": self.address,
        }, ensure_ascii=False, separators=(",", ":")).encode()
        return CARD_PREFIX + base64.urlsafe_b64encode(zlib.compress(body, 9)).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Card:
        """Parse a card, checking that its device ID matches its certificate."""
        text = str(text).strip()
        if not text.startswith(CARD_PREFIX) or len(text) > 8000:
            raise DomainError("This is not a device card (it should start with {prefix})",
                              prefix=CARD_PREFIX)
        try:
            packed = text[len(CARD_PREFIX):]
            raw = zlib.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)))
            fields = json.loads(raw)
            der = base64.b64decode(fields["cert"], validate=True)
            cert = x509.load_der_x509_certificate(der)
            bundle_key = base64.b64decode(fields["bundle"], validate=True)
            X25519PublicKey.from_public_bytes(bundle_key)
            card = cls(str(fields["id"]), str(fields["name"])[:80],
                       cert.public_bytes(serialization.Encoding.PEM).decode(), bundle_key,
                       str(fields.get("addr") or ""))
        except (ValueError, KeyError, TypeError, zlib.error, binascii.Error) as exc:
            raise DomainError("The device card is damaged or incomplete") from exc
        if device_id_of_certificate(der) != card.device_id:
            raise DomainError("The device card's ID does not match its certificate")
        return card
