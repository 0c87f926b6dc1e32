"""Hypothesis properties of transit's ciphertexts and signatures.

- Every plaintext, associated data and context round-trips, for every AEAD type.
- Tampering with any byte of a ciphertext, or moving it to another version or context, makes
  decryption fail with a 400 (never a wrong plaintext).
- Convergent encryption is a function of (plaintext, context) and nothing else.
- Both ECDSA marshalings verify, and a changed message never does.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strongroom.engines.transit.encryption import decrypt, encrypt
from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.keytypes import KEY_TYPES
from strongroom.engines.transit.material import generate_version
from strongroom.engines.transit.records import CONVERGENT_VERSION, KeyPolicy
from strongroom.engines.transit.signing import SigningOptions, sign, verify
from strongroom.errors import InvalidParameter

FAST = settings(max_examples=120, deadline=None)
AEAD = ["aes128-gcm96", "aes256-gcm96", "chacha20-poly1305"]


def make_key(kind: str, *, derived: bool = False, convergent: bool = False) -> Key:
    key_type = KEY_TYPES[kind]
    versions = {}
    for n in (1, 2):
        version = generate_version(key_type, n)
        if convergent:
            from dataclasses import replace

            version = replace(version, convergent_version=CONVERGENT_VERSION)
        versions[n] = version
    return Key(
        KeyPolicy(
            name="p",
            type=kind,
            versions=versions,
            latest_version=2,
            derived=derived,
            convergent_encryption=convergent,
            convergent_version=-1 if convergent else 0,
        )
    )


KEYS = {kind: make_key(kind) for kind in AEAD}
DERIVED = make_key("aes256-gcm96", derived=True)
CONVERGENT = make_key("aes256-gcm96", derived=True, convergent=True)
ECDSA = make_key("ecdsa-p256")

data = st.binary(max_size=256)
contexts = st.binary(min_size=1, max_size=32)


@FAST
@given(kind=st.sampled_from(AEAD), plaintext=data, associated=data)
def test_round_trip(kind: str, plaintext: bytes, associated: bytes) -> None:
    key = KEYS[kind]
    ciphertext, version = encrypt(key, 0, plaintext, associated_data=associated)
    assert version == 2 and ciphertext.startswith("vault:v2:")
    assert decrypt(key, ciphertext, associated_data=associated) == plaintext


@FAST
@given(plaintext=data, context=contexts, position=st.integers(min_value=0), bit=st.integers(0, 7))
def test_tampering_is_always_detected(
    plaintext: bytes, context: bytes, position: int, bit: int
) -> None:
    ciphertext, _ = encrypt(DERIVED, 1, plaintext, context)
    raw = bytearray(base64.b64decode(ciphertext.split(":", 2)[2]))
    raw[position % len(raw)] ^= 1 << bit
    tampered = "vault:v1:" + base64.b64encode(bytes(raw)).decode()
    with pytest.raises(InvalidParameter):
        decrypt(DERIVED, tampered, context)
    with pytest.raises(InvalidParameter):
        decrypt(DERIVED, ciphertext.replace("vault:v1:", "vault:v2:"), context)
    with pytest.raises(InvalidParameter):
        decrypt(DERIVED, ciphertext, context + b"x")
    assert decrypt(DERIVED, ciphertext, context) == plaintext


@FAST
@given(plaintext=data, other=data, context=contexts)
def test_convergent_is_deterministic(plaintext: bytes, other: bytes, context: bytes) -> None:
    first, _ = encrypt(CONVERGENT, 0, plaintext, context)
    assert encrypt(CONVERGENT, 0, plaintext, context)[0] == first
    assert (encrypt(CONVERGENT, 0, other, context)[0] == first) == (other == plaintext)
    assert decrypt(CONVERGENT, first, context) == plaintext


@settings(max_examples=40, deadline=None)
@given(message=data, other=data, marshaling=st.sampled_from(["asn1", "jws"]))
def test_ecdsa_signatures(message: bytes, other: bytes, marshaling: str) -> None:
    options = SigningOptions(marshaling=marshaling)
    signature = sign(ECDSA, 0, message, b"", options).signature
    assert verify(ECDSA, signature, message, b"", options)
    assert verify(ECDSA, signature, other, b"", options) == (other == message)
