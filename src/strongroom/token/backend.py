"""The token store's backend, mounted at `auth/token/`: its whole API in one table."""

from __future__ import annotations

from strongroom.framework import FrameworkBackend
from strongroom.token.create import MOUNT_PATH
from strongroom.token.paths_admin import admin_paths
from strongroom.token.paths_create import create_paths
from strongroom.token.paths_lookup import lookup_paths
from strongroom.token.paths_renew import renew_paths
from strongroom.token.paths_revoke import revoke_paths
from strongroom.token.paths_roles import role_paths
from strongroom.token.store import TokenStore

MOUNT_TYPE = "token"
__all__ = ["MOUNT_PATH", "MOUNT_TYPE", "build_token_backend"]


def build_token_backend(store: TokenStore) -> FrameworkBackend:
    return FrameworkBackend(
        [
            *create_paths(store),
            *lookup_paths(store),
            *renew_paths(store),
            *revoke_paths(store),
            *role_paths(store),
            *admin_paths(store),
        ]
    )
