"""Helpers shared by the token tests (fixtures live in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from strongroom.physical.inmem import InmemBackend
from strongroom.token import NoHooks, TokenEntry, TokenRef, TokenStore

HOUR = 3600
DAY = 24 * HOUR


@dataclass
class RecordingHooks(NoHooks):
    created: list[str] = field(default_factory=list)
    renewed: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)

    async def token_created(self, token_hash: str, entry: TokenEntry) -> None:
        self.created.append(token_hash)

    async def token_renewed(self, token_hash: str, entry: TokenEntry) -> None:
        self.renewed.append(token_hash)

    async def token_revoked(self, token_hash: str, entry: TokenEntry) -> None:
        self.revoked.append(token_hash)


async def resolved(store: TokenStore, token_id: str) -> TokenRef:
    ref = await store.resolve(token_id)
    assert ref is not None
    return ref


async def all_keys(storage: InmemBackend, prefix: str = "") -> list[str]:
    """Every key under `prefix`, walking folders."""
    keys = []
    for name in await storage.list(prefix):
        if name.endswith("/"):
            keys += await all_keys(storage, prefix + name)
        else:
            keys.append(prefix + name)
    return keys
