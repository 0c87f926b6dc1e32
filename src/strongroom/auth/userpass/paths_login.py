"""login/<username>: a password for a token.

Every failure — no such user, a user without a password, a wrong password — is the same 400
`invalid username or password` after the same work: a missing user is verified against the
hasher's dummy hash. Only a right password from outside the user's `token_bound_cidrs` gets
a 403 instead.

A successful login replaces a hash weaker than the hasher's current one (an imported bcrypt
hash, older argon2 parameters) with a new argon2id hash of the same password: the only moment
the password is known. The upgrade is best effort: when it cannot be stored the login still
succeeds, and the next one tries again.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from strongroom.auth.method import named
from strongroom.auth.token_fields import renewal_auth, same_policies, to_auth
from strongroom.auth.userpass.passwords import PasswordHasher
from strongroom.auth.userpass.paths_users import username_of
from strongroom.auth.userpass.store import UserStore
from strongroom.crypto.compare import constant_time_equal
from strongroom.errors import BadRequest, InvalidParameter, PermissionDenied
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.logical.cidrs import address_allowed

log = logging.getLogger(__name__)
LOGIN = "login/"
LOGIN_FIELDS = {
    "username": Field(FieldType.STRING, "the user's name", required=True),
    "password": Field(FieldType.STRING, "the user's password", default=""),
}


class LoginPaths:
    def __init__(self, store: UserStore, hasher: PasswordHasher) -> None:
        self._store = store
        self._hasher = hasher

    def specs(self) -> list[PathSpec]:
        return [
            PathSpec(
                LOGIN + named("username"),
                {Operation.UPDATE: self.login},
                LOGIN_FIELDS,
                unauthenticated=True,
                help="Log in with a username and password.",
            )
        ]

    async def login(self, request: Request, data: FieldData) -> Response:
        username = username_of(data)
        password = data.get("password")
        if not password:
            raise InvalidParameter("missing password")
        user = await self._store.get(username)
        stored = user.password_hash if user is not None and user.password_hash else None
        await self._hasher.verify(stored, password)
        assert user is not None  # verify raised for a missing user
        if not address_allowed(user.token.token_bound_cidrs, request.remote_address):
            raise PermissionDenied()
        if self._hasher.needs_rehash(user.password_hash):
            await self._upgrade_hash(request, username, user.password_hash, password)
        auth = to_auth(user.token, display_name=username, metadata={"username": username})
        return Response(auth=auth)

    async def _upgrade_hash(
        self, request: Request, username: str, verified: str, password: str
    ) -> None:
        """Store a new hash of `password` in place of `verified`, unless the user changed in
        the meantime (a new password, or deleted): the new hash is made before taking the
        user's lock, and only replaces the very hash the login verified."""
        try:
            upgraded = await self._hasher.hash(password)
            async with self._store.lock(username):
                user = await self._store.get(username)
                if user is None or not constant_time_equal(user.password_hash, verified):
                    return
                await self._store.put(username, replace(user, password_hash=upgraded))
        except Exception as exc:  # logged by class only: the message may hold stored data
            log.warning(
                "userpass mount %s: could not store a user's upgraded password hash (%s)",
                request.mount_point,
                type(exc).__name__,
            )

    async def renew(self, request: Request) -> Response:
        """A token renewal: the user must still exist with the policies the token carries."""
        assert request.auth is not None
        user = await self._store.get(request.auth.metadata.get("username", ""))
        if user is None:
            raise BadRequest("the user no longer exists, not renewing")
        if not same_policies(user.token.token_policies, request.auth.token_policies):
            raise BadRequest("policies have changed, not renewing")
        return Response(auth=renewal_auth(user.token))


def login_alias(request: Request) -> str | None:
    """The user a login is for (lower-cased, as the user is stored), for lockout."""
    if request.operation is not Operation.UPDATE or not request.path.startswith(LOGIN):
        return None
    return request.path[len(LOGIN) :].lower() or None
