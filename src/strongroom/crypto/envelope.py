"""The AEAD envelope of every encrypted storage entry.

Layout: ``term (4 bytes, big-endian) ‖ version (1 byte, 0x02) ‖ nonce (12) ‖ ciphertext ‖ tag``
(a 16-byte tag).
AES-256-GCM with the storage path as associated data, so a ciphertext moved or copied to another
key fails to open. Term 0 is reserved for keys outside the keyring (the root key, the seal's KEK).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from strongroom.errors import IntegrityError

KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
VERSION_PATH_BOUND = 0x02
HEADER = struct.Struct(">IB")
MIN_ENVELOPE = HEADER.size + NONCE_SIZE + TAG_SIZE
RESERVED_TERM = 0


def new_key() -> bytes:
    return os.urandom(KEY_SIZE)


def cipher(key: bytes) -> AESGCM:
    """An AES-256-GCM cipher object; build it once per key, it is reusable."""
    if len(key) != KEY_SIZE:
        raise ValueError("an envelope key is 32 bytes")
    return AESGCM(key)


def seal_entry(aead: AESGCM, term: int, path: str, plaintext: bytes) -> bytes:
    """Encrypt `plaintext` for storage at `path` under the key numbered `term`."""
    nonce = os.urandom(NONCE_SIZE)
    header = HEADER.pack(term, VERSION_PATH_BOUND)
    return header + nonce + aead.encrypt(nonce, plaintext, path.encode())


def entry_term(blob: bytes) -> int:
    """The key term an envelope was sealed under; raises IntegrityError for a malformed one."""
    if len(blob) < MIN_ENVELOPE:
        raise IntegrityError(f"storage integrity check failed: entry too short ({len(blob)} bytes)")
    term, version = HEADER.unpack_from(blob)
    if version != VERSION_PATH_BOUND:
        raise IntegrityError(f"storage integrity check failed: unknown entry version {version}")
    return int(term)


def open_entry(cipher_for_term: Callable[[int], AESGCM | None], path: str, blob: bytes) -> bytes:
    """Decrypt an envelope read from `path`. Any tampering raises IntegrityError, never garbage."""
    term = entry_term(blob)
    aead = cipher_for_term(term)
    if aead is None:
        raise IntegrityError(f"storage integrity check failed: no key for term {term} at {path!r}")
    nonce = blob[HEADER.size : HEADER.size + NONCE_SIZE]
    try:
        return aead.decrypt(nonce, blob[HEADER.size + NONCE_SIZE :], path.encode())
    except InvalidTag:
        raise IntegrityError(
            f"storage integrity check failed: entry at {path!r} was modified or moved"
        ) from None
