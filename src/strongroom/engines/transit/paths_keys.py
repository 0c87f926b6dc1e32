"""`keys`, `keys/<name>`, `keys/<name>/config|rotate|trim`: the lifecycle of named keys."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.keytypes import (
    DEFAULT_TYPE,
    HMAC_MAX_KEY_SIZE,
    HMAC_MIN_KEY_SIZE,
    Family,
    KeyType,
    key_type,
)
from strongroom.engines.transit.params import NAME_FIELD, context_of, existing_key, named
from strongroom.engines.transit.records import CONVERGENT_VERSION, KeyPolicy, KeyVersion
from strongroom.engines.transit.render import key_info
from strongroom.engines.transit.store import KeyStore
from strongroom.errors import InvalidParameter, NotFound
from strongroom.framework import Field, FieldData, FieldType, Handler, PathSpec
from strongroom.logical import Operation, Request, Response

HOUR = 3600

CREATE_FIELDS = {
    **NAME_FIELD,
    "type": Field(FieldType.STRING, "the key type", default=DEFAULT_TYPE),
    "derived": Field(FieldType.BOOL, "derive a key per context (HKDF-SHA256)", default=False),
    "convergent_encryption": Field(
        FieldType.BOOL, "same plaintext and context give the same ciphertext", default=False
    ),
    "exportable": Field(FieldType.BOOL, "allow export of the key material", default=False),
    "allow_plaintext_backup": Field(FieldType.BOOL, "allow plaintext backups", default=False),
    "auto_rotate_period": Field(FieldType.DURATION, "rotate automatically (0: never)", default=0),
    "key_size": Field(FieldType.INT, "HMAC key size in bytes (32-512)", default=0),
    "context": Field(FieldType.STRING, "base64 context: read a derived key's public keys"),
}
LIST_FIELDS = {
    "after": Field(FieldType.STRING, "list the keys after this one"),
    "limit": Field(FieldType.INT, "at most this many keys", default=0),
}
CONFIG_FIELDS = {
    **NAME_FIELD,
    "min_decryption_version": Field(FieldType.INT, "oldest version that may decrypt/verify"),
    "min_encryption_version": Field(FieldType.INT, "oldest version that may encrypt/sign"),
    "deletion_allowed": Field(FieldType.BOOL, "allow the key to be deleted"),
    "exportable": Field(FieldType.BOOL, "allow export (cannot be unset)"),
    "allow_plaintext_backup": Field(FieldType.BOOL, "allow plaintext backup (cannot be unset)"),
    "auto_rotate_period": Field(FieldType.DURATION, "rotate automatically (0: never)"),
}
TRIM_FIELDS = {
    **NAME_FIELD,
    "min_available_version": Field(FieldType.INT, "delete every version below this one"),
}

HELP = """Named keys. A write creates the key (its settings cannot change later, except
`exportable` and `allow_plaintext_backup` from false to true through `config`); a read describes
it; a delete removes it when `deletion_allowed` is set. `rotate` adds a version, `trim` deletes
versions below `min_available_version`."""


def check_auto_rotate(period: int) -> None:
    if period and period < HOUR:
        raise InvalidParameter("auto rotate period must be 0 to disable or at least an hour")


def check_creation(kind: KeyType, derived: bool, convergent: bool, key_size: int) -> None:
    if convergent and not derived:
        raise InvalidParameter("convergent encryption requires derivation to be enabled")
    if derived and not kind.derivation:
        raise InvalidParameter(
            f"key derivation and convergent encryption not supported for keys of type {kind.name}"
        )
    if convergent and kind.family is not Family.AEAD:
        raise InvalidParameter(f"convergent encryption not supported for keys of type {kind.name}")
    if key_size and kind.family is not Family.HMAC:
        raise InvalidParameter(f"key_size is not valid for algorithm {kind.name}")
    if key_size and not HMAC_MIN_KEY_SIZE <= key_size <= HMAC_MAX_KEY_SIZE:
        raise InvalidParameter(
            f"invalid key_size: must be between {HMAC_MIN_KEY_SIZE} and {HMAC_MAX_KEY_SIZE}"
        )


async def build_policy(store: KeyStore, name: str, kind: KeyType, **settings: Any) -> KeyPolicy:
    """A new key with its first version."""
    key_size = settings.get("key_size", 0) or (32 if kind.family is Family.HMAC else 0)
    version = await store.new_version(kind, key_size)
    convergent = settings.get("convergent_encryption", False)
    if convergent:
        version = _with_convergent(version)
    return KeyPolicy(
        name=name,
        type=kind.name,
        versions={1: version},
        latest_version=1,
        convergent_version=-1 if convergent else 0,
        **{**settings, "key_size": key_size if kind.family is Family.HMAC else 0},
    )


def _with_convergent(version: KeyVersion) -> KeyVersion:
    return replace(version, convergent_version=CONVERGENT_VERSION)


class KeyPaths:
    def __init__(self, store: KeyStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        key_ops: dict[Operation, Handler] = {
            Operation.UPDATE: self.create,
            Operation.READ: self.read,
            Operation.DELETE: self.delete,
        }
        return [
            PathSpec("keys/?", {Operation.LIST: self.list_keys}, LIST_FIELDS, help=HELP),
            PathSpec(f"keys/{named()}", key_ops, CREATE_FIELDS, help=HELP),
            PathSpec(f"keys/{named()}/config", {Operation.UPDATE: self.configure}, CONFIG_FIELDS),
            PathSpec(f"keys/{named()}/rotate", {Operation.UPDATE: self.rotate}, NAME_FIELD),
            PathSpec(f"keys/{named()}/trim", {Operation.UPDATE: self.trim}, TRIM_FIELDS),
        ]

    async def list_keys(self, request: Request, data: FieldData) -> Response:
        limit = data.get("limit")
        names = await self._store.names(data.get("after") or None, limit if limit > 0 else None)
        if not names:
            raise NotFound()
        return Response({"keys": names})

    async def create(self, request: Request, data: FieldData) -> Response:
        name = data.get("name")
        kind = key_type(data.get("type"))
        derived, convergent = data.get("derived"), data.get("convergent_encryption")
        key_size = data.get("key_size")
        period = data.get("auto_rotate_period")
        check_auto_rotate(period)
        check_creation(kind, derived, convergent, key_size)
        settings = {
            "derived": derived,
            "convergent_encryption": convergent,
            "exportable": data.get("exportable"),
            "allow_plaintext_backup": data.get("allow_plaintext_backup"),
            "auto_rotate_period": period,
            "key_size": key_size,
        }

        async def build() -> KeyPolicy:
            return await build_policy(self._store, name, kind, **settings)

        key, created = await self._store.create(name, build)
        response = Response(key_info(key))
        if not created:
            response.warnings.append(f"key {name} already existed")
        return response

    async def read(self, request: Request, data: FieldData) -> Response:
        key = await self._store.get(data.get("name"))
        if key is None:
            raise NotFound()
        return Response(key_info(key, context_of(data)))

    async def delete(self, request: Request, data: FieldData) -> None:
        name = data.get("name")
        async with self._store.lock(name):
            key = await self._store.get_locked(name)
            if key is None:
                raise InvalidParameter("could not delete key; not found")
            if not key.policy.deletion_allowed:
                raise InvalidParameter("deletion is not allowed for this key")
            await self._store.delete(name)

    async def configure(self, request: Request, data: FieldData) -> Response:
        name = data.get("name")
        async with self._store.lock(name):
            key = await self._store.get_locked(name)
            if key is None:
                raise InvalidParameter("no existing key named the given name could be found")
            policy, warnings = _configured(key, data)
            if policy != key.policy:
                if policy.min_available_version > policy.min_encryption_version:
                    raise InvalidParameter(
                        "min encryption version should not be less than min available version"
                    )
                if policy.min_available_version > policy.min_decryption_version:
                    raise InvalidParameter(
                        "min decryption version should not be less then min available version"
                    )
                key = await self._store.save(policy)
        return Response(key_info(key), warnings=warnings)

    async def rotate(self, request: Request, data: FieldData) -> Response:
        name = data.get("name")
        before = await existing_key(self._store, data, "key not found")
        version = await self._store.new_version(before.kind, before.policy.key_size)
        async with self._store.lock(name):
            current = await self._store.get_locked(name)
            if current is None:
                raise InvalidParameter("key not found")
            rotated = await rotate_with(self._store, current, version)
        return Response(key_info(rotated))

    async def trim(self, request: Request, data: FieldData) -> Response:
        name = data.get("name")
        if not data.has("min_available_version"):
            raise InvalidParameter("missing min_available_version")
        wanted = data.get("min_available_version")
        async with self._store.lock(name):
            key = await self._store.get_locked(name)
            if key is None:
                raise InvalidParameter("invalid key name")
            policy = key.policy
            _check_trim(policy, wanted)
            kept = {n: v for n, v in policy.versions.items() if n >= wanted}
            key = await self._store.save(
                policy.with_changes(versions=kept, min_available_version=wanted)
            )
        return Response(key_info(key))


async def rotate_with(store: KeyStore, key: Key, version: KeyVersion) -> Key:
    """Append `version` as the next version of `key` (the caller holds the key's lock)."""
    policy = key.policy
    if policy.imported and not policy.allow_imported_key_rotation:
        raise InvalidParameter("imported key does not allow rotation within the server")
    if policy.convergent_encryption:
        version = _with_convergent(version)
    latest = policy.latest_version + 1
    return await store.save(
        policy.with_changes(versions={**policy.versions, latest: version}, latest_version=latest)
    )


def _check_trim(policy: KeyPolicy, wanted: int) -> None:
    if wanted < policy.min_available_version:
        raise InvalidParameter("minimum available version cannot be decremented")
    if policy.min_encryption_version == 0:
        raise InvalidParameter(
            "minimum available version cannot be set when minimum encryption version is not set"
        )
    if wanted > policy.min_encryption_version:
        raise InvalidParameter(
            "minimum available version cannot be greater than minimum encryption version"
        )
    if wanted > policy.min_decryption_version:
        raise InvalidParameter(
            "minimum available version cannot be greater than minimum decryption version"
        )
    if wanted <= 0:
        raise InvalidParameter("minimum available version should be positive")


def _configured(key: Key, data: FieldData) -> tuple[KeyPolicy, list[str]]:
    policy, warnings = key.policy, []
    changes: dict[str, Any] = {}
    if data.has("min_decryption_version"):
        wanted = data.get("min_decryption_version")
        if wanted < 0:
            raise InvalidParameter("min decryption version cannot be negative")
        if wanted == 0:
            wanted = 1
            warnings.append("transit key numbering starts at 1; forcing minimum to 1")
        if wanted > policy.latest_version:
            raise InvalidParameter(
                f"cannot set min decryption version of {wanted}, "
                f"latest key version is {policy.latest_version}"
            )
        changes["min_decryption_version"] = wanted
    if data.has("min_encryption_version"):
        wanted = data.get("min_encryption_version")
        if wanted < 0:
            raise InvalidParameter("min encryption version cannot be negative")
        if wanted > policy.latest_version:
            raise InvalidParameter(
                f"cannot set min encryption version of {wanted}, "
                f"latest key version is {policy.latest_version}"
            )
        changes["min_encryption_version"] = wanted
    if data.has("deletion_allowed"):
        changes["deletion_allowed"] = data.get("deletion_allowed")
    # Exportable and plaintext backup can be switched on, never off.
    if data.has("exportable") and data.get("exportable"):
        changes["exportable"] = True
    if data.has("allow_plaintext_backup") and data.get("allow_plaintext_backup"):
        changes["allow_plaintext_backup"] = True
    if data.has("auto_rotate_period"):
        period = data.get("auto_rotate_period")
        check_auto_rotate(period)
        changes["auto_rotate_period"] = period
    updated = policy.with_changes(**changes)
    if 0 < updated.min_encryption_version < updated.min_decryption_version:
        raise InvalidParameter(
            "cannot set min encryption/decryption values; min encryption version of "
            f"{updated.min_encryption_version} must be greater than or equal to min decryption "
            f"version of {updated.min_decryption_version}"
        )
    return updated, warnings
