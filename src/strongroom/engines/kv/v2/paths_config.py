"""`config`: the mount-wide settings every secret falls back on."""

from __future__ import annotations

from typing import Any

from strongroom.engines.kv.v2.records import DELETE_AFTER_DISABLED
from strongroom.engines.kv.v2.render import config_view
from strongroom.engines.kv.v2.store import KvStore
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.logical.values import parse_duration

FIELDS = {
    "max_versions": Field(FieldType.INT, "versions to keep per secret (0: 10)", default=0),
    "cas_required": Field(FieldType.BOOL, "every write must carry `options.cas`", default=False),
    # Parsed by hand: a negative duration is allowed here (it switches the feature off).
    "delete_version_after": Field(
        FieldType.STRING, "soft-delete versions this long after they are written (0s: never)"
    ),
}

HELP = """Mount-wide settings: `max_versions` (0 means 10), `cas_required`, and
`delete_version_after` (0s: not set; a negative duration switches it off for every secret)."""


class ConfigPaths:
    def __init__(self, store: KvStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        operations = {
            Operation.READ: self.read,
            Operation.UPDATE: self.write,
            Operation.CREATE: self.write,
        }
        return [PathSpec("config", operations, FIELDS, help=HELP)]

    async def read(self, request: Request, data: FieldData) -> Response:
        return Response(config_view(await self._store.config()))

    async def write(self, request: Request, data: FieldData) -> None:
        present = [name for name in FIELDS if name in data.raw]
        if not present:
            return
        config = await self._store.config()
        if "max_versions" in present:
            config.max_versions = data.get("max_versions")
            if config.max_versions < 0:
                raise InvalidParameter(
                    "invalid value for parameter 'max_versions': must not be negative"
                )
        if "cas_required" in present:
            config.cas_required = data.get("cas_required")
        if "delete_version_after" in present:
            config.delete_version_after = _signed_duration(data.raw["delete_version_after"])
        await self._store.put_config(config)


def _signed_duration(value: Any) -> int:
    """Seconds of a duration that may be negative; any negative value means "switched off"."""
    if value is None:
        return 0
    if isinstance(value, str):
        negative = value.startswith("-")
        magnitude: Any = value[1:] if negative else value
    else:
        negative = isinstance(value, int | float) and not isinstance(value, bool) and value < 0
        magnitude = -value if negative else value
    try:
        seconds = parse_duration(magnitude)
    except ValueError:
        raise InvalidParameter(
            "invalid value for parameter 'delete_version_after': expected a duration"
        ) from None
    return DELETE_AFTER_DISABLED if negative and seconds else seconds
