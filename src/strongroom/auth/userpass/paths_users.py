"""users/, users/<name>[/password|/policies]: the users of a userpass mount.

Usernames are lower-cased, as Vault does: `Bob` and `bob` are one user. A read never returns
the password hash. Creating a user needs `password` or an imported bcrypt `password_hash`.
"""

from __future__ import annotations

from dataclasses import replace

from strongroom.auth.method import list_response, named
from strongroom.auth.token_fields import parse_token_fields, render_token_fields, token_field_table
from strongroom.auth.userpass.passwords import PasswordHasher, checked_bcrypt_hash
from strongroom.auth.userpass.records import UserEntry
from strongroom.auth.userpass.store import UserStore
from strongroom.errors import BadRequest, InvalidParameter, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

# The deprecated token-field spellings userpass still accepts.
DEPRECATED_FIELDS = ("policies", "ttl", "max_ttl", "bound_cidrs")
USERNAME_FIELD = {"username": Field(FieldType.STRING, "the user's name", required=True)}
PASSWORD_FIELDS = {
    **USERNAME_FIELD,
    "password": Field(FieldType.STRING, "the password", default=""),
    "password_hash": Field(FieldType.STRING, "a bcrypt hash of the password", default=""),
}
USER_FIELDS = {**PASSWORD_FIELDS, **token_field_table(DEPRECATED_FIELDS)}
POLICY_FIELDS = {**USERNAME_FIELD, **token_field_table(("policies",))}
LIST_FIELDS = {
    "after": Field(FieldType.STRING, "list the names after this one", default=""),
    "limit": Field(FieldType.INT, "at most this many names (0 = all)", default=0),
}


def username_of(data: FieldData) -> str:
    return str(data.get("username")).lower()


class UserPaths:
    def __init__(self, store: UserStore, hasher: PasswordHasher) -> None:
        self._store = store
        self._hasher = hasher

    def specs(self) -> list[PathSpec]:
        user = f"users/{named('username')}"
        return [
            PathSpec("users/?", {Operation.LIST: self.list_users}, LIST_FIELDS, help="List users."),
            PathSpec(
                user,
                {
                    Operation.READ: self.read,
                    Operation.CREATE: self.write,
                    Operation.UPDATE: self.write,
                    Operation.DELETE: self.delete,
                },
                USER_FIELDS,
                existence_check=self.exists,
                help="Create, read, update or delete a user.",
            ),
            PathSpec(
                f"{user}/password",
                {Operation.UPDATE: self.set_password},
                PASSWORD_FIELDS,
                help="Reset a user's password.",
            ),
            PathSpec(
                f"{user}/policies",
                {Operation.UPDATE: self.set_policies},
                POLICY_FIELDS,
                help="Replace a user's token policies.",
            ),
        ]

    async def exists(self, request: Request, data: FieldData) -> bool:
        return await self._store.get(username_of(data)) is not None

    async def list_users(self, request: Request, data: FieldData) -> Response:
        limit = data.get("limit")
        names = await self._store.names(data.get("after") or None, limit if limit > 0 else None)
        return list_response(names)

    async def read(self, request: Request, data: FieldData) -> Response:
        user = await self._store.get(username_of(data))
        if user is None:
            raise NotFound()
        return Response(render_token_fields(user.token))

    async def write(self, request: Request, data: FieldData) -> None:
        username = username_of(data)
        async with self._store.lock(username):
            user = await self._store.get(username)
            if user is None:
                user = UserEntry(password_hash=await self._password_hash(data))
            elif data.get("password") or data.get("password_hash"):
                user = replace(user, password_hash=await self._password_hash(data))
            token = parse_token_fields(user.token, data, DEPRECATED_FIELDS)
            await self._store.put(username, replace(user, token=token))

    async def delete(self, request: Request, data: FieldData) -> None:
        username = username_of(data)
        async with self._store.lock(username):  # a login's hash upgrade must not undo it
            await self._store.delete(username)

    async def set_password(self, request: Request, data: FieldData) -> None:
        username = username_of(data)
        async with self._store.lock(username):
            user = await self._existing(username)
            user = replace(user, password_hash=await self._password_hash(data))
            await self._store.put(username, user)

    async def set_policies(self, request: Request, data: FieldData) -> None:
        username = username_of(data)
        # Only the policy fields: the rest of the user's token settings stay as they are.
        sent = {k: v for k, v in data.raw.items() if k in ("token_policies", "policies")}
        async with self._store.lock(username):
            user = await self._existing(username)
            token = parse_token_fields(user.token, FieldData(sent, POLICY_FIELDS), ("policies",))
            await self._store.put(username, replace(user, token=token))

    async def _existing(self, username: str) -> UserEntry:
        user = await self._store.get(username)
        if user is None:
            raise BadRequest("username does not exist")
        return user

    async def _password_hash(self, data: FieldData) -> str:
        """The hash to store from `password` or `password_hash` (exactly one of them)."""
        password, imported = data.get("password"), data.get("password_hash")
        if password and imported:
            raise InvalidParameter("only one of password or password_hash may be provided")
        if imported:
            return checked_bcrypt_hash(imported)
        if not password:
            raise InvalidParameter("must provide either password or password_hash")
        return await self._hasher.hash(password)
