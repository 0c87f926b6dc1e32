"""The barrier envelope: layout, path binding and tamper detection."""

from __future__ import annotations

import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st

from strongroom.crypto.envelope import cipher, entry_term, new_key, open_entry, seal_entry
from strongroom.errors import IntegrityError

KEY = bytes(range(32))
AEAD = cipher(KEY)


def lookup(term: int) -> AESGCM | None:
    return AEAD if term == 7 else None


def test_layout_is_term_version_nonce_ciphertext_and_decrypts_independently() -> None:
    blob = seal_entry(AEAD, 7, "logical/abc/foo", b"secret")
    term, version = struct.unpack(">IB", blob[:5])
    assert (term, version) == (7, 2)
    nonce, body = blob[5:17], blob[17:]
    assert len(body) == len(b"secret") + 16
    # An independent decryption with pyca's AES-GCM and the path as AAD.
    assert AESGCM(KEY).decrypt(nonce, body, b"logical/abc/foo") == b"secret"


def test_nonces_are_fresh() -> None:
    assert seal_entry(AEAD, 7, "p", b"x")[5:17] != seal_entry(AEAD, 7, "p", b"x")[5:17]


@given(st.binary(max_size=2048), st.text(min_size=1, max_size=64))
def test_roundtrip(plaintext: bytes, path: str) -> None:
    assert open_entry(lookup, path, seal_entry(AEAD, 7, path, plaintext)) == plaintext


@given(st.data())
def test_any_flipped_byte_is_detected(data: st.DataObject) -> None:
    blob = bytearray(seal_entry(AEAD, 7, "core/x", b"some secret value"))
    index = data.draw(st.integers(0, len(blob) - 1))
    bit = data.draw(st.integers(0, 7))
    blob[index] ^= 1 << bit
    with pytest.raises(IntegrityError):
        open_entry(lookup, "core/x", bytes(blob))


@pytest.mark.parametrize("length", [0, 1, 5, 17, 32])
def test_truncated_entry_is_detected(length: int) -> None:
    blob = seal_entry(AEAD, 7, "core/x", b"some secret value")
    with pytest.raises(IntegrityError):
        open_entry(lookup, "core/x", blob[:length])


def test_truncating_the_tag_is_detected() -> None:
    blob = seal_entry(AEAD, 7, "core/x", b"some secret value")
    with pytest.raises(IntegrityError):
        open_entry(lookup, "core/x", blob[:-1])


def test_moved_entry_fails_to_open() -> None:
    blob = seal_entry(AEAD, 7, "logical/a/secret", b"value")
    with pytest.raises(IntegrityError, match="modified or moved"):
        open_entry(lookup, "logical/b/secret", blob)


def test_unknown_term_and_version_are_integrity_errors() -> None:
    blob = seal_entry(AEAD, 8, "p", b"value")
    with pytest.raises(IntegrityError, match="no key for term 8"):
        open_entry(lookup, "p", blob)
    blob = bytearray(seal_entry(AEAD, 7, "p", b"value"))
    blob[4] = 0x01
    with pytest.raises(IntegrityError, match="version"):
        entry_term(bytes(blob))


def test_wrong_key_fails() -> None:
    other = cipher(new_key())
    blob = seal_entry(other, 7, "p", b"value")
    with pytest.raises(IntegrityError):
        open_entry(lookup, "p", blob)


def test_cipher_refuses_short_keys() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        cipher(b"short")
