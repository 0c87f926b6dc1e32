"""Sign and verify with a key version, byte-compatible with Vault's `keysutil` signatures.

- ECDSA signs the (hashed or prehashed) input; `asn1` is DER, `jws` is r ‖ s, each padded to
  the curve's byte length, encoded as unpadded URL-safe base64.
- Ed25519 signs the input itself (no hashing); a derived key's seed is HKDF(context).
- RSA: PSS (default; `salt_length` auto = as long as possible when signing and detected when
  verifying, `hash` = the digest length, or a number) or PKCS#1 v1.5; hash `none` signs a
  prehashed input without a DigestInfo.
- ML-DSA signs the input itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, utils

from strongroom.engines.transit.encoding import (
    decode_b64,
    decode_b64url,
    encode_b64,
    encode_b64url,
    split_versioned,
    versioned,
)
from strongroom.engines.transit.hashing import DEFAULT_HASH, HASHES, algorithm, algorithm_for_digest
from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.keytypes import Family
from strongroom.engines.transit.material import ed25519_public_b64
from strongroom.errors import InvalidParameter

SALT_AUTO = 0
SALT_HASH = -1
MARSHALINGS = ("asn1", "jws")
SIGNATURE_ALGORITHMS = ("pss", "pkcs1v15")


@dataclass(frozen=True, slots=True)
class SigningOptions:
    hash_algorithm: str = DEFAULT_HASH
    prehashed: bool = False
    signature_algorithm: str = "pss"
    salt_length: int = SALT_AUTO
    marshaling: str = "asn1"

    def __post_init__(self) -> None:
        if self.hash_algorithm != "none" and self.hash_algorithm not in HASHES:
            raise InvalidParameter(f"invalid hash algorithm; supported: {', '.join(HASHES)}, none")
        if self.marshaling not in MARSHALINGS:
            raise InvalidParameter("invalid marshaling type; supported: asn1, jws")
        if self.signature_algorithm not in SIGNATURE_ALGORITHMS:
            raise InvalidParameter("unsupported signature algorithm; supported: pss, pkcs1v15")
        if self.hash_algorithm == "none" and (
            not self.prehashed or self.signature_algorithm != "pkcs1v15"
        ):
            raise InvalidParameter(
                "hash_algorithm=none requires both prehashed=true and signature_algorithm=pkcs1v15"
            )


def parse_salt_length(value: str) -> int:
    text = value.strip().lower()
    if text == "auto":
        return SALT_AUTO
    if text == "hash":
        return SALT_HASH
    try:
        number = int(text)
    except ValueError:
        raise InvalidParameter("salt length neither 'auto', 'hash', nor an integer") from None
    if number < SALT_HASH:
        raise InvalidParameter("salt length is invalid: it must not be below -1")
    return number


@dataclass(frozen=True, slots=True)
class Signature:
    signature: str
    version: int
    public_key: str = ""  # derived Ed25519: the per-context public key, base64


def sign(key: Key, version: int, data: bytes, context: bytes, options: SigningOptions) -> Signature:
    if not key.kind.signing:
        raise InvalidParameter(f"key type {key.kind.name} does not support signing")
    version = key.encryption_version(version, "signing")
    material = key.material(version)
    public_key = ""
    family = key.kind.family
    if family is Family.ED25519 and key.policy.derived:
        private = ed25519.Ed25519PrivateKey.from_private_bytes(key.derive(version, context, 32))
        public_key = ed25519_public_b64(private)
        raw = private.sign(data)
    elif not material.has_private:
        raise InvalidParameter("requested version for signing does not contain a private part")
    elif family is Family.ECDSA:
        raw = _sign_ecdsa(material.private(), _digest(data, options), options, key.kind.size)
    elif family is Family.RSA:
        raw = _sign_rsa(material.private(), _digest(data, options), options)
    else:  # Ed25519 and ML-DSA sign the message itself
        raw = material.private().sign(data)
    encoded = encode_b64url(raw) if options.marshaling == "jws" else encode_b64(raw)
    return Signature(versioned(version, encoded), version, public_key)


def verify(key: Key, signature: str, data: bytes, context: bytes, options: SigningOptions) -> bool:
    if not key.kind.signing:
        raise InvalidParameter(f"key type {key.kind.name} does not support verification")
    version, payload = split_versioned(signature, "signature")
    key.decryption_version(version, "signature")
    if options.marshaling == "jws":
        raw = decode_b64url(payload, "signature")
    else:
        raw = decode_b64(payload, "signature")
    family = key.kind.family
    try:
        if family is Family.ED25519 and key.policy.derived:
            seed = key.derive(version, context, 32)
            ed25519.Ed25519PrivateKey.from_private_bytes(seed).public_key().verify(raw, data)
        elif family is Family.ECDSA:
            _verify_ecdsa(key, version, raw, _digest(data, options), options)
        elif family is Family.RSA:
            _verify_rsa(key, version, raw, _digest(data, options), options)
        else:
            key.material(version).public().verify(raw, data)
    except InvalidSignature:
        return False
    return True


def _digest(data: bytes, options: SigningOptions) -> bytes:
    if options.prehashed or options.hash_algorithm == "none":
        return data
    hasher = hashes.Hash(algorithm(options.hash_algorithm))
    hasher.update(data)
    return hasher.finalize()


def _ecdsa_algorithm(digest: bytes) -> object:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.ECDSA(utils.Prehashed(algorithm_for_digest(digest)))


def _sign_ecdsa(private: object, digest: bytes, options: SigningOptions, curve_bits: int) -> bytes:
    der: bytes = private.sign(digest, _ecdsa_algorithm(digest))  # type: ignore[attr-defined]
    if options.marshaling == "asn1":
        return der
    r, s = utils.decode_dss_signature(der)
    size = (curve_bits + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _verify_ecdsa(
    key: Key, version: int, raw: bytes, digest: bytes, options: SigningOptions
) -> None:
    if options.marshaling == "jws":
        half = len(raw) // 2
        if not raw or len(raw) % 2:
            raise InvalidSignature
        raw = utils.encode_dss_signature(
            int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
        )
    else:
        try:
            utils.decode_dss_signature(raw)
        except ValueError:
            raise InvalidParameter("supplied signature is invalid") from None
    key.material(version).public().verify(raw, digest, _ecdsa_algorithm(digest))


def _rsa_hash(options: SigningOptions, digest: bytes) -> hashes.HashAlgorithm | utils.Prehashed:
    if options.hash_algorithm == "none":
        return utils.NoDigestInfo()  # type: ignore[return-value]
    chosen = algorithm(options.hash_algorithm)
    if len(digest) != chosen.digest_size:
        raise InvalidParameter("prehashed input length does not match the hash algorithm")
    return utils.Prehashed(chosen)


def _pss(options: SigningOptions, key_bits: int, signing: bool) -> padding.PSS:
    chosen = algorithm(options.hash_algorithm)
    maximum = (key_bits + 6) // 8 - 2 - chosen.digest_size
    salt = options.salt_length
    if salt > maximum:
        raise InvalidParameter(f"requested salt length is invalid: at most {maximum}")
    if salt == SALT_AUTO:
        length: int = padding.PSS.MAX_LENGTH if signing else padding.PSS.AUTO  # type: ignore[assignment]
    elif salt == SALT_HASH:
        length = padding.PSS.DIGEST_LENGTH  # type: ignore[assignment]
    else:
        length = salt
    return padding.PSS(padding.MGF1(chosen), length)


def _rsa_padding(
    options: SigningOptions, key_bits: int, signing: bool
) -> padding.AsymmetricPadding:
    if options.signature_algorithm == "pkcs1v15":
        return padding.PKCS1v15()
    return _pss(options, key_bits, signing)


def _sign_rsa(private: object, digest: bytes, options: SigningOptions) -> bytes:
    bits: int = private.key_size  # type: ignore[attr-defined]
    pad = _rsa_padding(options, bits, signing=True)
    return private.sign(digest, pad, _rsa_hash(options, digest))  # type: ignore[attr-defined,no-any-return]


def _verify_rsa(key: Key, version: int, raw: bytes, digest: bytes, options: SigningOptions) -> None:
    public = key.material(version).public()
    pad = _rsa_padding(options, public.key_size, signing=False)
    public.verify(raw, digest, pad, _rsa_hash(options, digest))
