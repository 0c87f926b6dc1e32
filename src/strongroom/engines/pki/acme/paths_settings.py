"""Operator paths (authenticated): `config/acme`, `config/cluster`, and external account
bindings: `[<prefix>]acme/new-eab` (one per directory), `LIST eab`, `DELETE eab/:id`.

An EAB key is 32 random bytes, shown once (base64url) when made, kept in the barrier, compared
only through joserfc's constant-time HMAC check, and deleted when an account uses it.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from strongroom.clock import rfc3339
from strongroom.engines.pki.acme.directory import path_parameters, prefix_of
from strongroom.engines.pki.acme.paths import PREFIXES
from strongroom.engines.pki.acme.records import (
    DEFAULT_POLICY,
    EAB_POLICIES,
    FORBID,
    ROLE_POLICY_PREFIX,
    ACMEConfig,
    EABKey,
)
from strongroom.engines.pki.acme.store import ACMEStore
from strongroom.engines.pki.records import ClusterConfig
from strongroom.errors import InvalidParameter, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

ACME_FIELDS = {
    "enabled": Field(FieldType.BOOL, "serve ACME"),
    "allowed_issuers": Field(FieldType.STRING_LIST, "issuers ACME may use (* for all)"),
    "allowed_roles": Field(FieldType.STRING_LIST, "roles ACME may use (* for all)"),
    "allow_role_ext_key_usage": Field(FieldType.BOOL, "use the role's EKUs, not ServerAuth"),
    "default_directory_policy": Field(
        FieldType.STRING, "sign-verbatim, role:<name> or forbid for directories without a role"
    ),
    "eab_policy": Field(FieldType.STRING, "not-required, new-account-required or always-required"),
    "dns_resolver": Field(FieldType.STRING, "host:port of a DNS resolver (dns-01; unused)"),
    "eab_expiry": Field(FieldType.DURATION, "how long an unused EAB key is valid (0: no limit)"),
}
CLUSTER_FIELDS = {
    "path": Field(FieldType.STRING, "this mount's URL, e.g. https://host:8200/v1/pki"),
    "aia_path": Field(FieldType.STRING, "this mount's URL for AIA (may be plain HTTP)"),
}
EAB_ID = {"eab_id": Field(FieldType.STRING, "an EAB id", required=True)}
EAB_KEY_BYTES = 32


def _given(data: FieldData, fields: dict[str, Field]) -> dict[str, Any]:
    return {name: data.get(name) for name in fields if data.has(name)}


def acme_view(config: ACMEConfig) -> dict[str, Any]:
    view = asdict(config)
    del view["format"]
    return view


def _check_url(value: str, name: str) -> None:
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidParameter(f"invalid {name}: expected an absolute http(s) URL")


def _check_resolver(value: str) -> None:
    if not value:
        return
    host, colon, port = value.rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidParameter("invalid dns_resolver: expected host:port")


def eab_view(eab: EABKey) -> dict[str, Any]:
    return {
        "key_type": eab.key_type,
        "acme_directory": eab.directory + "directory",
        "created_on": rfc3339(eab.created),
    }


class ACMESettingsPaths:
    def __init__(self, store: ACMEStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        found = [
            PathSpec(
                "config/acme",
                {Operation.READ: self.read_acme, Operation.UPDATE: self.write_acme},
                ACME_FIELDS,
            ),
            PathSpec(
                "config/cluster",
                {Operation.READ: self.read_cluster, Operation.UPDATE: self.write_cluster},
                CLUSTER_FIELDS,
            ),
            PathSpec("eab/?", {Operation.LIST: self.list_eab}),
            PathSpec("eab/(?P<eab_id>[^/]+)", {Operation.DELETE: self.delete_eab}, EAB_ID),
        ]
        found += [
            PathSpec(prefix + "acme/new-eab", {Operation.UPDATE: self.new_eab})
            for prefix in PREFIXES
        ]
        return found

    async def read_acme(self, request: Request, data: FieldData) -> Response:
        return Response(acme_view(await self._store.config()))

    async def write_acme(self, request: Request, data: FieldData) -> Response:
        config = (await self._store.config()).with_changes(**_given(data, ACME_FIELDS))
        await self._check_policy(config.default_directory_policy)
        if config.eab_policy not in EAB_POLICIES:
            raise InvalidParameter(f"invalid eab_policy: expected one of {', '.join(EAB_POLICIES)}")
        if config.eab_expiry < 0:
            raise InvalidParameter("invalid eab_expiry: it cannot be negative")
        _check_resolver(config.dns_resolver)
        for role in config.allowed_roles:
            if role != "*" and await self._store.pki.role(role) is None:
                raise InvalidParameter(f"allowed_roles: role {role!r} does not exist")
        for issuer in config.allowed_issuers:
            if issuer != "*" and await self._store.pki.issuer(issuer) is None:
                raise InvalidParameter(f"allowed_issuers: issuer {issuer!r} does not exist")
        await self._store.put_config(config)
        return Response(acme_view(config))

    async def _check_policy(self, policy: str) -> None:
        if policy in (DEFAULT_POLICY, FORBID):
            return
        if not policy.startswith(ROLE_POLICY_PREFIX):
            raise InvalidParameter(
                "invalid default_directory_policy: expected sign-verbatim, forbid or role:<name>"
            )
        name = policy.removeprefix(ROLE_POLICY_PREFIX)
        if await self._store.pki.role(name) is None:
            raise InvalidParameter(f"default_directory_policy: role {name!r} does not exist")

    async def read_cluster(self, request: Request, data: FieldData) -> Response:
        config = await self._store.pki.cluster_config()
        return Response({"path": config.path, "aia_path": config.aia_path})

    async def write_cluster(self, request: Request, data: FieldData) -> Response:
        current = await self._store.pki.cluster_config()
        config: ClusterConfig = current.with_changes(**_given(data, CLUSTER_FIELDS))
        _check_url(config.path, "path")
        _check_url(config.aia_path, "aia_path")
        await self._store.pki.put_cluster_config(config)
        return Response({"path": config.path, "aia_path": config.aia_path})

    async def new_eab(self, request: Request, data: FieldData) -> Response:
        issuer_ref, role = path_parameters(request.path)
        if role and await self._store.pki.role(role) is None:
            raise InvalidParameter(f"role {role!r} does not exist")
        key = secrets.token_urlsafe(EAB_KEY_BYTES)  # base64url, no padding
        eab = EABKey(
            id=str(uuid.uuid4()),
            key=key,
            directory=prefix_of(issuer_ref, role),
            created=self._store.now(),
        )
        await self._store.put_eab(eab)
        return Response(
            {"id": eab.id, "key_bits": EAB_KEY_BYTES * 8, "private_key": key, **eab_view(eab)}
        )

    async def list_eab(self, request: Request, data: FieldData) -> Response:
        found = await self._store.eabs()
        if not found:
            raise NotFound()
        return Response(
            {
                "keys": [eab.id for eab in found],
                "key_info": {eab.id: eab_view(eab) for eab in found},
            }
        )

    async def delete_eab(self, request: Request, data: FieldData) -> Response | None:
        await self._store.delete_eab(data.get("eab_id"))
        return None
