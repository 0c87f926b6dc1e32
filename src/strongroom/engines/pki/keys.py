"""Private keys: the types a CA or leaf may have, generation, and the PEM/DER forms Vault uses.

Vault's `private_key_format=der` (the default) means the key type's traditional form: PKCS#1
for RSA, SEC 1 for EC; Ed25519 has only PKCS#8. `pkcs8` asks for PKCS#8 for every type. RSA
generation is slow, so it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
    PrivateKeyTypes,
)

from strongroom.errors import InvalidParameter

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

RSA_BITS = (2048, 3072, 4096)
CURVES: dict[int, ec.EllipticCurve] = {
    256: ec.SECP256R1(),
    384: ec.SECP384R1(),
    521: ec.SECP521R1(),
}
DEFAULT_BITS = {"rsa": 2048, "ec": 256, "ed25519": 0}
PRIVATE_KEY_FORMATS = ("", "der", "pkcs8")
_PUBLIC_EXPONENT = 65537


@dataclass(frozen=True, slots=True)
class KeySpec:
    type: str  # rsa, ec, ed25519
    bits: int  # RSA modulus or EC curve size; 0 for Ed25519


def key_spec(key_type: str, key_bits: int) -> KeySpec:
    """A valid key type and size (0 bits: the type's default)."""
    if key_type not in DEFAULT_BITS:
        raise InvalidParameter("unknown key_type: expected rsa, ec or ed25519")
    bits = key_bits or DEFAULT_BITS[key_type]
    if key_type == "rsa" and bits not in RSA_BITS:
        raise InvalidParameter("invalid key_bits for an RSA key: expected 2048, 3072 or 4096")
    if key_type == "ec" and bits not in CURVES:
        raise InvalidParameter("invalid key_bits for an EC key: expected 256, 384 or 521")
    if key_type == "ed25519":
        bits = 0
    return KeySpec(key_type, bits)


def _generate(spec: KeySpec) -> PrivateKey:
    if spec.type == "rsa":
        return rsa.generate_private_key(_PUBLIC_EXPONENT, spec.bits)
    if spec.type == "ec":
        return ec.generate_private_key(CURVES[spec.bits])
    return ed25519.Ed25519PrivateKey.generate()


async def generate_key(spec: KeySpec) -> PrivateKey:
    """A new private key; RSA generation runs off the event loop."""
    if spec.type == "rsa":
        return await asyncio.to_thread(_generate, spec)
    return _generate(spec)


def spec_of(key: PrivateKeyTypes | CertificatePublicKeyTypes) -> KeySpec:
    """The type and size of a private or public key; other kinds are refused."""
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return KeySpec("rsa", key.key_size)
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return KeySpec("ec", key.curve.key_size)
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return KeySpec("ed25519", 0)
    raise InvalidParameter("unsupported key type: expected RSA, EC or Ed25519")


def as_private_key(key: PrivateKeyTypes) -> PrivateKey:
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        return key
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    raise InvalidParameter("unsupported private key type: expected RSA, EC or Ed25519")


def load_private_key(pem: str, what: str = "private_key") -> PrivateKey:
    """A PEM private key (PKCS#1, SEC 1 or PKCS#8); the error names `what`, never the value."""
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise InvalidParameter(f"could not parse {what}: expected an unencrypted PEM key") from None
    return as_private_key(key)


def pkcs8_pem(key: PrivateKeyTypes) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def check_private_key_format(private_key_format: str) -> str:
    if private_key_format not in PRIVATE_KEY_FORMATS:
        raise InvalidParameter("invalid private_key_format: expected der or pkcs8")
    return private_key_format


def render_private_key(key: PrivateKey, private_key_format: str, der: bool) -> str:
    """The key as Vault returns it: PEM, or base64 DER when the output format is `der`."""
    check_private_key_format(private_key_format)
    container = serialization.PrivateFormat.PKCS8
    if private_key_format != "pkcs8" and not isinstance(key, ed25519.Ed25519PrivateKey):
        container = serialization.PrivateFormat.TraditionalOpenSSL
    encoding = serialization.Encoding.DER if der else serialization.Encoding.PEM
    raw = key.private_bytes(encoding, container, serialization.NoEncryption())
    return base64.b64encode(raw).decode() if der else raw.decode().rstrip("\n")


def public_der(public: CertificatePublicKeyTypes) -> bytes:
    """The SubjectPublicKeyInfo DER of a public key: what "this key matches" compares."""
    return public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


_EC_NAMES = {256: "ECDSAWithSHA256", 384: "ECDSAWithSHA384", 521: "ECDSAWithSHA512"}


SigningHash = hashes.SHA256 | hashes.SHA384 | hashes.SHA512


def signing_hash(key: CertificateIssuerPrivateKeyTypes) -> SigningHash | None:
    """The hash a CA key signs with, as Go's x509 picks it: SHA-256 for RSA and P-256, the
    curve's size for P-384 and P-521, none for Ed25519."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size == 521:
        return hashes.SHA512()
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size == 384:
        return hashes.SHA384()
    return hashes.SHA256()


def signature_algorithm_name(key: PrivateKey) -> str:
    """Vault's name for the signature algorithm of what `key` signs."""
    if isinstance(key, rsa.RSAPrivateKey):
        return "SHA256WithRSA"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return _EC_NAMES[key.curve.key_size]
    return "PureEd25519"
