"""This device's identity: an Ed25519 key, its device ID and its Automerge actor."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..domain.device import format_device_id


@dataclass(frozen=True)
class Identity:
    device_id: str
    device_name: str
    actor: bytes
    private_key_pem: str

    @property
    def actor_hex(self) -> str:
        return self.actor.hex()


def public_key_digest(private_key: Ed25519PrivateKey) -> bytes:
    """SHA-256 of the SubjectPublicKeyInfo, the bytes a certificate carries."""
    spki = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).digest()


def actor_for(device_id: str, incarnation: int) -> bytes:
    """The Automerge actor of this device; a restored copy takes a new incarnation."""
    return hashlib.sha256(f"incubator-actor:{device_id}:{incarnation}".encode()).digest()[:16]


def new_identity(device_name: str, seed: bytes | None = None) -> Identity:
    """A fresh device identity; `seed` makes it reproducible (demo replicas only)."""
    key = (Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed).digest()) if seed
           else Ed25519PrivateKey.generate())
    device_id = format_device_id(public_key_digest(key))
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return Identity(device_id, device_name, actor_for(device_id, 0), pem)
