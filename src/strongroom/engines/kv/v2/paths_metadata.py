"""`metadata/<path>`: a secret's settings and version history (read, write, patch, delete all
versions) and the listing of secrets; `detailed-metadata/<folder>` (OpenBao): a listing with
each secret's metadata."""

from __future__ import annotations

from strongroom.engines.kv.v2 import settings
from strongroom.engines.kv.v2.params import (
    LIST_FIELDS,
    PATH,
    PATH_FIELD,
    folder,
    page,
    readable_path,
    secret_path,
)
from strongroom.engines.kv.v2.records import KeyMetadata
from strongroom.engines.kv.v2.render import metadata_view
from strongroom.engines.kv.v2.store import KvStore
from strongroom.errors import NotFound
from strongroom.framework import FieldData, PathSpec
from strongroom.logical import Operation, Request, Response

FIELDS = {**PATH_FIELD, **settings.FIELDS, **LIST_FIELDS}

HELP = """A secret's settings and version history.

A write sets `max_versions`, `cas_required`, `delete_version_after` and `custom_metadata` without
creating a version; a patch merges them; a delete removes every version and the metadata. A list
returns the secrets and folders under a folder, optionally from `after` and at most `limit`."""

DETAILED_HELP = "List the secrets under a folder with each secret's metadata (`key_info`)."


class MetadataPaths:
    def __init__(self, store: KvStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        operations = {
            Operation.READ: self.read,
            Operation.CREATE: self.write,
            Operation.UPDATE: self.write,
            Operation.PATCH: self.patch,
            Operation.DELETE: self.delete,
            Operation.LIST: self.list_keys,
        }
        detailed = {Operation.LIST: self.list_detailed}
        return [
            PathSpec(
                "metadata/" + PATH, operations, FIELDS, existence_check=self.exists, help=HELP
            ),
            PathSpec(
                "detailed-metadata/" + PATH,
                detailed,
                {**PATH_FIELD, **LIST_FIELDS},
                help=DETAILED_HELP,
            ),
        ]

    async def exists(self, request: Request, data: FieldData) -> bool:
        path = readable_path(data)
        return path is not None and await self._store.metadata(path) is not None

    async def read(self, request: Request, data: FieldData) -> Response:
        path = readable_path(data)
        meta = await self._store.metadata(path) if path else None
        if meta is None:
            raise NotFound()
        return Response(metadata_view(meta))

    async def write(self, request: Request, data: FieldData) -> Response | None:
        path = secret_path(data)
        changes = settings.requested(data)
        if not changes:
            return None
        config = await self._store.config()
        async with self._store.lock(path):
            now = self._store.now()
            meta = await self._store.metadata(path) or KeyMetadata(path, created=now)
            settings.apply(meta, changes, patch=False)
            meta.updated = now
            await self._store.save(meta)
        return _warned(settings.warnings(changes, config))

    async def patch(self, request: Request, data: FieldData) -> Response | None:
        path = secret_path(data)
        changes = settings.requested(data)
        config = await self._store.config()
        async with self._store.lock(path):
            meta = await self._store.metadata(path)
            if meta is None:
                return Response(status=404)
            settings.apply(meta, changes, patch=True)
            meta.updated = self._store.now()
            await self._store.save(meta)
        return _warned(settings.warnings(changes, config))

    async def delete(self, request: Request, data: FieldData) -> None:
        path = readable_path(data)
        if path is None:
            return
        async with self._store.lock(path):
            meta = await self._store.metadata(path)
            if meta is not None:
                await self._store.delete_secret(meta)

    async def list_keys(self, request: Request, data: FieldData) -> Response:
        return Response({"keys": await self._keys(data)})

    async def list_detailed(self, request: Request, data: FieldData) -> Response:
        prefix = folder(data)
        keys = await self._keys(data)
        key_info = {}
        for key in keys:
            meta = None if key.endswith("/") else await self._store.metadata(prefix + key)
            key_info[key] = metadata_view(meta) if meta is not None else {}
        return Response({"keys": keys, "key_info": key_info})

    async def _keys(self, data: FieldData) -> list[str]:
        after, limit = page(data)
        keys = await self._store.list_paths(folder(data), after, limit)
        if not keys:
            raise NotFound()
        return keys


def _warned(warnings: list[str]) -> Response | None:
    return Response(warnings=warnings) if warnings else None
