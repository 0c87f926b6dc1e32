"""auth/token/create, create-orphan and create/<role>."""

from __future__ import annotations

import re
from typing import Any

from strongroom.errors import BadRequest, InvalidParameter
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.token.create import MOUNT_PATH, TokenParams
from strongroom.token.policies import matches_any
from strongroom.token.responses import auth_block
from strongroom.token.roles import Role
from strongroom.token.store import TokenStore

ROLE_NAME = r"(?P<role_name>\w(?:[\w.-]*\w)?)"
# Vault limits token metadata to 512 KiB.
MAX_META_BYTES = 512 * 1024
_DISPLAY_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9-]")

CREATE_FIELDS = {
    "id": Field(FieldType.STRING, "value for the token (root/sudo only)"),
    "policies": Field(FieldType.STRING_LIST, "policies for the token"),
    "meta": Field(FieldType.MAP, "key/value metadata for the token"),
    "no_parent": Field(FieldType.BOOL, "create the token with no parent (root/sudo only)"),
    "no_default_policy": Field(FieldType.BOOL, "do not add the default policy"),
    "renewable": Field(FieldType.BOOL, "whether the token may be renewed", default=True),
    "ttl": Field(FieldType.DURATION, "time to live", default=0),
    "lease": Field(FieldType.DURATION, "deprecated: use ttl", default=0),
    "type": Field(FieldType.STRING, "service or batch", default=""),
    "explicit_max_ttl": Field(FieldType.DURATION, "hard limit on the token's life", default=0),
    "display_name": Field(FieldType.STRING, "name to associate with the token", default=""),
    "num_uses": Field(FieldType.INT, "maximum number of uses (0 = unlimited)", default=0),
    "period": Field(FieldType.DURATION, "renewal period (root/sudo only)", default=0),
    "entity_alias": Field(FieldType.STRING, "entity alias to associate (roles only)", default=""),
}
ROLE_CREATE_FIELDS = {**CREATE_FIELDS, "role_name": Field(FieldType.STRING, "name of the role")}


def create_paths(store: TokenStore) -> list[PathSpec]:
    async def create(request: Request, data: FieldData) -> Response:
        return await _create(store, request, data)

    async def create_orphan(request: Request, data: FieldData) -> Response:
        return await _create(store, request, data, orphan=True)

    async def create_against_role(request: Request, data: FieldData) -> Response:
        role = await store.roles.get(data.get("role_name"))
        if role is None:
            raise BadRequest("unknown role")
        return await _create(store, request, data, role=role)

    return [
        PathSpec("create", {Operation.UPDATE: create}, CREATE_FIELDS, help=_CREATE_HELP),
        PathSpec(
            "create-orphan",
            {Operation.UPDATE: create_orphan},
            CREATE_FIELDS,
            help="Create an orphan token (no parent); the ACL on this path is the guard.",
        ),
        PathSpec(
            f"create/{ROLE_NAME}",
            {Operation.UPDATE: create_against_role},
            ROLE_CREATE_FIELDS,
            help="Create a token under the rules of a role.",
        ),
    ]


async def _create(
    store: TokenStore,
    request: Request,
    data: FieldData,
    *,
    orphan: bool = False,
    role: Role | None = None,
) -> Response:
    parent = await store.resolve(request.client_token)
    if parent is None:
        raise BadRequest("parent token lookup failed: no parent found")
    _check_entity_alias(data.get("entity_alias"), role)
    created = await store.create(
        _params(request, data, orphan), parent=parent, sudo=request.root_privileges, role=role
    )
    return Response(
        auth=auth_block(created.token_id, created.entry, store.clock.now()),
        warnings=list(created.warnings),
    )


def _params(request: Request, data: FieldData, orphan: bool) -> TokenParams:
    return TokenParams(
        policies=tuple(data.get("policies") or ()),
        meta=_meta(data.get("meta")),
        display_name=display_name(data.get("display_name")),
        path=MOUNT_PATH + request.path,
        ttl=data.get("ttl") or data.get("lease"),
        explicit_max_ttl=data.get("explicit_max_ttl"),
        period=data.get("period"),
        num_uses=data.get("num_uses"),
        renewable=data.get("renewable"),
        no_default_policy=bool(data.get("no_default_policy")),
        no_parent=bool(data.get("no_parent")),
        orphan=orphan,
        token_type=data.get("type"),
        token_id=data.get("id") or "",
    )


def display_name(requested: str) -> str:
    """Vault's display name of a token-store token: "token" or "token-<sanitised name>"."""
    if not requested:
        return "token"
    full = _DISPLAY_NAME_UNSAFE.sub("-", "token-" + requested)
    return full.removesuffix("-")


def _meta(raw: dict[str, Any] | None) -> dict[str, str]:
    meta: dict[str, str] = {}
    for key, value in (raw or {}).items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InvalidParameter("invalid value for parameter 'meta': expected string values")
        meta[str(key)] = str(value)
    if sum(len(k) + len(v) for k, v in meta.items()) > MAX_META_BYTES:
        raise InvalidParameter("parameter 'meta' is too large")
    return meta


def _check_entity_alias(alias: str, role: Role | None) -> None:
    if not alias:
        return
    if role is None:
        raise BadRequest("'entity_alias' is only allowed in combination with token role")
    allowed = role.allowed_entity_aliases
    if not matches_any(allowed, allowed, alias.lower()):
        raise BadRequest("invalid 'entity_alias' value")
    # Binding a token to an entity needs the identity store, which is not wired yet.
    raise BadRequest("entity aliases are not supported yet")


_CREATE_HELP = """Create a child of the calling token.

Its policies must be a subset of the caller's unless the caller has root or sudo; `default` is
added unless `no_default_policy`. It never outlives its parent and dies with it."""
