"""role/, role/<name>, role/<name>/<setting>, role/<name>/role-id: the roles of an AppRole mount.

Role names are lower-cased. A role must bind something: a secret ID, or CIDR blocks for its
logins or its tokens. Each setting also has an endpoint of its own (read, write, and delete
back to the default), as in Vault. `bound-cidr-list` is Vault's deprecated alias of
`secret-id-bound-cidrs`: it writes and resets the same setting, and reads it back under the
old name.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import replace
from typing import Any

from strongroom.auth.approle.records import Role
from strongroom.auth.approle.store import AppRoleStore
from strongroom.auth.method import list_response, named, parse_cidrs
from strongroom.auth.token_fields import (
    TYPE_ALIASES,
    parse_token_fields,
    render_token_fields,
    token_field_table,
)
from strongroom.errors import InvalidParameter, NotFound, UnsupportedOperation, UnsupportedPath
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

# The deprecated token-field spellings AppRole still accepts.
DEPRECATED_FIELDS = ("policies", "period")
ROLE_NAME = "role_name"
ROLE_NAME_FIELD = {ROLE_NAME: Field(FieldType.STRING, "the name of the role", required=True)}
_LIST = FieldType.STRING_LIST
ROLE_FIELDS = {
    **ROLE_NAME_FIELD,
    "role_id": Field(FieldType.STRING, "the role's ID (a UUID by default)", default=""),
    "bind_secret_id": Field(FieldType.BOOL, "logins must present a secret ID", default=True),
    "secret_id_bound_cidrs": Field(_LIST, "CIDR blocks logins may come from", default=[]),
    "bound_cidr_list": Field(_LIST, "deprecated: use secret_id_bound_cidrs", default=[]),
    "secret_id_num_uses": Field(FieldType.INT, "uses per secret ID (0 = unlimited)", default=0),
    "secret_id_ttl": Field(FieldType.DURATION, "lifetime of secret IDs (0 = none)", default=0),
    "local_secret_ids": Field(FieldType.BOOL, "secret IDs stay on this cluster", default=False),
    **token_field_table(DEPRECATED_FIELDS),
}
LIST_FIELDS = {
    "after": Field(FieldType.STRING, "list the names after this one", default=""),
    "limit": Field(FieldType.INT, "at most this many names (0 = all)", default=0),
}
# role/<name>/<setting> → the fields it reads and writes (the first one is required).
SETTINGS = {
    "policies": ("token_policies", "policies"),
    "secret-id-num-uses": ("secret_id_num_uses",),
    "secret-id-ttl": ("secret_id_ttl",),
    "token-ttl": ("token_ttl",),
    "token-max-ttl": ("token_max_ttl",),
    "token-num-uses": ("token_num_uses",),
    "bind-secret-id": ("bind_secret_id",),
    "secret-id-bound-cidrs": ("secret_id_bound_cidrs",),
    "token-bound-cidrs": ("token_bound_cidrs",),
    "period": ("token_period", "period"),
    "local-secret-ids": ("local_secret_ids",),
    "bound-cidr-list": ("bound_cidr_list",),
}
# Deprecated field → the field it stands for (`updated_role` writes it in its place).
FIELD_ALIASES = {"bound_cidr_list": "secret_id_bound_cidrs"}
READ_ONLY = frozenset({"local-secret-ids"})
# What deleting a setting resets it to ("" is each field's default).
_RESET = {"bind_secret_id": True}


def role_name(data: FieldData) -> str:
    return str(data.get(ROLE_NAME)).lower()


def role_data(role: Role) -> dict[str, Any]:
    return {
        "bind_secret_id": role.bind_secret_id,
        "local_secret_ids": role.local_secret_ids,
        "secret_id_bound_cidrs": list(role.secret_id_bound_cidrs) or None,
        "secret_id_num_uses": role.secret_id_num_uses,
        "secret_id_ttl": role.secret_id_ttl,
        **render_token_fields(role.token),
    }


def updated_role(role: Role, data: FieldData, *, creating: bool) -> Role:
    """`role` with every setting the request sends, checked as Vault checks them."""
    changes: dict[str, Any] = {}
    if data.has("role_id"):
        if not data.get("role_id"):
            raise InvalidParameter("invalid role_id supplied")
        changes["role_id"] = data.get("role_id")
    if data.has("bind_secret_id"):
        changes["bind_secret_id"] = data.get("bind_secret_id")
    for name in ("secret_id_bound_cidrs", "bound_cidr_list"):
        if data.has(name):
            changes["secret_id_bound_cidrs"] = parse_cidrs(data.get(name), name)
            break
    if data.has("secret_id_num_uses"):
        if data.get("secret_id_num_uses") < 0:
            raise InvalidParameter("secret_id_num_uses cannot be negative")
        changes["secret_id_num_uses"] = data.get("secret_id_num_uses")
    if data.has("secret_id_ttl"):
        changes["secret_id_ttl"] = data.get("secret_id_ttl")
    if data.has("local_secret_ids"):
        if not creating:
            raise InvalidParameter("local_secret_ids can only be modified during role creation")
        changes["local_secret_ids"] = data.get("local_secret_ids")
    token = parse_token_fields(role.token, data, DEPRECATED_FIELDS, type_aliases=True)
    updated = replace(role, token=token, **changes)
    if not updated.has_constraint:
        raise InvalidParameter("at least one constraint should be enabled on the role")
    return updated


class RolePaths:
    def __init__(self, store: AppRoleStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        role = f"role/{named(ROLE_NAME)}"
        settings = "|".join(SETTINGS)
        return [
            PathSpec("role/?", {Operation.LIST: self.list_roles}, LIST_FIELDS, help="List roles."),
            PathSpec(
                role,
                {
                    Operation.READ: self.read,
                    Operation.CREATE: self.write,
                    Operation.UPDATE: self.write,
                    Operation.DELETE: self.delete,
                },
                ROLE_FIELDS,
                existence_check=self.exists,
                help="Create, read, update or delete a role.",
            ),
            PathSpec(
                f"{role}/(?P<setting>{settings})",
                {
                    Operation.READ: self.read_setting,
                    Operation.UPDATE: self.write_setting,
                    Operation.DELETE: self.reset_setting,
                },
                {**ROLE_FIELDS, "setting": Field(FieldType.STRING)},
                help="Read, write or reset one setting of a role.",
            ),
            PathSpec(
                f"{role}/role-id",
                {Operation.READ: self.read_role_id, Operation.UPDATE: self.write_role_id},
                {**ROLE_NAME_FIELD, "role_id": Field(FieldType.STRING, "the new role ID")},
                help="Read or replace the role ID of a role.",
            ),
        ]

    async def exists(self, request: Request, data: FieldData) -> bool:
        return await self._store.role(role_name(data)) is not None

    async def list_roles(self, request: Request, data: FieldData) -> Response:
        limit = data.get("limit")
        after = data.get("after") or None
        return list_response(await self._store.role_names(after, limit if limit > 0 else None))

    async def read(self, request: Request, data: FieldData) -> Response:
        role = await self._existing(data)
        return Response(role_data(role))

    async def write(self, request: Request, data: FieldData) -> Response | None:
        name = role_name(data)
        async with self._store.role_lock(name):
            existing = await self._store.role(name)
            base = existing or Role(name, role_id=str(uuid.uuid4()), uid=secrets.token_hex(16))
            role = updated_role(base, data, creating=existing is None)
            await self._store.save_role(role, existing)
        raw_type = str(data.raw.get("token_type", ""))
        if raw_type in TYPE_ALIASES:
            adjusted = TYPE_ALIASES[raw_type]
            return Response(warnings=[f"{raw_type} has no useful meaning; adjusting to {adjusted}"])
        return None

    async def delete(self, request: Request, data: FieldData) -> None:
        name = role_name(data)
        async with self._store.role_lock(name):
            role = await self._store.role(name)
            if role is not None:
                await self._store.delete_role(role)

    async def read_setting(self, request: Request, data: FieldData) -> Response:
        full = role_data(await self._existing(data))
        shown: dict[str, Any] = {}
        warnings = []
        for name in SETTINGS[data.get("setting")]:
            current = FIELD_ALIASES.get(name, name)
            if current in full:
                shown[name] = full[current]
            if current != name:
                warnings.append(f"{name} is deprecated: use {current}")
        return Response(shown, warnings=warnings)

    async def write_setting(self, request: Request, data: FieldData) -> None:
        setting = data.get("setting")
        if setting in READ_ONLY:
            raise UnsupportedOperation()
        names = SETTINGS[setting]
        sent = {k: data.raw[k] for k in names if data.has(k)}
        if not sent:
            raise InvalidParameter(f"missing {names[0]}")
        await self._change(data, sent, missing=UnsupportedPath())

    async def reset_setting(self, request: Request, data: FieldData) -> None:
        setting = data.get("setting")
        if setting in READ_ONLY:
            raise UnsupportedOperation()
        await self._change(data, {k: _RESET.get(k, "") for k in SETTINGS[setting]}, None)

    async def _change(
        self, data: FieldData, sent: dict[str, Any], missing: Exception | None
    ) -> None:
        """Apply only the `sent` fields to the role in the path (absent: raise `missing`)."""
        name = role_name(data)
        async with self._store.role_lock(name):
            role = await self._store.role(name)
            if role is None:
                if missing is not None:
                    raise missing
                return
            changed = updated_role(role, FieldData(sent, ROLE_FIELDS), creating=False)
            await self._store.save_role(changed, role)

    async def read_role_id(self, request: Request, data: FieldData) -> Response:
        return Response({"role_id": (await self._existing(data)).role_id})

    async def write_role_id(self, request: Request, data: FieldData) -> None:
        if not data.get("role_id"):
            raise InvalidParameter("missing role_id")
        await self._change(data, {"role_id": data.get("role_id")}, UnsupportedPath())

    async def _existing(self, data: FieldData) -> Role:
        role = await self._store.role(role_name(data))
        if role is None:
            raise NotFound()
        return role
