"""role/<name>/secret-id…, role/<name>/custom-secret-id, tidy/secret-id: a role's secret IDs.

A secret ID is shown once, when it is generated (usually wrapped: `X-Vault-Wrap-TTL`); after
that only its accessor and its properties can be read. Its CIDR blocks must lie inside the
role's, and its uses and TTL may not exceed the role's.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from strongroom.auth.approle.paths_roles import ROLE_NAME, ROLE_NAME_FIELD, role_name
from strongroom.auth.approle.records import Role, SecretIdEntry
from strongroom.auth.approle.store import AppRoleStore
from strongroom.auth.method import list_response, named, parse_cidrs
from strongroom.clock import rfc3339
from strongroom.errors import InvalidParameter, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.logical.cidrs import is_subset

_LIST = FieldType.STRING_LIST
GENERATE_FIELDS = {
    **ROLE_NAME_FIELD,
    "metadata": Field(FieldType.STRING, "JSON object of string values, kept with the ID"),
    "cidr_list": Field(_LIST, "CIDR blocks logins with this ID may come from", default=[]),
    "token_bound_cidrs": Field(_LIST, "CIDR blocks the tokens may be used from", default=[]),
    "num_uses": Field(FieldType.INT, "uses of this ID (0 = unlimited)", default=0),
    "ttl": Field(FieldType.DURATION, "lifetime of this ID", default=0),
}
CUSTOM_FIELDS = {**GENERATE_FIELDS, "secret_id": Field(FieldType.STRING, "the secret ID")}
SECRET_ID_FIELDS = {**ROLE_NAME_FIELD, "secret_id": Field(FieldType.STRING, "a secret ID")}
ACCESSOR_FIELDS = {
    **ROLE_NAME_FIELD,
    "secret_id_accessor": Field(FieldType.STRING, "the accessor of a secret ID"),
}
# What Go prints for a zero time: a secret ID without expiry.
ZERO_TIME = "0001-01-01T00:00:00Z"


def secret_id_data(entry: SecretIdEntry) -> dict[str, Any]:
    expires = entry.expiration_time
    return {
        "cidr_list": list(entry.cidr_list),
        "creation_time": rfc3339(entry.creation_time),
        "expiration_time": rfc3339(expires) if expires else ZERO_TIME,
        "last_updated_time": rfc3339(entry.last_updated_time),
        "metadata": dict(entry.metadata),
        "secret_id_accessor": entry.accessor,
        "secret_id_num_uses": entry.num_uses,
        "secret_id_ttl": entry.ttl,
        "token_bound_cidrs": list(entry.token_bound_cidrs),
    }


def parse_metadata(value: Any) -> dict[str, str]:
    """A JSON object of strings (hvac sends a JSON string), or `k=v,k2=v2`."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            pairs = [item.split("=", 1) for item in value.split(",") if item.strip()]
            if not all(len(pair) == 2 for pair in pairs):
                raise InvalidParameter("failed to parse metadata") from None
            value = {k.strip(): v.strip() for k, v in pairs}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise InvalidParameter("failed to parse metadata: expected an object of strings")
    return {str(k): v for k, v in value.items()}


class SecretIdPaths:
    def __init__(self, store: AppRoleStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        role = f"role/{named(ROLE_NAME)}"
        return [
            PathSpec(
                f"{role}/secret-id/?",
                {Operation.UPDATE: self.generate, Operation.LIST: self.list_accessors},
                GENERATE_FIELDS,
                help="Generate a secret ID for the role, or list their accessors.",
            ),
            PathSpec(
                f"{role}/custom-secret-id",
                {Operation.UPDATE: self.custom},
                CUSTOM_FIELDS,
                help="Register a secret ID of the caller's choice.",
            ),
            PathSpec(
                f"{role}/secret-id/lookup/?",
                {Operation.UPDATE: self.lookup},
                SECRET_ID_FIELDS,
                help="Read the properties of a secret ID.",
            ),
            PathSpec(
                f"{role}/secret-id/destroy/?",
                {Operation.UPDATE: self.destroy, Operation.DELETE: self.destroy},
                SECRET_ID_FIELDS,
                help="Destroy a secret ID.",
            ),
            PathSpec(
                f"{role}/secret-id-accessor/lookup/?",
                {Operation.UPDATE: self.lookup_accessor},
                ACCESSOR_FIELDS,
                help="Read the properties of a secret ID by its accessor.",
            ),
            PathSpec(
                f"{role}/secret-id-accessor/destroy/?",
                {Operation.UPDATE: self.destroy_accessor, Operation.DELETE: self.destroy_accessor},
                ACCESSOR_FIELDS,
                help="Destroy a secret ID by its accessor.",
            ),
            PathSpec(
                "tidy/secret-id",
                {Operation.UPDATE: self.tidy},
                help="Remove expired secret IDs and dangling index entries.",
            ),
        ]

    async def generate(self, request: Request, data: FieldData) -> Response:
        return await self._issue(data, str(uuid.uuid4()))

    async def custom(self, request: Request, data: FieldData) -> Response:
        secret_id = data.get("secret_id")
        if not secret_id:
            raise InvalidParameter("missing secret_id")
        return await self._issue(data, secret_id)

    async def _issue(self, data: FieldData, secret_id: str) -> Response:
        role = await self._role(data, missing=NotFound("role does not exist"))
        if not role.bind_secret_id:
            raise InvalidParameter("bind_secret_id is not set on the role")
        cidrs = parse_cidrs(data.get("cidr_list"), "cidr_list")
        token_cidrs = parse_cidrs(data.get("token_bound_cidrs"), "token_bound_cidrs")
        if not is_subset(cidrs, role.secret_id_bound_cidrs):
            raise InvalidParameter("cidr_list must be a subset of the role's secret_id_bound_cidrs")
        if not is_subset(token_cidrs, role.token.token_bound_cidrs):
            raise InvalidParameter(
                "token_bound_cidrs must be a subset of the role's token_bound_cidrs"
            )
        now = self._store.clock.now()
        num_uses, ttl = _uses(data, role), _ttl(data, role)
        entry = SecretIdEntry(
            accessor=str(uuid.uuid4()),
            num_uses=num_uses,
            ttl=ttl,
            creation_time=now,
            expiration_time=now + ttl if ttl else 0.0,
            last_updated_time=now,
            metadata=parse_metadata(data.raw.get("metadata")),
            cidr_list=cidrs,
            token_bound_cidrs=token_cidrs,
        )
        await self._store.add_secret_id(role, secret_id, entry)
        return Response(
            {
                "secret_id": secret_id,
                "secret_id_accessor": entry.accessor,
                "secret_id_ttl": ttl,
                "secret_id_num_uses": num_uses,
            }
        )

    async def list_accessors(self, request: Request, data: FieldData) -> Response:
        role = await self._role(data, missing=InvalidParameter("role does not exist"))
        return list_response(
            sorted([entry.accessor async for _, entry in self._store.secret_ids(role)])
        )

    async def lookup(self, request: Request, data: FieldData) -> Response | None:
        role = await self._role(data, missing=InvalidParameter("role does not exist"))
        _, entry = await self._store.secret_id(role, _required(data, "secret_id"))
        return Response(secret_id_data(entry)) if entry is not None else None

    async def destroy(self, request: Request, data: FieldData) -> None:
        role = await self._role(data, missing=InvalidParameter("role does not exist"))
        secret_id_hmac, _ = await self._store.secret_id(role, _required(data, "secret_id"))
        await self._store.destroy(role, secret_id_hmac)

    async def lookup_accessor(self, request: Request, data: FieldData) -> Response:
        role = await self._role(data, missing=InvalidParameter("role does not exist"))
        accessor = _required(data, "secret_id_accessor")
        _, entry = await self._store.by_accessor(role, accessor)
        if entry is None:
            raise NotFound("failed to find accessor entry for secret_id_accessor")
        return Response(secret_id_data(entry))

    async def destroy_accessor(self, request: Request, data: FieldData) -> None:
        role = await self._role(data, missing=InvalidParameter("role does not exist"))
        secret_id_hmac, entry = await self._store.by_accessor(
            role, _required(data, "secret_id_accessor")
        )
        if entry is None:
            raise InvalidParameter("failed to find accessor entry for secret_id_accessor")
        await self._store.destroy(role, secret_id_hmac)

    async def tidy(self, request: Request, data: FieldData) -> Response:
        removed = await self._store.tidy()
        return Response(
            warnings=[f"Tidy of secret IDs finished; {removed} entries removed."], status=202
        )

    async def _role(self, data: FieldData, missing: Exception) -> Role:
        role = await self._store.role(role_name(data))
        if role is None:
            raise missing
        return role


def _required(data: FieldData, name: str) -> str:
    value = data.get(name)
    if not value:
        raise InvalidParameter(f"missing {name}")
    return str(value)


def _uses(data: FieldData, role: Role) -> int:
    if not data.has("num_uses"):
        return role.secret_id_num_uses
    uses = data.get("num_uses")
    if uses < 0:
        raise InvalidParameter("num_uses cannot be negative")
    limit = role.secret_id_num_uses
    if limit and (uses == 0 or uses > limit):
        raise InvalidParameter("num_uses cannot be higher than the role's secret_id_num_uses")
    return int(uses)


def _ttl(data: FieldData, role: Role) -> int:
    if not data.has("ttl"):
        return role.secret_id_ttl
    ttl = data.get("ttl")
    limit = role.secret_id_ttl
    if limit and (ttl == 0 or ttl > limit):
        raise InvalidParameter("ttl cannot be longer than the role's secret_id_ttl")
    return int(ttl)
