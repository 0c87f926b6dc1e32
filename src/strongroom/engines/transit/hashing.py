"""Hash algorithms by their Vault names, and the `hash` and `hmac` computations."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, hmac

from strongroom.errors import InvalidParameter

HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha2-224": hashes.SHA224,
    "sha2-256": hashes.SHA256,
    "sha2-384": hashes.SHA384,
    "sha2-512": hashes.SHA512,
    "sha3-224": hashes.SHA3_224,
    "sha3-256": hashes.SHA3_256,
    "sha3-384": hashes.SHA3_384,
    "sha3-512": hashes.SHA3_512,
}
DEFAULT_HASH = "sha2-256"


def algorithm(name: str, allowed: tuple[str, ...] = tuple(HASHES)) -> hashes.HashAlgorithm:
    if name not in allowed:
        raise InvalidParameter(f"unsupported hash algorithm; supported: {', '.join(allowed)}")
    return HASHES[name]()


def mac(key: bytes, name: str, data: bytes) -> bytes:
    signer = hmac.HMAC(key, algorithm(name))
    signer.update(data)
    return signer.finalize()


# ECDSA signs a digest of any length (truncated to the curve order); pyca wants a hash of that
# length to name, so a prehashed input picks the algorithm by its size.
_BY_SIZE: dict[int, type[hashes.HashAlgorithm]] = {
    20: hashes.SHA1,
    28: hashes.SHA224,
    32: hashes.SHA256,
    48: hashes.SHA384,
    64: hashes.SHA512,
}


def algorithm_for_digest(raw: bytes) -> hashes.HashAlgorithm:
    found = _BY_SIZE.get(len(raw))
    if found is None:
        raise InvalidParameter("prehashed input must be 20, 28, 32, 48 or 64 bytes long")
    return found()
