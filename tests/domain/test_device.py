"""Syncthing-style device IDs: format, parse, check characters."""

import hashlib

import pytest

from incubator.domain.device import (
    device_id_digest, format_device_id, luhn32, parse_device_id, short_device_id,
)
from incubator.domain.errors import DomainError

# Syncthing's documented example ID.
SYNCTHING_ID = "P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2"
DIGESTS = [hashlib.sha256(seed).digest() for seed in (b"device", b"hub-2", b"")] + [
    bytes(32), bytes(range(32)), b"\xff" * 32]


@pytest.mark.parametrize("group,check", [
    # vectors from another Syncthing client's tests
    ("WG2IWWALPC2HZ", "H"), ("KHQNO2S5QSILR", "K"), ("MFZWI3DBONSGY", "C"),
])
def test_luhn32_matches_syncthing(group, check):
    assert luhn32(group) == check


@pytest.mark.parametrize("digest", DIGESTS)
def test_round_trip(digest):
    device_id = format_device_id(digest)
    assert len(device_id) == 63
    assert [len(group) for group in device_id.split("-")] == [7] * 8
    assert device_id_digest(device_id) == digest
    assert parse_device_id(device_id) == device_id


@pytest.mark.parametrize("typed", [
    SYNCTHING_ID, SYNCTHING_ID.lower(), SYNCTHING_ID.replace("-", ""),
    SYNCTHING_ID.replace("-", " "), f"  {SYNCTHING_ID.lower().replace('-', '')}  ",
])
def test_parse_accepts_any_case_and_separators(typed):
    assert parse_device_id(typed) == SYNCTHING_ID
    assert format_device_id(device_id_digest(typed)) == SYNCTHING_ID


def with_typo(device_id, position):
    """The ID with one character replaced by another letter of the alphabet."""
    wrong = "A" if device_id[position] != "A" else "B"
    return device_id[:position] + wrong + device_id[position + 1:]


@pytest.mark.parametrize("position", [0, 5, 12, 14, 30, 54, 62])  # 14, 62: check characters
def test_a_single_mistyped_character_is_caught(position):
    with pytest.raises(DomainError) as caught:
        parse_device_id(with_typo(SYNCTHING_ID, position))
    assert caught.value.text.message == "Device ID {value} is mistyped (check character mismatch)"


@pytest.mark.parametrize("typed", [
    "not-an-id", "", SYNCTHING_ID[:-1], SYNCTHING_ID + "A", SYNCTHING_ID.replace("P", "1"),
    SYNCTHING_ID.replace("P", "Ｐ"), None,
])
def test_malformed_ids(typed):
    with pytest.raises(DomainError) as caught:
        parse_device_id(typed)
    assert caught.value.text.message == "Device ID {value} is malformed"


def test_short_id_is_the_first_group():
    assert short_device_id(SYNCTHING_ID) == "P56IOI7"


def test_digest_must_be_32_bytes():
    with pytest.raises(ValueError):
        format_device_id(bytes(31))
