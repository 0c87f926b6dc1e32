"""JSON documents at arbitrary paths: the storage model of KV version 1 and of cubbyhole.

`key_prefix(request)` scopes every key (cubbyhole: the caller's token; KV v1: nothing), so one
piece of code serves both engines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from strongroom.errors import InvalidParameter, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response, Storage
from strongroom.logical.values import parse_duration

KeyPrefix = Callable[[Request], str]
PATH_FIELDS = {
    "path": Field(FieldType.STRING, "the location of the secret"),
    # Listing only ([Bao] pagination): start after this name, return at most `limit` names.
    "after": Field(FieldType.STRING, "list the keys after this one (exclusive)"),
    "limit": Field(FieldType.INT, "at most this many keys (0: all)"),
}


def document_paths(
    storage: Storage, key_prefix: KeyPrefix, *, ttl_is_advisory: bool
) -> list[PathSpec]:
    """The read/write/delete/list path table of a document store."""

    def key(request: Request, data: FieldData) -> str:
        path = data.get("path") or ""
        if not path or path.endswith("/"):
            raise InvalidParameter("missing path: a secret is written at a path inside the mount")
        return key_prefix(request) + path

    async def exists(request: Request, data: FieldData) -> bool:
        return await storage.get(key(request, data)) is not None

    async def read(request: Request, data: FieldData) -> Response:
        raw = await storage.get(key(request, data))
        if raw is None:
            raise NotFound()
        document: dict[str, Any] = orjson.loads(raw)
        response = Response(document)
        if ttl_is_advisory and "ttl" in document:
            response.advisory_ttl = _advisory_ttl(document["ttl"])
        return response

    async def write(request: Request, data: FieldData) -> None:
        if not request.data:
            raise InvalidParameter("missing data fields")
        if ttl_is_advisory and "ttl" in request.data:
            _advisory_ttl(request.data["ttl"])
        await storage.put(key(request, data), orjson.dumps(request.data))

    async def delete(request: Request, data: FieldData) -> None:
        await storage.delete(key(request, data))

    async def list_keys(request: Request, data: FieldData) -> Response:
        limit = data.get("limit")
        keys = await storage.list(
            key_prefix(request) + (data.get("path") or ""),
            after=data.get("after") or None,
            limit=limit if limit and limit > 0 else None,
        )
        if not keys:
            raise NotFound()
        return Response({"keys": keys})

    operations = {
        Operation.READ: read,
        Operation.CREATE: write,
        Operation.UPDATE: write,
        Operation.DELETE: delete,
        Operation.LIST: list_keys,
    }
    return [PathSpec("(?P<path>.*)", operations, PATH_FIELDS, existence_check=exists)]


def _advisory_ttl(value: Any) -> int:
    try:
        return parse_duration(value)
    except (TypeError, ValueError):
        raise InvalidParameter("invalid value for 'ttl': expected a duration") from None
