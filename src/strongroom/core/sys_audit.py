"""sys/audit (sudo), sys/audit-hash, a device's checkpoint key and the audited request headers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strongroom.errors import BadRequest, InvalidParameter, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

if TYPE_CHECKING:
    from strongroom.audit import AuditDevice
    from strongroom.core.core import Core

PUBLIC_KEY_SUFFIX = "/public-key"
# One pattern (patterns never overlap): `sys/audit/<path>/public-key` is read-only.
DEVICE = f"audit/(?P<path>.+?)(?P<public_key>{PUBLIC_KEY_SUFFIX})?"
ENABLE_FIELDS = {
    "path": Field(FieldType.STRING),
    "public_key": Field(FieldType.STRING, default=""),
    "type": Field(FieldType.STRING, "file, socket or syslog", required=True),
    "description": Field(FieldType.STRING, default=""),
    "options": Field(FieldType.MAP, "the device's options, as strings"),
    "local": Field(FieldType.BOOL, default=False),
}
HEADER_FIELDS = {
    "header": Field(FieldType.STRING),
    "hmac": Field(FieldType.BOOL, "log the header's value hashed", default=False),
}


def audit_paths(core: Core) -> list[PathSpec]:
    table = core.audit

    async def list_devices(request: Request, data: FieldData) -> Response:
        listing = {record.path: record.listing() for record in table.records()}
        return Response(listing, top_level_copy=True)

    async def enable(request: Request, data: FieldData) -> None:
        if data.get("public_key"):
            raise InvalidParameter(f'an audit device path cannot end in "{PUBLIC_KEY_SUFFIX}"')
        await table.enable(
            data.get("path"),
            data.get("type"),
            _string_options(data.get("options") or {}),
            description=data.get("description"),
            local=data.get("local"),
        )

    async def disable(request: Request, data: FieldData) -> None:
        await table.disable(data.get("path") + data.get("public_key"))

    async def public_key(request: Request, data: FieldData) -> Response:
        if not data.get("public_key"):
            raise BadRequest(f"read {PUBLIC_KEY_SUFFIX} under an audit device path")
        device = _require(core, data.get("path"))
        return Response(
            {
                "public_key": device.keys.public_key_pem(),
                "algorithm": "ed25519",
                "seq": device.head.seq,  # the last line written: the log holds at least this
            }
        )

    async def audit_hash(request: Request, data: FieldData) -> Response:
        device = _require(core, data.get("path"))
        return Response({"hash": device.keys.salt.hash(data.get("input"))}, top_level_copy=True)

    async def list_headers(request: Request, data: FieldData) -> Response:
        headers = table.broker.audited_headers
        return Response({"headers": {name: {"hmac": hmac} for name, hmac in headers.items()}})

    async def read_header(request: Request, data: FieldData) -> Response:
        name = data.get("header").lower()
        hmac = table.broker.audited_headers.get(name)
        if hmac is None:
            raise NotFound()
        return Response({name: {"hmac": hmac}})

    async def write_header(request: Request, data: FieldData) -> None:
        await table.set_header(data.get("header"), data.get("hmac"))

    async def delete_header(request: Request, data: FieldData) -> None:
        await table.delete_header(data.get("header"))

    return [
        PathSpec("audit", {Operation.READ: list_devices}, sudo=True, help="Enabled devices."),
        PathSpec(
            DEVICE,
            {Operation.UPDATE: enable, Operation.DELETE: disable, Operation.READ: public_key},
            ENABLE_FIELDS,
            sudo=True,
        ),
        PathSpec(
            "audit-hash/(?P<path>.+)",
            {Operation.UPDATE: audit_hash},
            {
                "path": Field(FieldType.STRING),
                "input": Field(FieldType.STRING, "the value to hash", required=True),
            },
        ),
        PathSpec(
            "config/auditing/request-headers",
            {Operation.READ: list_headers},
            sudo=True,
        ),
        PathSpec(
            "config/auditing/request-headers/(?P<header>[^/]+)",
            {
                Operation.READ: read_header,
                Operation.UPDATE: write_header,
                Operation.DELETE: delete_header,
            },
            HEADER_FIELDS,
            sudo=True,
        ),
    ]


def _require(core: Core, path: str) -> AuditDevice:
    device = core.audit.device(path)
    if device is None:
        raise BadRequest("unknown audit device")
    return device


def _string_options(options: dict[str, Any]) -> dict[str, str]:
    """Vault's options are strings; JSON booleans and numbers are accepted as their text."""
    converted = {}
    for key, value in options.items():
        if isinstance(value, bool):
            converted[str(key)] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            converted[str(key)] = str(value)
        else:
            raise InvalidParameter(f"options.{key}: expected a string")
    return converted
