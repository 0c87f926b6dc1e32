"""The key types of transit: what each can do, and its number in Vault's persisted formats.

Capabilities follow OpenBao's `keysutil.KeyType` methods (`EncryptionSupported`, …). The
post-quantum types are a Strongroom extension: ML-DSA signs and verifies, ML-KEM-768 wraps data
keys (`datakey` encapsulates, `decrypt` decapsulates). They exist only when the installed
`cryptography` supports them; otherwise asking for one is a 400 that says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto

from strongroom.errors import InvalidParameter


class Family(Enum):
    AEAD = auto()
    HMAC = auto()
    ECDSA = auto()
    ED25519 = auto()
    RSA = auto()
    ML_DSA = auto()
    ML_KEM = auto()


@dataclass(frozen=True, slots=True)
class KeyType:
    name: str
    family: Family
    # Vault/OpenBao's enum value (policy JSON `type`); above 1000: Strongroom only.
    vault_id: int
    # Symmetric key length in bytes, RSA modulus bits, or 0.
    size: int = 0
    encryption: bool = False
    decryption: bool = False
    signing: bool = False
    derivation: bool = False
    # Name reported with each version's public key (`keys.<n>.name`).
    public_name: str = ""

    @property
    def symmetric(self) -> bool:
        return self.family in (Family.AEAD, Family.HMAC)

    @property
    def asymmetric(self) -> bool:
        return not self.symmetric

    @property
    def associated_data(self) -> bool:
        return self.family is Family.AEAD

    @property
    def public_import(self) -> bool:
        return self.family in (Family.ECDSA, Family.ED25519, Family.RSA)


def _aead(name: str, vault_id: int, size: int) -> KeyType:
    return KeyType(name, Family.AEAD, vault_id, size, True, True, False, True)


def _rsa(bits: int, vault_id: int) -> KeyType:
    name = f"rsa-{bits}"
    return KeyType(name, Family.RSA, vault_id, bits, True, True, True, False, name)


CURVE_NAMES = {256: "P-256", 384: "P-384", 521: "P-521"}


def _ecdsa(curve: int, vault_id: int) -> KeyType:
    name = f"ecdsa-p{curve}"
    return KeyType(
        name, Family.ECDSA, vault_id, curve, signing=True, public_name=CURVE_NAMES[curve]
    )


_TYPES = [
    _aead("aes256-gcm96", 0, 32),
    _ecdsa(256, 1),
    KeyType("ed25519", Family.ED25519, 2, signing=True, derivation=True, public_name="ed25519"),
    _rsa(2048, 3),
    _rsa(4096, 4),
    _aead("chacha20-poly1305", 5, 32),
    _ecdsa(384, 6),
    _ecdsa(521, 7),
    _aead("aes128-gcm96", 8, 16),
    _rsa(3072, 9),
    KeyType("hmac", Family.HMAC, 10),
    KeyType("ml-dsa-44", Family.ML_DSA, 1001, 44, signing=True, public_name="ml-dsa-44"),
    KeyType("ml-dsa-65", Family.ML_DSA, 1002, 65, signing=True, public_name="ml-dsa-65"),
    KeyType("ml-dsa-87", Family.ML_DSA, 1003, 87, signing=True, public_name="ml-dsa-87"),
    KeyType("ml-kem-768", Family.ML_KEM, 1004, 768, decryption=True, public_name="ml-kem-768"),
]
KEY_TYPES = {key_type.name: key_type for key_type in _TYPES}
BY_VAULT_ID = {key_type.vault_id: key_type for key_type in _TYPES}
DEFAULT_TYPE = "aes256-gcm96"
HMAC_MIN_KEY_SIZE = 32
HMAC_MAX_KEY_SIZE = 512


def post_quantum_available(family: Family) -> bool:
    """Whether the installed `cryptography` (and its OpenSSL) has ML-DSA / ML-KEM."""
    try:
        from cryptography.hazmat.backends.openssl.backend import backend

        if family is Family.ML_DSA:
            return bool(backend.mldsa_supported())
        return bool(backend.mlkem_supported())
    except (AttributeError, ImportError):
        return False


def key_type(name: str) -> KeyType:
    """The type called `name`; a 400 for unknown names and unavailable post-quantum types."""
    found = KEY_TYPES.get(name)
    if found is None:
        raise InvalidParameter(f"unknown key type; supported types: {', '.join(KEY_TYPES)}")
    if found.family in (Family.ML_DSA, Family.ML_KEM) and not post_quantum_available(found.family):
        raise InvalidParameter(
            "this key type needs a cryptography library with ML-DSA/ML-KEM support"
        )
    return found
