"""Fakes for the lease tests: an engine/token-store stand-in and a storage that counts."""

from __future__ import annotations

import builtins
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from strongroom.lease import LeaseEntry
from strongroom.logical import Secret
from strongroom.physical.inmem import InmemBackend

SECRET_IN_ERROR = "password=hunter2"


class EngineDown(Exception):
    """What a failing engine raises; its message holds something that must never be stored."""


def same_secret(entry: LeaseEntry, increment: int) -> Secret | None:
    assert entry.secret is not None
    return replace(entry.secret)


def secret(ttl: int = 60, max_ttl: int = 0, *, renewable: bool = True) -> Secret:
    return Secret("creds", ttl=ttl, max_ttl=max_ttl, renewable=renewable, internal={"user": "u1"})


@dataclass
class FakeRevoker:
    """Records every call; fails when told to. Counts the lease entries alive at each call."""

    revoked: list[str] = field(default_factory=list)
    renewed: list[tuple[str, int]] = field(default_factory=list)
    tokens_revoked: list[str] = field(default_factory=list)
    failing: bool = False  # every call fails
    failing_ids: set[str] = field(default_factory=set)  # lease IDs or token hashes that fail
    renewal: Callable[[LeaseEntry, int], Secret | None] = same_secret
    on_revoke_token: Callable[[str], Awaitable[None]] | None = None
    calls: int = 0  # revoke_secret calls, failed ones included
    alive: int = 0
    max_alive: int = 0
    _refs: dict[int, weakref.ref[LeaseEntry]] = field(default_factory=dict)

    def _track(self, entry: LeaseEntry) -> None:
        ref = weakref.ref(entry, lambda r: self._gone(id(r)))
        self._refs[id(ref)] = ref
        self.alive += 1
        self.max_alive = max(self.max_alive, self.alive)

    def _gone(self, key: int) -> None:
        self._refs.pop(key, None)
        self.alive -= 1

    def _check(self, key: str) -> None:
        if self.failing or key in self.failing_ids:
            raise EngineDown(SECRET_IN_ERROR)

    async def revoke_secret(self, entry: LeaseEntry) -> None:
        self.calls += 1
        self._track(entry)
        self._check(entry.lease_id)
        self.revoked.append(entry.lease_id)

    async def renew_secret(self, entry: LeaseEntry, increment: int) -> Secret | None:
        self._check(entry.lease_id)
        self.renewed.append((entry.lease_id, increment))
        return self.renewal(entry, increment)

    async def revoke_token(self, token_hash: str) -> None:
        self._check(token_hash)
        if self.on_revoke_token is not None:
            await self.on_revoke_token(token_hash)
        self.tokens_revoked.append(token_hash)


class CountingStorage(InmemBackend):
    """InmemBackend that remembers the longest listing it returned and any unbounded listing."""

    def __init__(self) -> None:
        super().__init__()
        self.longest_list = 0
        self.unbounded_lists = 0

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> list[str]:
        names = await super().list(prefix, after, limit)
        self.longest_list = max(self.longest_list, len(names))
        if not limit or limit <= 0:
            self.unbounded_lists += 1
        return names

    def values(self) -> builtins.list[bytes]:
        return list(self._values.values())
