"""Encrypt and decrypt with a key version, byte-compatible with Vault's `keysutil` ciphertexts.

- AES-GCM and ChaCha20-Poly1305: `vault:v<N>:` + base64(nonce(12) ‖ ciphertext ‖ tag), with
  the caller's `associated_data` as AAD. A derived key is HKDF-SHA256(version key, no salt,
  info = context). Convergent encryption (version 3) derives 32 more bytes as an HMAC key and
  uses the first 12 bytes of HMAC-SHA256(that key, plaintext) as the nonce.
- RSA: RSA-OAEP with SHA-256 (MGF1 SHA-256, no label), as Vault does.
- ML-KEM-768 (Strongroom): no encryption; `decrypt` decapsulates a data key made by `datakey`.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

from strongroom.engines.transit.encoding import decode_b64, encode_b64, split_versioned, versioned
from strongroom.engines.transit.hashing import mac
from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.keytypes import Family
from strongroom.engines.transit.material import make_cipher
from strongroom.engines.transit.records import CONVERGENT_VERSION
from strongroom.errors import InvalidParameter

NONCE_SIZE = 12
HMAC_KEY_SIZE = 32
AUTHENTICATION_FAILED = "cipher: message authentication failed"


def oaep() -> padding.OAEP:
    return padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)


def encrypt(
    key: Key,
    version: int,
    plaintext: bytes,
    context: bytes = b"",
    associated_data: bytes | None = None,
    nonce: bytes = b"",
) -> tuple[str, int]:
    """(`vault:v<N>:…` ciphertext, N) of `plaintext` under version `version` (0: latest)."""
    kind = key.kind
    if not kind.encryption:
        raise InvalidParameter(f"message encryption not supported for key type {kind.name}")
    version = key.encryption_version(version)
    if associated_data and not kind.associated_data:
        raise InvalidParameter(f"'associated_data' provided for non-AEAD cipher suite {kind.name}")
    if kind.family is Family.RSA:
        raw = key.material(version).public().encrypt(plaintext, oaep())
    else:
        raw = _seal(key, version, plaintext, context, associated_data, nonce)
    return versioned(version, encode_b64(raw)), version


def _seal(
    key: Key,
    version: int,
    plaintext: bytes,
    context: bytes,
    associated_data: bytes | None,
    nonce: bytes,
) -> bytes:
    size = key.kind.size
    convergent = key.convergent_version(version)
    if nonce:
        raise InvalidParameter("nonce provided when not allowed")
    if convergent:
        _check_convergent(convergent)
        derived = key.derive(version, context, size + HMAC_KEY_SIZE)
        nonce = mac(derived[size:], "sha2-256", plaintext)[:NONCE_SIZE]
        cipher = make_cipher(key.kind, derived[:size])
    else:
        nonce = os.urandom(NONCE_SIZE)
        cipher = _cipher(key, version, context)
    return nonce + cipher.encrypt(nonce, plaintext, associated_data or None)


def decrypt(
    key: Key, ciphertext: str, context: bytes = b"", associated_data: bytes | None = None
) -> bytes:
    kind = key.kind
    if not kind.decryption:
        raise InvalidParameter(f"message decryption not supported for key type {kind.name}")
    if associated_data and not kind.associated_data:
        raise InvalidParameter(f"'associated_data' provided for non-AEAD cipher suite {kind.name}")
    version, payload = split_versioned(ciphertext, "ciphertext")
    key.decryption_version(version)
    convergent = key.convergent_version(version)
    if convergent:
        _check_convergent(convergent)
    try:
        raw = decode_b64(payload, "ciphertext")
    except InvalidParameter:
        raise InvalidParameter("invalid ciphertext: could not decode base64") from None
    if kind.family is Family.RSA:
        return _private_decrypt(key, version, raw, "failed to RSA decrypt the ciphertext")
    if kind.family is Family.ML_KEM:
        return _private_decrypt(key, version, raw, "invalid ML-KEM ciphertext")
    if len(raw) < NONCE_SIZE:
        raise InvalidParameter("invalid ciphertext length")
    cipher = _cipher(key, version, context)
    try:
        return cipher.decrypt(raw[:NONCE_SIZE], raw[NONCE_SIZE:], associated_data or None)
    except InvalidTag:
        raise InvalidParameter(AUTHENTICATION_FAILED) from None


def _private_decrypt(key: Key, version: int, raw: bytes, failure: str) -> bytes:
    private = key.material(version).private()
    try:
        if key.kind.family is Family.RSA:
            return bytes(private.decrypt(raw, oaep()))
        return bytes(private.decapsulate(raw))
    except ValueError:
        raise InvalidParameter(failure) from None


def encapsulate(key: Key, version: int) -> tuple[bytes, str, int]:
    """ML-KEM: (shared secret, `vault:v<N>:` + base64(encapsulation), N)."""
    version = key.encryption_version(version)
    secret, encapsulated = key.material(version).public().encapsulate()
    return bytes(secret), versioned(version, encode_b64(encapsulated)), version


def _cipher(key: Key, version: int, context: bytes) -> AESGCM | ChaCha20Poly1305:
    if key.policy.derived:
        return make_cipher(key.kind, key.derive(version, context, key.kind.size))
    return key.material(version).cipher()


def _check_convergent(version: int) -> None:
    if version < CONVERGENT_VERSION:
        raise InvalidParameter(
            f"refusing to support decryption with old convergent encryption key: version {version}"
        )
