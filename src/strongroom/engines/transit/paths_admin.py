"""`export/<type>/<name>[/<version>]`, `backup/<name>`, `restore[/<name>]`, `config/keys`,
`cache-config`: moving keys out and in, and the mount-wide settings."""

from __future__ import annotations

from strongroom.engines.transit.backup import read_backup, write_backup
from strongroom.engines.transit.export import (
    EXPORT_TYPES,
    FORMATS,
    check_export,
    export_material,
    export_versions,
)
from strongroom.engines.transit.params import NAME, NAME_FIELD, named
from strongroom.engines.transit.records import BackupInfo, CacheConfig, KeysConfig
from strongroom.engines.transit.store import MIN_CACHE_SIZE, KeyStore
from strongroom.errors import InvalidParameter, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

EXPORT_FIELDS = {
    **NAME_FIELD,
    "type": Field(FieldType.STRING, "encryption-key, signing-key, hmac-key or public-key"),
    "version": Field(FieldType.STRING, "a version number or `latest` (default: all)"),
    "format": Field(FieldType.STRING, "``, raw, der or pem", default=""),
}
RESTORE_FIELDS = {
    "name": Field(FieldType.STRING, "restore under this name"),
    "backup": Field(FieldType.STRING, "the backup (base64)"),
    "force": Field(FieldType.BOOL, "replace an existing key", default=False),
}
KEYS_CONFIG_FIELDS = {"disable_upsert": Field(FieldType.BOOL, "refuse upsert on encrypt")}
CACHE_FIELDS = {"size": Field(FieldType.INT, "cached keys (0: unlimited, else >= 10)", default=0)}


class AdminPaths:
    def __init__(self, store: KeyStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        config_ops = {
            Operation.READ: self.read_keys_config,
            Operation.UPDATE: self.write_keys_config,
        }
        cache_ops = {Operation.READ: self.read_cache, Operation.UPDATE: self.write_cache}
        return [
            PathSpec(
                rf"export/(?P<type>[\w\-]+)/{named()}(?:/(?P<version>{NAME}))?",
                {Operation.READ: self.export},
                EXPORT_FIELDS,
                help="Export an exportable key's versions (public keys of any key).",
            ),
            PathSpec(f"backup/{named()}", {Operation.READ: self.backup}, NAME_FIELD),
            PathSpec(f"restore(?:/{named()})?", {Operation.UPDATE: self.restore}, RESTORE_FIELDS),
            PathSpec("config/keys", config_ops, KEYS_CONFIG_FIELDS),
            PathSpec("cache-config", cache_ops, CACHE_FIELDS),
        ]

    async def export(self, request: Request, data: FieldData) -> Response:
        export_type, output = data.get("type"), data.get("format")
        if export_type not in EXPORT_TYPES:
            raise InvalidParameter(f"invalid export type; supported: {', '.join(EXPORT_TYPES)}")
        if output not in FORMATS:
            raise InvalidParameter("invalid format; supported: raw, der, pem")
        key = await self._store.get(data.get("name"))
        if key is None:
            raise NotFound()
        if not key.policy.exportable and export_type != "public-key":
            raise InvalidParameter("private key material is not exportable")
        check_export(key.kind, export_type)
        versions = export_versions(key, data.get("version") or "")
        keys = {str(n): export_material(key.materials[n], export_type, output) for n in versions}
        return Response({"name": key.name, "type": key.kind.name, "keys": keys})

    async def backup(self, request: Request, data: FieldData) -> Response:
        name = data.get("name")
        async with self._store.lock(name):
            key = await self._store.get_locked(name)
            if key is None:
                raise InvalidParameter("key not found")
            if not key.policy.exportable:
                raise InvalidParameter("exporting is disallowed on the policy")
            if not key.policy.allow_plaintext_backup:
                raise InvalidParameter("plaintext backup is disallowed on the policy")
            info = BackupInfo(self._store.now_ns(), key.latest)
            key = await self._store.save(key.policy.with_changes(backup_info=info))
        return Response({"backup": write_backup(key)})

    async def restore(self, request: Request, data: FieldData) -> None:
        backup = data.get("backup") or ""
        if not backup:
            raise InvalidParameter("'backup' must be supplied")
        policy = read_backup(backup, self._store.now_ns(), data.get("name") or "")
        if not policy.name or "/" in policy.name:
            raise InvalidParameter("key names cannot be paths")
        async with self._store.lock(policy.name):
            existing = await self._store.get_locked(policy.name)
            if existing is not None and not data.get("force"):
                raise InvalidParameter("key already exists")
            await self._store.save(policy)

    async def read_keys_config(self, request: Request, data: FieldData) -> Response:
        config = await self._store.keys_config()
        return Response({"disable_upsert": config.disable_upsert})

    async def write_keys_config(self, request: Request, data: FieldData) -> Response:
        config = KeysConfig(disable_upsert=bool(data.get("disable_upsert")))
        await self._store.put_keys_config(config)
        return Response({"disable_upsert": config.disable_upsert})

    async def read_cache(self, request: Request, data: FieldData) -> Response:
        return Response({"size": (await self._store.cache_config()).size})

    async def write_cache(self, request: Request, data: FieldData) -> Response:
        size = data.get("size")
        if size < 0 or 0 < size < MIN_CACHE_SIZE:
            raise InvalidParameter(
                f"size must be 0 or a value greater or equal to {MIN_CACHE_SIZE}"
            )
        await self._store.put_cache_config(CacheConfig(size=size))
        return Response({"size": size})
