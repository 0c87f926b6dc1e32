"""Key material: generating a version, parsing a stored one, and presenting public keys.

A `Material` is one version's keys parsed once (by the key cache) and used read-only afterwards:
its cipher and key objects are built on first use and kept.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

from strongroom.engines.transit.keytypes import Family, KeyType
from strongroom.engines.transit.records import KeyVersion, b64, unb64
from strongroom.errors import InternalError, InvalidParameter

_CURVES: dict[int, ec.EllipticCurve] = {
    256: ec.SECP256R1(),
    384: ec.SECP384R1(),
    521: ec.SECP521R1(),
}
_DER = serialization.Encoding.DER
_PEM = serialization.Encoding.PEM
_PKCS8 = serialization.PrivateFormat.PKCS8
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
_NONE = serialization.NoEncryption()

PrivateKey = Any  # a pyca private key object of the version's family
PublicKey = Any


def _generate_private(kind: KeyType) -> PrivateKey:
    if kind.family is Family.ECDSA:
        return ec.generate_private_key(_CURVES[kind.size])
    if kind.family is Family.RSA:
        return rsa.generate_private_key(65537, kind.size)
    if kind.family is Family.ML_DSA:
        from cryptography.hazmat.primitives.asymmetric import mldsa

        if kind.size == 44:
            return mldsa.MLDSA44PrivateKey.generate()
        if kind.size == 65:
            return mldsa.MLDSA65PrivateKey.generate()
        return mldsa.MLDSA87PrivateKey.generate()
    from cryptography.hazmat.primitives.asymmetric import mlkem

    return mlkem.MLKEM768PrivateKey.generate()


def generate_version(kind: KeyType, created: int, key_size: int = 0) -> KeyVersion:
    """A fresh random version of `kind` (RSA generation is slow: call it off the event loop)."""
    hmac_key = os.urandom(32)
    if kind.family is Family.AEAD:
        return KeyVersion(created, key=b64(os.urandom(kind.size)), hmac_key=b64(hmac_key))
    if kind.family is Family.HMAC:
        # The key *is* the HMAC key, as in Vault.
        secret = b64(os.urandom(key_size or 32))
        return KeyVersion(created, key=secret, hmac_key=secret)
    if kind.family is Family.ED25519:
        return version_from_private(kind, ed25519.Ed25519PrivateKey.generate(), created, hmac_key)
    return version_from_private(kind, _generate_private(kind), created, hmac_key)


def version_from_private(
    kind: KeyType, private: PrivateKey, created: int, hmac_key: bytes
) -> KeyVersion:
    public = public_der(private.public_key())
    if kind.family is Family.ED25519:
        seed = private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, _NONE
        )
        raw_public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return KeyVersion(
            created, key=b64(seed + raw_public), hmac_key=b64(hmac_key), public_key=public
        )
    der = private.private_bytes(_DER, _PKCS8, _NONE)
    return KeyVersion(created, hmac_key=b64(hmac_key), private_key=b64(der), public_key=public)


def version_from_public(public: PublicKey, created: int) -> KeyVersion:
    return KeyVersion(created, hmac_key=b64(os.urandom(32)), public_key=public_der(public))


def public_der(public: PublicKey) -> str:
    return b64(public.public_bytes(_DER, _SPKI))


def check_family(kind: KeyType, key: Any) -> None:
    """Refuse a parsed key (import, restore) that is not of `kind`'s family and size."""
    expected: tuple[type, ...]
    if kind.family is Family.ECDSA:
        expected = (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)
        ok = isinstance(key, expected) and key.curve.key_size == kind.size
    elif kind.family is Family.RSA:
        expected = (rsa.RSAPrivateKey, rsa.RSAPublicKey)
        ok = isinstance(key, expected) and key.key_size == kind.size
    elif kind.family is Family.ED25519:
        ok = isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey)
    else:
        ok = type(key).__name__.upper().startswith(kind.name.replace("-", "").upper())
    if not ok:
        raise InvalidParameter(f"the key is not a valid {kind.name} key")


class Material:
    """One key version, parsed for use. Built by the key cache; never mutated by requests."""

    __slots__ = ("_cipher", "_private", "_public", "created", "hmac_key", "key", "kind", "record")

    def __init__(self, kind: KeyType, record: KeyVersion) -> None:
        self.kind = kind
        self.record = record
        self.created = record.created
        self.key = unb64(record.key)
        self.hmac_key = unb64(record.hmac_key)
        self._cipher: AESGCM | ChaCha20Poly1305 | None = None
        self._private: PrivateKey | None = None
        self._public: PublicKey | None = None

    @property
    def has_private(self) -> bool:
        return self.record.has_private

    def cipher(self) -> AESGCM | ChaCha20Poly1305:
        if self._cipher is None:
            self._cipher = make_cipher(self.kind, self.key)
        return self._cipher

    def private(self) -> PrivateKey:
        if self._private is None:
            if not self.has_private:
                raise InvalidParameter("this key version has no private key (only its public key)")
            if self.kind.family is Family.ED25519:
                self._private = ed25519.Ed25519PrivateKey.from_private_bytes(self.key[:32])
            else:
                # Read from the barrier, written by this engine: skip the (slow) RSA checks.
                self._private = serialization.load_der_private_key(
                    unb64(self.record.private_key), None, unsafe_skip_rsa_key_validation=True
                )
        return self._private

    def public(self) -> PublicKey:
        if self._public is None:
            if self.record.public_key:
                self._public = serialization.load_der_public_key(unb64(self.record.public_key))
            else:
                self._public = self.private().public_key()
        return self._public


def make_cipher(kind: KeyType, key: bytes) -> AESGCM | ChaCha20Poly1305:
    if kind.name == "chacha20-poly1305":
        return ChaCha20Poly1305(key)
    if len(key) not in (16, 32):
        raise InternalError("a transit encryption key has the wrong length")
    return AESGCM(key)


def formatted_public_key(material: Material) -> str:
    """The public key as Vault shows it: base64 for Ed25519, PEM (with its newline) otherwise."""
    public = material.public()
    if material.kind.family is Family.ED25519:
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode()
    return str(public.public_bytes(_PEM, _SPKI).decode())


def ed25519_public_b64(private: ed25519.Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode()
