"""`roles` (LIST) and `roles/:name`: write (every unset field takes its default), patch
(only the given fields change), read, delete."""

from __future__ import annotations

from typing import Any

from strongroom.engines.pki.params import named
from strongroom.engines.pki.roles import ROLE_FIELDS, Role, check_role, normalized, role_from
from strongroom.engines.pki.store import PKIStore
from strongroom.errors import InvalidParameter, NotFound
from strongroom.framework import FieldData, PathSpec
from strongroom.logical import Operation, Request, Response

HELP = """Roles decide which names, key types, usages and lifetimes `issue` and `sign` allow.
Names are checked strictly: a role never issues a name or an IP address it does not allow."""


def _given(data: FieldData) -> dict[str, Any]:
    values = {name: data.get(name) for name in ROLE_FIELDS if name != "name" and data.has(name)}
    if "key_type" in values and "key_bits" not in values:
        values["key_bits"] = 0  # the new type's default size
    return values


class RolePaths:
    def __init__(self, store: PKIStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        operations = {
            Operation.READ: self.read,
            Operation.UPDATE: self.write,
            Operation.PATCH: self.patch,
            Operation.DELETE: self.delete,
        }
        return [
            PathSpec("roles/?", {Operation.LIST: self.list_roles}, help=HELP),
            PathSpec(
                f"roles/{named()}",
                operations,
                ROLE_FIELDS,
                existence_check=self.exists,
                help=HELP,
            ),
        ]

    async def exists(self, request: Request, data: FieldData) -> bool:
        return await self._store.role(data.get("name")) is not None

    async def list_roles(self, request: Request, data: FieldData) -> Response:
        names = await self._store.role_names()
        if not names:
            raise NotFound()
        return Response({"keys": names})

    async def read(self, request: Request, data: FieldData) -> Response:
        role = await self._store.role(data.get("name"))
        if role is None:
            raise NotFound()
        return Response(role.view())

    async def write(self, request: Request, data: FieldData) -> Response:
        role = normalized(role_from(data.get("name"), _given(data)))
        await self._store.put_role(role)
        return Response(role.view())

    async def patch(self, request: Request, data: FieldData) -> Response:
        existing = await self._store.role(data.get("name"))
        if existing is None:
            raise InvalidParameter("role does not exist")
        role = normalized(existing.with_changes(**_given(data)))
        check_role(role)
        await self._store.put_role(role)
        return Response(role.view())

    async def delete(self, request: Request, data: FieldData) -> None:
        await self._store.delete_role(data.get("name"))


async def role_or_fail(store: PKIStore, name: str) -> Role:
    role = await store.role(name)
    if role is None:
        raise InvalidParameter(f"unknown role: {name}")
    return role
