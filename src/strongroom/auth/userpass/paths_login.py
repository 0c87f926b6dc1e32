"""login/<username>: a password for a token.

Every failure — no such user, a user without a password, a wrong password — is the same 400
`invalid username or password` after the same work: a missing user is verified against the
hasher's dummy hash. Only a right password from outside the user's `token_bound_cidrs` gets
a 403 instead.
"""

from __future__ import annotations

from strongroom.auth.method import named
from strongroom.auth.token_fields import renewal_auth, same_policies, to_auth
from strongroom.auth.userpass.passwords import PasswordHasher
from strongroom.auth.userpass.paths_users import username_of
from strongroom.auth.userpass.store import UserStore
from strongroom.errors import BadRequest, InvalidParameter, PermissionDenied
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.logical.cidrs import address_allowed

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
        auth = to_auth(user.token, display_name=username, metadata={"username": username})
        return Response(auth=auth)

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
