"""sys/policy (legacy), sys/policies/acl, sys/capabilities* and the resultant ACL."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from strongroom.clock import rfc3339
from strongroom.errors import InvalidParameter, NotFound, PermissionDenied
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.logical.paths import normalize_path

if TYPE_CHECKING:
    from strongroom.core.core import Core
    from strongroom.policy.acl import ACL

NAME = "(?P<name>[^/]+)"
POLICY_FIELDS = {
    "name": Field(FieldType.STRING),
    "policy": Field(FieldType.STRING, "the policy document, HCL or JSON, optionally base64"),
    "rules": Field(FieldType.STRING, "legacy name of `policy`"),
    "cas": Field(FieldType.INT, "-1: must not exist; n: the current version must be n"),
}
CAPABILITY_FIELDS = {
    "paths": Field(FieldType.STRING_LIST, "paths to check"),
    "path": Field(FieldType.STRING, "legacy: one path"),
    "token": Field(FieldType.STRING, "the token to check (sys/capabilities)"),
    "accessor": Field(FieldType.STRING, "the accessor to check (sys/capabilities-accessor)"),
}


def _policy_text(data: FieldData) -> str:
    text = data.get("policy") or data.get("rules")
    if not text:
        raise InvalidParameter("'policy' parameter not supplied or empty")
    try:
        # Vault accepts the document base64-encoded too.
        decoded = base64.b64decode(text, validate=True).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return str(text)
    return decoded if decoded.strip() else str(text)


def policy_paths(core: Core) -> list[PathSpec]:
    async def list_legacy(request: Request, data: FieldData) -> Response:
        names = await core.policies.list()
        return Response({"keys": names, "policies": names}, top_level_copy=True)

    async def list_acl(request: Request, data: FieldData) -> Response:
        return Response({"keys": await core.policies.list()})

    async def read(request: Request, data: FieldData, legacy: bool) -> Response:
        stored = await core.policies.get(data.get("name"))
        if stored is None:
            raise NotFound()
        if legacy:
            return Response({"name": stored.name, "rules": stored.text}, top_level_copy=True)
        return Response(
            {
                "name": stored.name,
                "policy": stored.text,
                "version": stored.version,
                "modified": rfc3339(stored.modified),
                "cas_required": False,
            }
        )

    async def read_legacy(request: Request, data: FieldData) -> Response:
        return await read(request, data, legacy=True)

    async def read_acl(request: Request, data: FieldData) -> Response:
        return await read(request, data, legacy=False)

    async def write(request: Request, data: FieldData) -> None:
        await core.policies.put(data.get("name"), _policy_text(data), cas=data.get("cas"))
        core.pipeline.invalidate()

    async def delete(request: Request, data: FieldData) -> None:
        await core.policies.delete(data.get("name"))
        core.pipeline.invalidate()

    one = {Operation.UPDATE: write, Operation.DELETE: delete}
    return [
        PathSpec("policy", {Operation.READ: list_legacy}),
        PathSpec(f"policy/{NAME}", {Operation.READ: read_legacy, **one}, POLICY_FIELDS),
        PathSpec("policies/acl/?", {Operation.LIST: list_acl}),
        PathSpec(f"policies/acl/{NAME}", {Operation.READ: read_acl, **one}, POLICY_FIELDS),
        *capability_paths(core),
    ]


def _capabilities_response(acl: ACL, data: FieldData) -> Response:
    paths = data.get("paths") or ([data.get("path")] if data.get("path") else [])
    if not paths:
        raise InvalidParameter("missing paths")
    result: dict[str, Any] = {
        path: sorted(acl.capabilities(normalize_path(path))) for path in paths
    }
    if len(paths) == 1:
        # Older clients read the single answer from `capabilities`.
        result["capabilities"] = result[paths[0]]
    return Response(result, top_level_copy=True)


def capability_paths(core: Core) -> list[PathSpec]:
    async def acl_of_token(token: str, request: Request) -> ACL:
        # What the token may do wherever it is used: its bound CIDRs are not applied here.
        ref = await core.tokens.resolve(token)
        if ref is None:
            raise InvalidParameter("invalid token")
        return await core.policies.acl_for(ref.entry.policies)

    async def self_capabilities(request: Request, data: FieldData) -> Response:
        return _capabilities_response(await acl_of_token(request.client_token, request), data)

    async def token_capabilities(request: Request, data: FieldData) -> Response:
        token = data.get("token")
        if not token:
            raise InvalidParameter("missing token")
        return _capabilities_response(await acl_of_token(token, request), data)

    async def accessor_capabilities(request: Request, data: FieldData) -> Response:
        ref = await core.tokens.resolve_accessor(data.get("accessor") or "")
        if ref is None:
            raise InvalidParameter("invalid accessor")
        return _capabilities_response(await core.policies.acl_for(ref.entry.policies), data)

    async def resultant_acl(request: Request, data: FieldData) -> Response:
        if not request.client_token:
            raise PermissionDenied()
        return Response(dict((await acl_of_token(request.client_token, request)).resultant()))

    update = Operation.UPDATE
    return [
        PathSpec("capabilities-self", {update: self_capabilities}, CAPABILITY_FIELDS),
        PathSpec("capabilities", {update: token_capabilities}, CAPABILITY_FIELDS),
        PathSpec("capabilities-accessor", {update: accessor_capabilities}, CAPABILITY_FIELDS),
        PathSpec("internal/ui/resultant-acl", {Operation.READ: resultant_acl}),
    ]
