"""AppRole: machines log in with a role ID and a secret ID. The table of contents.

    role, role/<name>                            roles CRUD and list          paths_roles
    role/<name>/<setting>, role/<name>/role-id   one setting at a time        paths_roles
    role/<name>/secret-id[/lookup|/destroy],     secret IDs: issue, list,     paths_secret_ids
      custom-secret-id, secret-id-accessor/…,      look up, destroy, tidy
      tidy/secret-id
    login                                        role ID + secret ID → token  paths_login

Records are in `records.py`; storage, the mount's HMAC key and the per-secret-ID locks that
make `secret_id_num_uses` exact are in `store.py`.
"""

from __future__ import annotations

from strongroom.auth.approle.paths_login import LoginPaths, login_alias
from strongroom.auth.approle.paths_roles import RolePaths
from strongroom.auth.approle.paths_secret_ids import SecretIdPaths
from strongroom.auth.approle.store import AppRoleStore
from strongroom.clock import Clock, SystemClock
from strongroom.framework import FrameworkBackend
from strongroom.logical import Request, Storage


class AppRoleBackend(FrameworkBackend):
    def __init__(self, store: AppRoleStore) -> None:
        self.store = store
        login = LoginPaths(store)
        super().__init__(
            [*RolePaths(store).specs(), *SecretIdPaths(store).specs(), *login.specs()],
            auth_renew=login.renew,
        )

    def login_alias(self, request: Request) -> str | None:
        return login_alias(request)

    async def tidy(self) -> int:
        return await self.store.tidy()


def build_approle_backend(storage: Storage, clock: Clock | None = None) -> AppRoleBackend:
    return AppRoleBackend(AppRoleStore(storage, clock or SystemClock()))
