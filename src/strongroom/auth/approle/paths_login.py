"""login: a role ID and a secret ID for a token.

An unknown role ID, an unknown, expired or used-up secret ID, or a secret ID of another role
all get the same 400 `invalid role or secret ID`. A login from outside the secret ID's or the
role's CIDR blocks is refused before it spends a use of the secret ID.
"""

from __future__ import annotations

from strongroom.auth.approle.records import Role, SecretIdEntry
from strongroom.auth.approle.store import AppRoleStore
from strongroom.auth.token_fields import renewal_auth, same_policies, to_auth
from strongroom.errors import BadRequest, InvalidCredentials, InvalidParameter
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.logical.cidrs import address_allowed

LOGIN_FAILED = "invalid role or secret ID"
LOGIN_FIELDS = {
    "role_id": Field(FieldType.STRING, "the role's ID", default=""),
    "secret_id": Field(FieldType.STRING, "a secret ID of the role", default=""),
}


class SourceAddressRefused(BadRequest):
    """A login from outside the CIDR blocks its secret ID or role is bound to."""


class LoginPaths:
    def __init__(self, store: AppRoleStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        return [
            PathSpec(
                "login",
                {Operation.UPDATE: self.login},
                LOGIN_FIELDS,
                unauthenticated=True,
                help="Log in with a role ID and a secret ID.",
            )
        ]

    async def login(self, request: Request, data: FieldData) -> Response:
        role_id = str(data.get("role_id")).strip()
        if not role_id:
            raise InvalidParameter("missing role_id")
        role = await self._store.role_for_id(role_id)
        if role is None:
            raise InvalidCredentials(LOGIN_FAILED)
        entry = await self._secret_id(request, data, role) if role.bind_secret_id else None
        _check_source(role.secret_id_bound_cidrs, request.remote_address, "role")
        metadata = dict(entry.metadata) if entry is not None else {}
        metadata["role_name"] = role.name
        token_cidrs = entry.token_bound_cidrs if entry and entry.token_bound_cidrs else None
        auth = to_auth(
            role.token, display_name=role.name, metadata=metadata, bound_cidrs=token_cidrs
        )
        return Response(auth=auth)

    async def renew(self, request: Request) -> Response:
        """A token renewal: the role must still exist; its current token settings apply."""
        assert request.auth is not None
        role = await self._store.role(request.auth.metadata.get("role_name", ""))
        if role is None:
            raise BadRequest("the role no longer exists, not renewing")
        if not same_policies(role.token.token_policies, request.auth.token_policies):
            raise BadRequest("policies have changed, not renewing")
        return Response(auth=renewal_auth(role.token))

    async def _secret_id(self, request: Request, data: FieldData, role: Role) -> SecretIdEntry:
        secret_id = str(data.get("secret_id")).strip()
        if not secret_id:
            raise InvalidParameter("missing secret_id")

        def check(entry: SecretIdEntry) -> None:
            _check_source(entry.cidr_list, request.remote_address, "secret ID")
            _check_source(role.secret_id_bound_cidrs, request.remote_address, "role")

        entry = await self._store.use(role, secret_id, check)
        if entry is None:
            raise InvalidCredentials(LOGIN_FAILED)
        return entry


def login_alias(request: Request) -> str | None:
    """The role ID a login is for (Vault's alias for AppRole), for lockout."""
    if request.operation is not Operation.UPDATE or request.path != "login":
        return None
    role_id = request.data.get("role_id")
    return role_id.strip() or None if isinstance(role_id, str) else None


def _check_source(cidrs: tuple[str, ...], remote_address: str, what: str) -> None:
    if not address_allowed(cidrs, remote_address):
        raise SourceAddressRefused(
            f"source address unauthorized through CIDR restrictions on the {what}"
        )
