"""auth/token/roles and roles/<name>: the rules of token creation by role."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from strongroom.errors import BadRequest, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.logical.cidrs import parse_cidrs
from strongroom.token.entry import BATCH
from strongroom.token.paths_create import ROLE_NAME
from strongroom.token.policies import sanitize
from strongroom.token.responses import list_response
from strongroom.token.roles import DEFAULT_SERVICE, ROLE_TOKEN_TYPES, Role
from strongroom.token.store import TokenStore

_PATH_SUFFIX = re.compile(r"\w[\w.-]+\w")
_LIST = FieldType.STRING_LIST
_DURATION = FieldType.DURATION
ROLE_FIELDS = {
    "role_name": Field(FieldType.STRING, "name of the role"),
    "allowed_policies": Field(_LIST, "policies tokens may have (replaces the subset rule)"),
    "disallowed_policies": Field(_LIST, "policies tokens may never have"),
    "allowed_policies_glob": Field(_LIST, "glob patterns of allowed policies"),
    "disallowed_policies_glob": Field(_LIST, "glob patterns of disallowed policies"),
    "orphan": Field(FieldType.BOOL, "tokens are created as orphans"),
    "renewable": Field(FieldType.BOOL, "tokens may be renewed"),
    "path_suffix": Field(FieldType.STRING, "suffix of the tokens' creation path"),
    "allowed_entity_aliases": Field(_LIST, "entity aliases tokens may be bound to"),
    "token_period": Field(_DURATION, "tokens are periodic with this period"),
    "period": Field(_DURATION, "deprecated: use token_period"),
    "token_explicit_max_ttl": Field(_DURATION, "hard limit on the tokens' life"),
    "explicit_max_ttl": Field(_DURATION, "deprecated: use token_explicit_max_ttl"),
    "token_type": Field(FieldType.STRING, "service, batch, default-service or default-batch"),
    "token_bound_cidrs": Field(_LIST, "CIDRs the tokens may be used from"),
    "bound_cidrs": Field(_LIST, "deprecated: use token_bound_cidrs"),
    "token_no_default_policy": Field(FieldType.BOOL, "do not add the default policy"),
    "token_num_uses": Field(FieldType.INT, "uses per token (0 = unlimited)"),
}
_SANITIZED = ("allowed_policies", "allowed_policies_glob")
_LOWERED = ("disallowed_policies", "disallowed_policies_glob", "allowed_entity_aliases")
_BOOLS = ("orphan", "renewable", "token_no_default_policy")
# (current name, deprecated name): the current one wins when both are sent.
_RENAMED = (("token_period", "period"), ("token_explicit_max_ttl", "explicit_max_ttl"))


def role_paths(store: TokenStore) -> list[PathSpec]:
    async def list_roles(request: Request, data: FieldData) -> Response:
        return list_response(await store.roles.names())

    async def read_role(request: Request, data: FieldData) -> Response:
        role = await store.roles.get(data.get("role_name"))
        if role is None:
            raise NotFound()
        return Response(role_data(role))

    async def write_role(request: Request, data: FieldData) -> Response | None:
        name = data.get("role_name")
        role, warnings = updated_role((await store.roles.get(name)) or Role(name), data)
        if role.token_explicit_max_ttl > store.config.max_ttl:
            warnings.append(
                "Given explicit max TTL is greater than the system/mount maximum; "
                "tokens created against this role are capped to it"
            )
        await store.roles.put(role)
        return Response(warnings=warnings) if warnings else None

    async def delete_role(request: Request, data: FieldData) -> None:
        await store.roles.delete(data.get("role_name"))

    async def exists(request: Request, data: FieldData) -> bool:
        return await store.roles.get(data.get("role_name")) is not None

    operations = {
        Operation.READ: read_role,
        Operation.CREATE: write_role,
        Operation.UPDATE: write_role,
        Operation.DELETE: delete_role,
    }
    return [
        PathSpec("roles/?", {Operation.LIST: list_roles}, help="List token roles."),
        PathSpec(
            f"roles/{ROLE_NAME}",
            operations,
            ROLE_FIELDS,
            existence_check=exists,
            help="Create, read, update or delete a token role.",
        ),
    ]


def updated_role(role: Role, data: FieldData) -> tuple[Role, list[str]]:
    """`role` with every field the request sets (unset fields keep their value)."""
    changes: dict[str, Any] = {}
    for name in _SANITIZED:
        if data.has(name):
            changes[name] = sanitize(data.get(name))
    for name in _LOWERED:
        if data.has(name):
            changes[name] = _lowered(data.get(name))
    for name in _BOOLS:
        if data.has(name):
            changes[name] = data.get(name)
    warnings = _renamed_fields(data, changes)
    _parse_checked_fields(data, changes)
    role = replace(role, **changes)
    _check_batch_role(role)
    return role, warnings


def _renamed_fields(data: FieldData, changes: dict[str, Any]) -> list[str]:
    warnings = []
    for current, deprecated in _RENAMED:
        if data.has(current):
            changes[current], changes[deprecated] = data.get(current), 0
            if data.has(deprecated):
                warnings.append(f"Both '{current}' and deprecated '{deprecated}' were supplied")
        elif data.has(deprecated):
            changes[current] = changes[deprecated] = data.get(deprecated)
    cidrs_field = "token_bound_cidrs" if data.has("token_bound_cidrs") else "bound_cidrs"
    if data.has(cidrs_field):
        changes["token_bound_cidrs"] = parse_cidrs(data.get(cidrs_field), cidrs_field)
    return warnings


def _parse_checked_fields(data: FieldData, changes: dict[str, Any]) -> None:
    if data.has("path_suffix"):
        suffix = data.get("path_suffix") or ""
        if suffix and (not _PATH_SUFFIX.fullmatch(suffix) or ".." in suffix):
            raise BadRequest("given role path suffix contains invalid characters")
        changes["path_suffix"] = suffix
    if data.has("token_type"):
        kind = data.get("token_type") or ""
        kind = DEFAULT_SERVICE if kind == "default" else kind
        if kind not in ROLE_TOKEN_TYPES:
            raise BadRequest("invalid 'token_type' value")
        changes["token_type"] = kind
    if data.has("token_num_uses"):
        if data.get("token_num_uses") < 0:
            raise BadRequest("token_num_uses cannot be negative")
        changes["token_num_uses"] = data.get("token_num_uses")


def _check_batch_role(role: Role) -> None:
    if role.token_type != BATCH:
        return
    for broken, what in (
        (not role.orphan, "non-orphan"),
        (bool(role.token_period), "periodic"),
        (role.renewable, "renewable"),
        (bool(role.token_explicit_max_ttl), "explicit max TTL"),
    ):
        if broken:
            raise BadRequest(f"'token_type' cannot be 'batch' when role generates {what} tokens")


def _lowered(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({v.strip().lower() for v in values} - {""}))


def role_data(role: Role) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": role.name,
        "allowed_policies": list(role.allowed_policies),
        "disallowed_policies": list(role.disallowed_policies),
        "allowed_policies_glob": list(role.allowed_policies_glob),
        "disallowed_policies_glob": list(role.disallowed_policies_glob),
        "allowed_entity_aliases": list(role.allowed_entity_aliases),
        "orphan": role.orphan,
        "renewable": role.renewable,
        "path_suffix": role.path_suffix,
        "period": role.period,
        "token_period": role.token_period,
        "explicit_max_ttl": role.explicit_max_ttl,
        "token_explicit_max_ttl": role.token_explicit_max_ttl,
        "token_type": role.token_type,
        "token_no_default_policy": role.token_no_default_policy,
    }
    if role.token_bound_cidrs:
        data["token_bound_cidrs"] = list(role.token_bound_cidrs)
    if role.token_num_uses:
        data["token_num_uses"] = role.token_num_uses
    return data
