"""The token store: tokens are kept under a salted hash of their ID, never by the ID itself."""

from strongroom.token.backend import MOUNT_PATH, MOUNT_TYPE, build_token_backend
from strongroom.token.create import TokenParams
from strongroom.token.entry import TokenEntry, TokenRef
from strongroom.token.hooks import NoHooks, RenewalTerms, TokenHooks
from strongroom.token.roles import Role
from strongroom.token.store import CreatedToken, TokenStore
from strongroom.token.tree import TidyResult
from strongroom.token.ttl import TokenStoreConfig

__all__ = [
    "MOUNT_PATH",
    "MOUNT_TYPE",
    "CreatedToken",
    "NoHooks",
    "RenewalTerms",
    "Role",
    "TidyResult",
    "TokenEntry",
    "TokenHooks",
    "TokenParams",
    "TokenRef",
    "TokenStore",
    "TokenStoreConfig",
    "build_token_backend",
]
