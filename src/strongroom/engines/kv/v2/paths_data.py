"""`data/<path>`: read a version, write a new one (whole or as a merge patch), soft-delete the
latest."""

from __future__ import annotations

from typing import Any

from strongroom.engines.kv.v2.merge_patch import merge_patch
from strongroom.engines.kv.v2.params import (
    PATH,
    PATH_FIELD,
    check_and_set,
    readable_path,
    secret_path,
)
from strongroom.engines.kv.v2.records import KeyMetadata, MountConfig
from strongroom.engines.kv.v2.render import version_view
from strongroom.engines.kv.v2.store import KvStore
from strongroom.errors import InvalidParameter, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

FIELDS = {
    **PATH_FIELD,
    "version": Field(FieldType.INT, "the version to read (0: the current one)", default=0),
    "data": Field(FieldType.MAP, "the secret's data (a JSON object)"),
    "options": Field(FieldType.MAP, "write options: `cas`, the expected current version"),
}

HELP = """Write, patch, read and delete the versioned data of a secret.

A write stores a new version; `options.cas` makes it conditional on the current version (0: only
if the secret does not exist). A patch applies a JSON merge patch to the current version. A read
returns the current version, or `version`. A delete marks the current version deleted; it can be
undeleted."""


class DataPaths:
    def __init__(self, store: KvStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        operations = {
            Operation.READ: self.read,
            Operation.CREATE: self.write,
            Operation.UPDATE: self.write,
            Operation.PATCH: self.patch,
            Operation.DELETE: self.delete,
        }
        return [
            PathSpec("data/" + PATH, operations, FIELDS, existence_check=self.exists, help=HELP)
        ]

    async def exists(self, request: Request, data: FieldData) -> bool:
        path = readable_path(data)
        return path is not None and await self._store.metadata(path) is not None

    async def read(self, request: Request, data: FieldData) -> Response:
        path = readable_path(data)
        found = await self._store.read_version(path, data.get("version")) if path else None
        if found is None:
            raise NotFound()
        body = {"data": found.data, "metadata": version_view(found.meta, found.number)}
        # A deleted or destroyed version: 404, but with its metadata, as Vault answers.
        return Response(body, status=404 if found.data is None else None)

    async def write(self, request: Request, data: FieldData) -> Response:
        path = secret_path(data)
        document = _data(data)
        options: dict[str, Any] = data.get("options") or {}
        async with self._store.lock(path):
            config = await self._store.config()
            meta = await self._store.metadata(path)
            check_and_set(options, config, meta)
            return await self._add_version(meta or KeyMetadata(path), config, document)

    async def patch(self, request: Request, data: FieldData) -> Response:
        path = secret_path(data)
        patch = _data(data)
        options: dict[str, Any] = data.get("options") or {}
        async with self._store.lock(path):
            meta = await self._store.metadata(path)
            if meta is None:
                return Response(status=404)
            config = await self._store.config()
            check_and_set(options, config, meta)
            current = meta.versions.get(meta.current_version)
            if current is None:
                return Response(status=404)
            if not current.is_readable(self._store.now()):
                return Response(version_view(meta, meta.current_version), status=404)
            document = await self._store.version_data(path, meta.current_version)
            if document is None:
                return Response(status=404)
            return await self._add_version(meta, config, merge_patch(document, patch))

    async def delete(self, request: Request, data: FieldData) -> None:
        path = readable_path(data)
        if path is None:
            return
        async with self._store.lock(path):
            meta = await self._store.metadata(path)
            latest = meta.versions.get(meta.current_version) if meta else None
            now = self._store.now()
            if meta is None or latest is None or not latest.is_readable(now):
                return
            latest.deleted = now
            await self._store.save(meta)

    async def _add_version(
        self, meta: KeyMetadata, config: MountConfig, document: dict[str, Any]
    ) -> Response:
        erased = meta.add_version(self._store.now(), config)
        await self._store.save(meta, {meta.current_version: document}, erased)
        return Response(version_view(meta, meta.current_version))


def _data(data: FieldData) -> dict[str, Any]:
    document: dict[str, Any] | None = data.get("data")
    if document is None:
        raise InvalidParameter("no data provided")
    return document
