"""userpass: people log in with a username and a password. The table of contents.

    users, users/<name>                 users CRUD and list               paths_users
    users/<name>/password|policies      password reset, policy update     paths_users
    login/<name>                        a password for a token,           paths_login
                                          upgrading a weak hash

Records are in `records.py`, storage in `store.py`, password hashing (argon2id, imported
bcrypt, the dummy hash for missing users, which hashes need upgrading) in `passwords.py`.
"""

from __future__ import annotations

from strongroom.auth.userpass.passwords import PasswordHasher
from strongroom.auth.userpass.paths_login import LoginPaths, login_alias
from strongroom.auth.userpass.paths_users import UserPaths
from strongroom.auth.userpass.store import UserStore
from strongroom.framework import FrameworkBackend
from strongroom.logical import Request, Storage


class UserpassBackend(FrameworkBackend):
    def __init__(self, store: UserStore, hasher: PasswordHasher) -> None:
        self.store = store
        self.hasher = hasher
        login = LoginPaths(store, hasher)
        super().__init__(
            [*UserPaths(store, hasher).specs(), *login.specs()], auth_renew=login.renew
        )

    def login_alias(self, request: Request) -> str | None:
        return login_alias(request)


def build_userpass_backend(
    storage: Storage, hasher: PasswordHasher | None = None
) -> UserpassBackend:
    """A userpass backend; tests pass a hasher with cheap parameters, production never does."""
    return UserpassBackend(UserStore(storage), hasher or PasswordHasher())
