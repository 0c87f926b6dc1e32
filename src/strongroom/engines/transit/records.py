"""The persisted records of transit. Fields are only ever appended; `format` marks the layout.

    policy/<name>       KeyPolicy: a named key's settings and every available version
    config/keys         KeysConfig (`disable_upsert`)
    config/cache        CacheConfig (`size` of the key cache; 0 = unlimited)
    wrapping_key        KeyPolicy of the RSA-4096 key that wraps BYOK imports

Key material is base64 in the JSON record; the barrier encrypts the whole record and binds it to
its path. Asymmetric private keys are PKCS#8 DER, public keys SubjectPublicKeyInfo DER. Times are
integer nanoseconds since the Unix epoch (Vault reports key creation with nanoseconds).
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field, replace
from typing import Any, TypeVar

import orjson

from strongroom.errors import InternalError
from strongroom.logical.records import known_fields, load_record

FORMAT_VERSION = 1
KDF_HMAC_SHA256_COUNTER = 0  # Vault's legacy KDF (keys imported with `derived`)
KDF_HKDF_SHA256 = 1
# Convergent encryption: version 3 derives the nonce from an HMAC of the plaintext. Older
# schemes are refused, as OpenBao does.
CONVERGENT_VERSION = 3

T = TypeVar("T")


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text) if text else b""


@dataclass(frozen=True, slots=True)
class KeyVersion:
    created: int  # nanoseconds since the epoch
    key: str = ""  # symmetric or HMAC key; Ed25519: seed ‖ public key (Vault's 64 bytes)
    hmac_key: str = ""  # the version's own key for `hmac`
    private_key: str = ""  # asymmetric: PKCS#8 DER; empty for a public-only version
    public_key: str = ""  # asymmetric: SubjectPublicKeyInfo DER
    convergent_version: int = 0
    format: int = FORMAT_VERSION

    @property
    def has_private(self) -> bool:
        return bool(self.key or self.private_key)


@dataclass(frozen=True, slots=True)
class BackupInfo:
    time: int  # nanoseconds
    version: int


@dataclass(frozen=True, slots=True)
class KeyPolicy:
    name: str
    type: str
    versions: dict[int, KeyVersion] = field(default_factory=dict)
    latest_version: int = 0
    min_decryption_version: int = 1
    min_encryption_version: int = 0
    min_available_version: int = 0
    deletion_allowed: bool = False
    derived: bool = False
    kdf: int = KDF_HKDF_SHA256
    convergent_encryption: bool = False
    convergent_version: int = 0  # -1: each version carries its own (always, for new keys)
    exportable: bool = False
    allow_plaintext_backup: bool = False
    auto_rotate_period: int = 0  # seconds; 0 = never
    key_size: int = 0  # HMAC keys: bytes
    imported: bool = False
    allow_imported_key_rotation: bool = False
    backup_info: BackupInfo | None = None
    restore_info: BackupInfo | None = None
    format: int = FORMAT_VERSION

    def with_changes(self, **changes: Any) -> KeyPolicy:
        return replace(self, **changes)

    def serialize(self) -> bytes:
        return orjson.dumps(self, option=orjson.OPT_NON_STR_KEYS)

    @classmethod
    def deserialize(cls, raw: bytes) -> KeyPolicy:
        document = known_fields(cls, _load(raw, "transit key"))
        try:
            versions = {
                int(n): KeyVersion(**known_fields(KeyVersion, v))
                for n, v in document.pop("versions", {}).items()
            }
            backup, restore = document.pop("backup_info", None), document.pop("restore_info", None)
            return cls(
                versions=versions,
                backup_info=BackupInfo(**backup) if backup else None,
                restore_info=BackupInfo(**restore) if restore else None,
                **document,
            )
        except (AttributeError, TypeError, ValueError):
            raise InternalError("a stored transit key record is unreadable") from None


@dataclass(frozen=True, slots=True)
class KeysConfig:
    disable_upsert: bool = False
    format: int = FORMAT_VERSION

    def serialize(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def deserialize(cls, raw: bytes) -> KeysConfig:
        return cls(**known_fields(cls, _load(raw, "transit keys configuration")))


@dataclass(frozen=True, slots=True)
class CacheConfig:
    size: int = 0
    format: int = FORMAT_VERSION

    def serialize(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def deserialize(cls, raw: bytes) -> CacheConfig:
        return cls(**known_fields(cls, _load(raw, "transit cache configuration")))


def _load(raw: bytes, what: str) -> dict[str, Any]:
    return load_record(raw, what, FORMAT_VERSION)
