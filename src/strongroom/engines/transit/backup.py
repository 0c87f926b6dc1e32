"""Backups in Vault/OpenBao's format, so a key moves between them and Strongroom both ways.

A backup is base64 of the JSON `{"policy": <keysutil.Policy>, "archived_keys": {"keys": [...]}}`
that Vault's `Policy.Backup` writes: Go field names, key types as Vault's enum numbers, `[]byte`
as base64, big integers (EC and RSA parameters) as JSON numbers, times as RFC 3339, durations as
nanoseconds. `policy.keys` holds the versions from `min_decryption_version` on; the archive holds
every version from `min_available_version` (index 0) to the latest. The post-quantum types are
Strongroom's own (type numbers above 1000; PKCS#8 and SubjectPublicKeyInfo DER as `key` and
`public_key`).

A restored backup is untrusted input: every key is parsed and checked as an import would be.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.keytypes import BY_VAULT_ID, Family, KeyType
from strongroom.engines.transit.material import (
    Material,
    check_family,
    formatted_public_key,
    public_der,
    version_from_private,
    version_from_public,
)
from strongroom.engines.transit.records import BackupInfo, KeyPolicy, KeyVersion, b64
from strongroom.engines.transit.render import rfc3339_nano
from strongroom.errors import InvalidParameter

_NS = 1_000_000_000
_CURVES: dict[int, ec.EllipticCurve] = {
    256: ec.SECP256R1(),
    384: ec.SECP384R1(),
    521: ec.SECP521R1(),
}
_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)")


# --- writing ---------------------------------------------------------------------------------


def write_backup(key: Key) -> str:
    policy = key.policy
    start = policy.min_available_version
    document = {
        "policy": _policy_document(key),
        "archived_keys": {
            "keys": [
                _entry(key.materials[n]) if n in key.materials else _empty_entry()
                for n in range(start, policy.latest_version + 1)
            ]
        },
    }
    return base64.b64encode(json.dumps(document).encode()).decode()


def _policy_document(key: Key) -> dict[str, Any]:
    policy = key.policy
    document: dict[str, Any] = {
        "name": policy.name,
        "keys": {
            str(n): _entry(m)
            for n, m in sorted(key.materials.items())
            if n >= policy.min_decryption_version
        },
        "derived": policy.derived,
        "kdf": policy.kdf,
        "convergent_encryption": policy.convergent_encryption,
        "exportable": policy.exportable,
        "min_decryption_version": policy.min_decryption_version,
        "min_encryption_version": policy.min_encryption_version,
        "latest_version": policy.latest_version,
        "archive_version": policy.latest_version,
        "archive_min_version": policy.min_available_version,
        "min_available_version": policy.min_available_version,
        "deletion_allowed": policy.deletion_allowed,
        "convergent_version": policy.convergent_version,
        "type": key.kind.vault_id,
        "backup_info": _info(policy.backup_info),
        "restore_info": _info(policy.restore_info),
        "allow_plaintext_backup": policy.allow_plaintext_backup,
        "version_template": "",
        "storage_prefix": "",
        "auto_rotate_period": policy.auto_rotate_period * _NS,
        "Imported": policy.imported,
        "AllowImportedKeyRotation": policy.allow_imported_key_rotation,
        "soft_deleted": False,
    }
    if policy.key_size:
        document["key_size"] = policy.key_size
    return document


def _info(info: BackupInfo | None) -> dict[str, Any] | None:
    return None if info is None else {"time": rfc3339_nano(info.time), "version": info.version}


def _empty_entry() -> dict[str, Any]:
    return {
        "key": None,
        "hmac_key": None,
        "time": "0001-01-01T00:00:00Z",
        "ec_x": None,
        "ec_y": None,
        "ec_d": None,
        "rsa_key": None,
        "rsa_public_key": None,
        "public_key": "",
        "convergent_version": 0,
        "creation_time": 0,
        "certificate_chain": None,
        "external_key_ref": "",
    }


def _entry(material: Material) -> dict[str, Any]:
    entry = _empty_entry()
    record, family = material.record, material.kind.family
    entry.update(
        hmac_key=record.hmac_key or None,
        time=rfc3339_nano(material.created),
        creation_time=material.created // _NS,
        convergent_version=record.convergent_version,
    )
    if family in (Family.AEAD, Family.HMAC):
        entry["key"] = record.key
    elif family is Family.ED25519:
        entry["key"] = record.key or None
        entry["public_key"] = formatted_public_key(material)
    elif family is Family.ECDSA:
        numbers = material.public().public_numbers()
        entry.update(ec_x=numbers.x, ec_y=numbers.y, public_key=formatted_public_key(material))
        if material.has_private:
            entry["ec_d"] = material.private().private_numbers().private_value
    elif family is Family.RSA:
        public = material.public().public_numbers()
        entry["rsa_public_key"] = {"N": public.n, "E": public.e}
        if material.has_private:
            entry["rsa_key"] = _rsa_document(material.private().private_numbers())
    else:
        entry["key"] = record.private_key or None
        entry["public_key"] = record.public_key
    return entry


def _rsa_document(numbers: rsa.RSAPrivateNumbers) -> dict[str, Any]:
    public = numbers.public_numbers
    return {
        "N": public.n,
        "E": public.e,
        "D": numbers.d,
        "Primes": [numbers.p, numbers.q],
        "Precomputed": {
            "Dp": numbers.dmp1,
            "Dq": numbers.dmq1,
            "Qinv": numbers.iqmp,
            "CRTValues": [],
        },
    }


# --- reading ---------------------------------------------------------------------------------


class _Fields:
    """A Go-decoded JSON object: field names match case-insensitively, as in encoding/json."""

    def __init__(self, document: Any) -> None:
        if not isinstance(document, dict):
            raise InvalidParameter("invalid backup: not a transit key backup")
        self._by_lower = {str(k).lower(): v for k, v in document.items()}

    def get(self, name: str, default: Any = None) -> Any:
        value = self._by_lower.get(name.lower())
        return default if value is None else value


def read_backup(backup: str, now: int, name: str = "") -> KeyPolicy:
    """The key in `backup`, renamed to `name` if given, marked as restored at `now`."""
    try:
        document = json.loads(base64.b64decode(backup, validate=True))
    except (binascii.Error, ValueError):
        raise InvalidParameter("invalid backup: not base64-encoded JSON") from None
    top = _Fields(document)
    policy = _Fields(top.get("policy"))
    kind = BY_VAULT_ID.get(_int(policy.get("type", 0)))
    if kind is None:
        raise InvalidParameter("invalid backup: unsupported key type")
    latest = _int(policy.get("latest_version", 0))
    min_available = _int(policy.get("min_available_version", 0))
    if latest < 1:
        raise InvalidParameter("invalid backup: no key versions")
    entries: dict[int, Any] = {}
    archived = _Fields(top.get("archived_keys") or {}).get("keys", [])
    for index, entry in enumerate(archived if isinstance(archived, list) else []):
        entries[index + min_available] = entry
    for number, entry in (policy.get("keys") or {}).items():
        entries[_int(number)] = entry
    versions = {
        n: _version(kind, _Fields(entry))
        for n, entry in entries.items()
        if max(min_available, 1) <= n <= latest
    }
    if set(versions) != set(range(max(min_available, 1), latest + 1)):
        raise InvalidParameter("invalid backup: key versions are missing")
    return KeyPolicy(
        name=name or str(policy.get("name", "")),
        type=kind.name,
        versions=versions,
        latest_version=latest,
        min_decryption_version=max(_int(policy.get("min_decryption_version", 1)), 1),
        min_encryption_version=_int(policy.get("min_encryption_version", 0)),
        min_available_version=min_available,
        deletion_allowed=bool(policy.get("deletion_allowed", False)),
        derived=bool(policy.get("derived", False)),
        kdf=_int(policy.get("kdf", 0)),
        convergent_encryption=bool(policy.get("convergent_encryption", False)),
        convergent_version=_int(policy.get("convergent_version", 0)),
        exportable=bool(policy.get("exportable", False)),
        allow_plaintext_backup=bool(policy.get("allow_plaintext_backup", False)),
        auto_rotate_period=_int(policy.get("auto_rotate_period", 0)) // _NS,
        key_size=_int(policy.get("key_size", 0)),
        imported=bool(policy.get("imported", False)),
        allow_imported_key_rotation=bool(policy.get("allowimportedkeyrotation", False)),
        backup_info=_read_info(policy.get("backup_info")),
        restore_info=BackupInfo(now, latest),
    )


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidParameter("invalid backup: a number has the wrong type")
    try:
        return int(value)
    except ValueError:
        raise InvalidParameter("invalid backup: a number has the wrong type") from None


def parse_time(text: Any) -> int:
    """Nanoseconds of a Go RFC 3339 time (0 when absent or unparsable)."""
    match = _TIME.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return 0
    whole, fraction, zone = match.groups()
    stamp = datetime.fromisoformat(whole + ("+00:00" if zone == "Z" else zone))
    return int(stamp.timestamp()) * _NS + int((fraction or "0").ljust(9, "0"))


def _read_info(value: Any) -> BackupInfo | None:
    if not isinstance(value, dict):
        return None
    info = _Fields(value)
    return BackupInfo(parse_time(info.get("time")), _int(info.get("version", 0)))


def _bytes(value: Any) -> bytes:
    if not value:
        return b""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise InvalidParameter("invalid backup: key material is not base64") from None


def _version(kind: KeyType, entry: _Fields) -> KeyVersion:
    created = parse_time(entry.get("time")) or _int(entry.get("creation_time", 0)) * _NS
    hmac_key = _bytes(entry.get("hmac_key"))
    try:
        version = _material(kind, entry, created, hmac_key)
    except (TypeError, ValueError):
        raise InvalidParameter(f"invalid backup: a {kind.name} key is malformed") from None
    return version


def _material(kind: KeyType, entry: _Fields, created: int, hmac_key: bytes) -> KeyVersion:
    family = kind.family
    if family in (Family.AEAD, Family.HMAC):
        key = _bytes(entry.get("key"))
        if family is Family.AEAD and len(key) != kind.size:
            raise ValueError
        return KeyVersion(created, key=b64(key), hmac_key=b64(hmac_key or key))
    if family is Family.ED25519:
        key = _bytes(entry.get("key"))
        if key:
            return version_from_private(
                kind, ed25519.Ed25519PrivateKey.from_private_bytes(key[:32]), created, hmac_key
            )
        public = ed25519.Ed25519PublicKey.from_public_bytes(_bytes(entry.get("public_key")))
        return _public_version(public, created, hmac_key)
    if family is Family.ECDSA:
        curve = _CURVES[kind.size]
        public_numbers = ec.EllipticCurvePublicNumbers(
            _int(entry.get("ec_x")), _int(entry.get("ec_y")), curve
        )
        if entry.get("ec_d") is None:
            return _public_version(public_numbers.public_key(), created, hmac_key)
        numbers = ec.EllipticCurvePrivateNumbers(_int(entry.get("ec_d")), public_numbers)
        return version_from_private(kind, numbers.private_key(), created, hmac_key)
    if family is Family.RSA:
        return _rsa_version(kind, entry, created, hmac_key)
    key = _bytes(entry.get("key"))
    if key:
        loaded = serialization.load_der_private_key(key, None)
        check_family(kind, loaded)
        return version_from_private(kind, loaded, created, hmac_key)
    loaded_public = serialization.load_der_public_key(_bytes(entry.get("public_key")))
    check_family(kind, loaded_public)
    return _public_version(loaded_public, created, hmac_key)


def _rsa_version(kind: KeyType, entry: _Fields, created: int, hmac_key: bytes) -> KeyVersion:
    document = entry.get("rsa_key")
    if document is None:
        public = _Fields(entry.get("rsa_public_key"))
        numbers = rsa.RSAPublicNumbers(_int(public.get("E")), _int(public.get("N")))
        key: Any = numbers.public_key()
        check_family(kind, key)
        return _public_version(key, created, hmac_key)
    fields = _Fields(document)
    primes = fields.get("Primes") or []
    if len(primes) != 2:
        raise ValueError
    p, q, d = _int(primes[0]), _int(primes[1]), _int(fields.get("D"))
    public_numbers = rsa.RSAPublicNumbers(_int(fields.get("E")), _int(fields.get("N")))
    private = rsa.RSAPrivateNumbers(
        p,
        q,
        d,
        rsa.rsa_crt_dmp1(d, p),
        rsa.rsa_crt_dmq1(d, q),
        rsa.rsa_crt_iqmp(p, q),
        public_numbers,
    ).private_key()
    check_family(kind, private)
    return version_from_private(kind, private, created, hmac_key)


def _public_version(public: Any, created: int, hmac_key: bytes) -> KeyVersion:
    version = version_from_public(public, created)
    if hmac_key:
        version = KeyVersion(created, hmac_key=b64(hmac_key), public_key=public_der(public))
    return version
