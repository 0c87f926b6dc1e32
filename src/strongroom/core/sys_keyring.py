"""sys/seal, sys/key-status, sys/rotate and sys/rotate/config."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strongroom.clock import rfc3339
from strongroom.crypto.keyring import (
    MAX_OPERATIONS_DEFAULT,
    MAX_OPERATIONS_MIN,
    ROTATION_INTERVAL_MIN,
    RotationConfig,
)
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

if TYPE_CHECKING:
    from strongroom.core.core import Core

ROTATE_CONFIG_FIELDS = {
    "max_operations": Field(FieldType.INT, "encryptions under one term before rotation"),
    "interval": Field(FieldType.DURATION, "age of a term before rotation (0 = off, ≥ 24h)"),
    "enabled": Field(FieldType.BOOL, "whether automatic rotation is on"),
}


def keyring_paths(core: Core) -> list[PathSpec]:
    async def seal(request: Request, data: FieldData) -> None:
        await core.seal()

    async def key_status(request: Request, data: FieldData) -> Response:
        term = core.barrier.keyring.active
        return Response(
            {
                "term": term.number,
                "install_time": rfc3339(term.install_time),
                "encryptions": core.barrier.active_encryptions,
            },
            top_level_copy=True,
        )

    async def rotate(request: Request, data: FieldData) -> None:
        await core.barrier.rotate(core.clock.now())

    async def read_rotate_config(request: Request, data: FieldData) -> Response:
        rotation = core.barrier.keyring.rotation
        return Response(
            {
                "max_operations": rotation.max_operations,
                "interval": rotation.interval,
                "enabled": rotation.enabled,
            }
        )

    async def write_rotate_config(request: Request, data: FieldData) -> None:
        current = core.barrier.keyring.rotation
        max_operations = data.get("max_operations")
        interval = data.get("interval")
        enabled = data.get("enabled")
        rotation = RotationConfig(
            max_operations=current.max_operations if max_operations is None else max_operations,
            interval=current.interval if interval is None else interval,
            enabled=current.enabled if enabled is None else enabled,
        )
        if not MAX_OPERATIONS_MIN <= rotation.max_operations <= MAX_OPERATIONS_DEFAULT:
            raise InvalidParameter(
                f"max_operations must be between {MAX_OPERATIONS_MIN} and {MAX_OPERATIONS_DEFAULT}"
            )
        if rotation.interval and rotation.interval < ROTATION_INTERVAL_MIN:
            raise InvalidParameter("interval must be 0 (off) or at least 24h")
        await core.barrier.set_rotation(rotation)

    config_ops = {Operation.READ: read_rotate_config, Operation.UPDATE: write_rotate_config}
    return [
        PathSpec(
            "seal",
            {Operation.UPDATE: seal},
            sudo=True,
            help="Seal the server: drop the keys from memory.",
        ),
        PathSpec("key-status", {Operation.READ: key_status}, help="The active keyring term."),
        PathSpec(
            "rotate(?:/keyring)?", {Operation.UPDATE: rotate}, sudo=True, help="Add a keyring term."
        ),
        PathSpec(
            "rotate(?:/keyring)?/config",
            config_ops,
            ROTATE_CONFIG_FIELDS,
            sudo=True,
            help="Automatic keyring rotation.",
        ),
    ]
