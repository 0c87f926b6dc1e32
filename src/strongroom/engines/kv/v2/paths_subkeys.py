"""`subkeys/<path>`: the shape of a secret's data with every value replaced by null."""

from __future__ import annotations

from typing import Any

from strongroom.engines.kv.v2.params import PATH, PATH_FIELD, readable_path
from strongroom.engines.kv.v2.render import version_view
from strongroom.engines.kv.v2.store import KvStore
from strongroom.errors import NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

FIELDS = {
    **PATH_FIELD,
    "version": Field(FieldType.INT, "the version to read (0: the current one)", default=0),
    "depth": Field(FieldType.INT, "how many levels to show (0: all)", default=0),
}

HELP = """The keys of a secret's data without their values: leaves (values that are not objects,
and empty objects) become null; with `depth`, objects deeper than that become null too."""


def subkeys(document: dict[str, Any], max_depth: int, depth: int = 1) -> dict[str, Any]:
    """`document` with its values replaced by null, nested objects kept down to `max_depth`
    (0: no limit). A new structure: no value of `document` ever reaches the result."""
    result: dict[str, Any] = {}
    for key, value in document.items():
        deeper = max_depth == 0 or depth + 1 <= max_depth
        nested = isinstance(value, dict) and value and deeper
        result[key] = subkeys(value, max_depth, depth + 1) if nested else None
    return result


class SubkeyPaths:
    def __init__(self, store: KvStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        return [PathSpec("subkeys/" + PATH, {Operation.READ: self.read}, FIELDS, help=HELP)]

    async def read(self, request: Request, data: FieldData) -> Response:
        path = readable_path(data)
        found = await self._store.read_version(path, data.get("version")) if path else None
        if found is None:
            raise NotFound()
        metadata = version_view(found.meta, found.number)
        if found.data is None:
            return Response({"subkeys": None, "metadata": metadata}, status=404)
        return Response({"subkeys": subkeys(found.data, data.get("depth")), "metadata": metadata})
