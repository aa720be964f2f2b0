"""Syncthing-style device IDs: base32 of a SHA-256 digest with Luhn mod-32 check characters."""

from __future__ import annotations

import base64
import re

from .errors import DomainError

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def luhn32(group: str) -> str:
    """Syncthing's Luhn mod N check character over the base32 alphabet."""
    factor, total, n = 1, 0, len(_ALPHABET)
    for char in group:
        addend = factor * _ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return _ALPHABET[(n - total % n) % n]


def format_device_id(digest: bytes) -> str:
    """The dashed 63-character ID of a 32-byte digest (a certificate's SHA-256)."""
    if len(digest) != 32:
        raise ValueError("a device ID is made from a 32-byte digest")
    plain = base64.b32encode(digest).decode().rstrip("=")
    checked = "".join(plain[i:i + 13] + luhn32(plain[i:i + 13]) for i in range(0, 52, 13))
    return "-".join(checked[i:i + 7] for i in range(0, 56, 7))


def device_id_digest(text: str) -> bytes:
    """The 32 digest bytes of a typed device ID, after checking every check character."""
    compact = re.sub(r"[\s-]", "", str(text)).upper()
    if len(compact) != 56 or any(c not in _ALPHABET for c in compact):
        raise DomainError("Device ID {value} is malformed", value=str(text)[:70])
    groups = [compact[i:i + 14] for i in range(0, 56, 14)]
    if any(luhn32(g[:13]) != g[13] for g in groups):
        raise DomainError("Device ID {value} is mistyped (check character mismatch)",
                          value=str(text)[:70])
    return base64.b32decode("".join(g[:13] for g in groups) + "====")


def parse_device_id(text: str) -> str:
    """The canonical dashed form of a typed device ID."""
    return format_device_id(device_id_digest(text))


def short_device_id(text: str) -> str:
    """The first group of seven characters, enough to tell devices apart on screen."""
    return str(text)[:7]
