"""`wrapping_key`, `keys/<name>/import`, `keys/<name>/import_version`: bring your own key."""

from __future__ import annotations

from strongroom.engines.transit.byok import (
    imported_public_version,
    imported_version,
    unwrap,
    wrapping_key,
)
from strongroom.engines.transit.encoding import decode_b64
from strongroom.engines.transit.keytypes import DEFAULT_TYPE, KeyType, key_type
from strongroom.engines.transit.material import formatted_public_key
from strongroom.engines.transit.params import NAME_FIELD, named
from strongroom.engines.transit.paths_keys import check_auto_rotate, check_creation
from strongroom.engines.transit.records import KeyPolicy, KeyVersion, unb64
from strongroom.engines.transit.store import KeyStore
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

_KEY_FIELDS = {
    **NAME_FIELD,
    "ciphertext": Field(FieldType.STRING, "the wrapped key (base64)"),
    "public_key": Field(FieldType.STRING, "a PEM public key (asymmetric types)"),
    "hash_function": Field(FieldType.STRING, "OAEP hash of the wrapped AES key", default="SHA256"),
}
IMPORT_FIELDS = {
    **_KEY_FIELDS,
    "type": Field(FieldType.STRING, "the key type", default=DEFAULT_TYPE),
    "allow_rotation": Field(FieldType.BOOL, "allow rotation inside the server", default=False),
    "derived": Field(FieldType.BOOL, "derive a key per context", default=False),
    "exportable": Field(FieldType.BOOL, "allow export", default=False),
    "allow_plaintext_backup": Field(FieldType.BOOL, "allow plaintext backup", default=False),
    "auto_rotate_period": Field(FieldType.DURATION, "rotate automatically (0: never)", default=0),
    "context": Field(FieldType.STRING, "unused"),
    "convergent_encryption": Field(FieldType.BOOL, "not supported on import"),
}
IMPORT_VERSION_FIELDS = {
    **_KEY_FIELDS,
    "version": Field(FieldType.INT, "add the private key to this public-only version"),
}


class ImportPaths:
    def __init__(self, store: KeyStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        return [
            PathSpec("wrapping_key", {Operation.READ: self.read_wrapping_key}),
            PathSpec(f"keys/{named()}/import", {Operation.UPDATE: self.import_key}, IMPORT_FIELDS),
            PathSpec(
                f"keys/{named()}/import_version",
                {Operation.UPDATE: self.import_version},
                IMPORT_VERSION_FIELDS,
            ),
        ]

    async def read_wrapping_key(self, request: Request, data: FieldData) -> Response:
        key = await wrapping_key(self._store)
        return Response({"public_key": formatted_public_key(key.material(key.latest))})

    async def _version(self, kind: KeyType, data: FieldData) -> KeyVersion:
        ciphertext, public_key = data.get("ciphertext"), data.get("public_key")
        if ciphertext and public_key:
            raise InvalidParameter(
                "only one of the following fields, ciphertext and public_key, can be set"
            )
        now = self._store.now_ns()
        if public_key:
            return imported_public_version(kind, public_key, now)
        if not ciphertext:
            raise InvalidParameter("missing ciphertext or public_key")
        wrapping = await wrapping_key(self._store)
        raw = unwrap(wrapping, decode_b64(ciphertext, "ciphertext"), data.get("hash_function"))
        return imported_version(kind, raw, now)

    async def import_key(self, request: Request, data: FieldData) -> None:
        name = data.get("name")
        if data.has("convergent_encryption"):
            raise InvalidParameter(
                "import cannot be used on keys with convergent encryption enabled"
            )
        kind = key_type(str(data.get("type")).lower())
        period, rotation = data.get("auto_rotate_period"), data.get("allow_rotation")
        check_auto_rotate(period)
        if period and not rotation:
            raise InvalidParameter("allow_rotation must be set to true if auto-rotation is enabled")
        check_creation(kind, data.get("derived"), False, 0)
        if await self._store.exists(name):
            raise InvalidParameter(
                "the import path cannot be used with an existing key; "
                "use import_version to rotate an existing imported key"
            )
        version = await self._version(kind, data)
        async with self._store.lock(name):
            if await self._store.get_locked(name) is not None:
                raise InvalidParameter("the import path cannot be used with an existing key")
            await self._store.save(
                KeyPolicy(
                    name=name,
                    type=kind.name,
                    versions={1: version},
                    latest_version=1,
                    derived=data.get("derived"),
                    # Vault gives imported derived keys its legacy KDF: keep them compatible.
                    kdf=0 if data.get("derived") else 1,
                    exportable=data.get("exportable"),
                    allow_plaintext_backup=data.get("allow_plaintext_backup"),
                    auto_rotate_period=period,
                    key_size=len(unb64(version.key)) if kind.name == "hmac" else 0,
                    imported=True,
                    allow_imported_key_rotation=rotation,
                )
            )

    async def import_version(self, request: Request, data: FieldData) -> None:
        name = data.get("name")
        key = await self._store.get(name)
        if key is None:
            raise InvalidParameter("no key found with that name; to import a new key, use import")
        if not key.policy.imported:
            raise InvalidParameter(
                "the import_version endpoint can only be used with an imported key"
            )
        if key.policy.convergent_encryption:
            raise InvalidParameter(
                "import_version cannot be used on keys with convergent encryption"
            )
        version = await self._version(key.kind, data)
        async with self._store.lock(name):
            key = await self._store.get_locked(name)
            if key is None:
                raise InvalidParameter("no key found with that name")
            policy = key.policy
            target = data.get("version") if data.has("version") else None
            if target is None:
                target = policy.latest_version + 1
                # A private key for a latest version that holds only its public key fills it in.
                latest = policy.versions.get(policy.latest_version)
                fills = latest and not latest.has_private and version.has_private
                if fills and latest and latest.public_key == version.public_key:
                    target = policy.latest_version
            else:
                existing = policy.versions.get(target)
                if existing is None:
                    raise InvalidParameter("no such key version")
                if existing.has_private:
                    raise InvalidParameter("private key imported, key version cannot be updated")
                if not version.has_private:
                    raise InvalidParameter(
                        "cannot add a public key to a key version that already has a public key"
                    )
                if existing.public_key != version.public_key:
                    raise InvalidParameter("cannot import key, key pair does not match")
            if target in policy.versions:
                old = policy.versions[target]
                version = KeyVersion(
                    old.created,
                    key=version.key,
                    hmac_key=old.hmac_key,
                    private_key=version.private_key,
                    public_key=old.public_key,
                )
            await self._store.save(
                policy.with_changes(
                    versions={**policy.versions, target: version},
                    latest_version=max(target, policy.latest_version),
                )
            )
