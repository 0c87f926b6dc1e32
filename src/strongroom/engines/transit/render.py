"""A key's description, in exactly the shape Vault/OpenBao return from `keys/<name>`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.keytypes import Family
from strongroom.engines.transit.material import ed25519_public_b64, formatted_public_key
from strongroom.engines.transit.records import KDF_HKDF_SHA256, BackupInfo

_NS = 1_000_000_000


def rfc3339_nano(ns: int) -> str:
    """Go's `time.RFC3339Nano` in UTC: fraction without trailing zeros, none when whole."""
    seconds, fraction = divmod(ns, _NS)
    text = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        text += "." + f"{fraction:09d}".rstrip("0")
    return text + "Z"


def _info(info: BackupInfo) -> dict[str, Any]:
    return {"time": rfc3339_nano(info.time), "version": info.version}


def key_info(key: Key, context: bytes = b"") -> dict[str, Any]:
    policy, kind = key.policy, key.kind
    data: dict[str, Any] = {
        "name": policy.name,
        "type": kind.name,
        "derived": policy.derived,
        "deletion_allowed": policy.deletion_allowed,
        "min_available_version": policy.min_available_version,
        "min_decryption_version": policy.min_decryption_version,
        "min_encryption_version": policy.min_encryption_version,
        "latest_version": policy.latest_version,
        "exportable": policy.exportable,
        "allow_plaintext_backup": policy.allow_plaintext_backup,
        "supports_encryption": kind.encryption,
        "supports_decryption": kind.decryption,
        "supports_signing": kind.signing,
        "supports_derivation": kind.derivation,
        "auto_rotate_period": policy.auto_rotate_period,
        "imported_key": policy.imported,
        "soft_deleted": False,
    }
    if policy.key_size:
        data["key_size"] = policy.key_size
    if policy.imported:
        data["imported_key_allow_rotation"] = policy.allow_imported_key_rotation
    if policy.backup_info is not None:
        data["backup_info"] = _info(policy.backup_info)
    if policy.restore_info is not None:
        data["restore_info"] = _info(policy.restore_info)
    if policy.derived:
        if policy.kdf == KDF_HKDF_SHA256:
            data["kdf"] = "hkdf_sha256"
        else:
            data["kdf"] = data["kdf_mode"] = "hmac-sha256-counter"
        data["convergent_encryption"] = policy.convergent_encryption
        if policy.convergent_encryption:
            data["convergent_encryption_version"] = policy.convergent_version
    if kind.family is Family.AEAD:
        data["keys"] = {str(n): m.created // _NS for n, m in sorted(key.materials.items())}
    elif kind.asymmetric:
        data["keys"] = {str(n): _public_version(key, n, context) for n in sorted(key.materials)}
    return data


def _public_version(key: Key, version: int, context: bytes) -> dict[str, Any]:
    material = key.materials[version]
    if key.kind.family is Family.ED25519 and key.policy.derived:
        public = ""
        if context:
            seed = key.derive(version, context, 32)
            public = ed25519_public_b64(ed25519.Ed25519PrivateKey.from_private_bytes(seed))
    else:
        public = formatted_public_key(material)
    return {
        "name": key.kind.public_name,
        "public_key": public,
        "certificate_chain": "",
        "creation_time": rfc3339_nano(material.created),
    }
