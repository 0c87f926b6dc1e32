"""Bring your own key: the mount's RSA-4096 wrapping key and the unwrapping of imported keys.

An import's `ciphertext` is base64 of RSA-OAEP(wrapping key, `hash_function`, empty label) of a
fresh 256-bit AES key (512 bytes), followed by AES key wrap with padding (RFC 5649) of the
target key under that AES key: the raw key for symmetric types, PKCS#8 DER for asymmetric ones.
This is Vault's CKM_RSA_AES_KEY_WRAP-compatible format. `byok-export` writes it for any RSA
key (a wrapping key of another mount, imported here as a public key); `unwrap` reads only what
an RSA-4096 wrapping key wrote, as Vault's import does.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap_with_padding,
    aes_key_wrap_with_padding,
)

from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.keytypes import (
    HMAC_MAX_KEY_SIZE,
    HMAC_MIN_KEY_SIZE,
    KEY_TYPES,
    Family,
    KeyType,
)
from strongroom.engines.transit.material import (
    Material,
    check_family,
    generate_version,
    version_from_private,
    version_from_public,
)
from strongroom.engines.transit.records import KeyPolicy, KeyVersion, b64
from strongroom.engines.transit.store import WRAPPING_KEY, KeyStore
from strongroom.errors import InvalidParameter

WRAPPED_AES_KEY_BYTES = 512  # RSA-4096 OAEP output
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "SHA1": hashes.SHA1,
    "SHA224": hashes.SHA224,
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}


async def wrapping_key(store: KeyStore) -> Key:
    """The mount's wrapping key, created on first use (once, however many requests race)."""
    async with store.lock(WRAPPING_KEY):
        raw = await store.storage.get(WRAPPING_KEY)
        if raw is not None:
            return Key(KeyPolicy.deserialize(raw))
        kind = KEY_TYPES["rsa-4096"]
        version = await asyncio.to_thread(generate_version, kind, store.now_ns())
        policy = KeyPolicy(
            name="wrapping_key", type=kind.name, versions={1: version}, latest_version=1
        )
        await store.storage.put(WRAPPING_KEY, policy.serialize())
        return Key(policy)


def hash_function(name: str) -> hashes.HashAlgorithm:
    found = _HASHES.get(name.upper())
    if found is None:
        raise InvalidParameter(f"unknown hash function; supported: {', '.join(_HASHES)}")
    return found()


def _oaep(algorithm: hashes.HashAlgorithm) -> padding.OAEP:
    return padding.OAEP(padding.MGF1(algorithm), algorithm, None)


def wrap(public: rsa.RSAPublicKey, target: bytes, hash_name: str) -> bytes:
    """An import ciphertext of `target` that only the holder of `public`'s private key opens."""
    algorithm = hash_function(hash_name)
    aes_key = os.urandom(32)
    return public.encrypt(aes_key, _oaep(algorithm)) + aes_key_wrap_with_padding(aes_key, target)


def unwrap(wrapping: Key, ciphertext: bytes, hash_name: str) -> bytes:
    """The target key inside an import ciphertext."""
    algorithm = hash_function(hash_name)
    if len(ciphertext) <= WRAPPED_AES_KEY_BYTES:
        raise InvalidParameter("provided ciphertext is too short")
    private = wrapping.material(wrapping.latest).private()
    try:
        aes_key = private.decrypt(ciphertext[:WRAPPED_AES_KEY_BYTES], _oaep(algorithm))
    except ValueError:
        raise InvalidParameter("could not unwrap the ephemeral AES key") from None
    if len(aes_key) != 32:
        raise InvalidParameter("expected ephemeral AES key to be 256-bit")
    try:
        return aes_key_unwrap_with_padding(aes_key, ciphertext[WRAPPED_AES_KEY_BYTES:])
    except InvalidUnwrap:
        raise InvalidParameter("could not unwrap the imported key") from None


def destination_public_key(destination: Key) -> rsa.RSAPublicKey:
    """The public key that wraps keys for `destination`: its latest version's, which may be all
    that version holds."""
    if destination.kind.family is not Family.RSA:
        raise InvalidParameter("the destination key must be an RSA key")
    public: rsa.RSAPublicKey = destination.material(destination.latest).public()
    return public


def target_key(material: Material) -> bytes:
    """What `imported_version` reads back: the raw key (symmetric types) or PKCS#8 DER."""
    if material.kind.symmetric:
        return material.key
    der: bytes = material.private().private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return der


def imported_version(kind: KeyType, raw: bytes, created: int) -> KeyVersion:
    """A version holding an unwrapped key: raw bytes (symmetric) or PKCS#8 DER."""
    if kind.family is Family.AEAD:
        if len(raw) != kind.size:
            raise InvalidParameter(f"invalid key size for key type {kind.name}")
        return KeyVersion(created, key=b64(raw), hmac_key=b64(os.urandom(32)))
    if kind.family is Family.HMAC:
        if not HMAC_MIN_KEY_SIZE <= len(raw) <= HMAC_MAX_KEY_SIZE:
            raise InvalidParameter(f"invalid key size for key type {kind.name}")
        return KeyVersion(created, key=b64(raw), hmac_key=b64(raw))
    try:
        private = serialization.load_der_private_key(raw, None)
    except (TypeError, ValueError):
        raise InvalidParameter("error parsing asymmetric key: expected PKCS#8 DER") from None
    check_family(kind, private)
    return version_from_private(kind, private, created, os.urandom(32))


def imported_public_version(kind: KeyType, pem: str, created: int) -> KeyVersion:
    if not kind.public_import:
        raise InvalidParameter("provided type does not support public_key import")
    try:
        public = serialization.load_pem_public_key(pem.encode())
    except (TypeError, ValueError):
        raise InvalidParameter("error parsing public key: expected a PEM public key") from None
    check_family(kind, public)
    return version_from_public(public, created)
