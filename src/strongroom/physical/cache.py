"""A read cache in front of any backend (Vault's physical cache).

Values are cached as stored (barrier ciphertext), so the cache holds nothing the backend does
not; absent keys are remembered too. Every write goes through this node's cache; with several
nodes, each invalidates from the change feed.

Races: a generation counter is bumped when a write starts and again when it ends. A read stores
its result only if no write started or ended while it was in flight, so a read that fetched a
value just before a write landed can never put that older value back into the cache.
"""

from __future__ import annotations

import builtins
from collections import OrderedDict
from collections.abc import Sequence

from strongroom.physical.base import Backend, Put, TransactionalBackend, TxnOp

DEFAULT_CACHE_SIZE = 131_072  # entries, as Vault's default cache_size


class CachedBackend:
    def __init__(self, backend: Backend, size: int = DEFAULT_CACHE_SIZE) -> None:
        self._backend = backend
        self._size = size
        # A key mapped to None is known to be absent (new secrets are probed before written).
        self._entries: OrderedDict[str, bytes | None] = OrderedDict()
        self._generation = 0

    def invalidate(self, key: str | None = None) -> None:
        """Forget one key (or everything): another node changed it."""
        self._generation += 1
        if key is None:
            self._entries.clear()
        else:
            self._entries.pop(key, None)

    async def get(self, key: str) -> bytes | None:
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        generation = self._generation
        value = await self._backend.get(key)
        if generation == self._generation:
            self._remember(key, value)
        return value

    async def put(self, key: str, value: bytes) -> None:
        started = self._begin_write([key])
        try:
            await self._backend.put(key, value)
        finally:
            alone = self._end_write([key], started)
        if alone:
            self._remember(key, bytes(value))

    async def delete(self, key: str) -> None:
        started = self._begin_write([key])
        try:
            await self._backend.delete(key)
        finally:
            alone = self._end_write([key], started)
        if alone:
            self._remember(key, None)

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> builtins.list[str]:
        return await self._backend.list(prefix, after, limit)

    async def close(self) -> None:
        self._entries.clear()
        await self._backend.close()

    def _begin_write(self, keys: Sequence[str]) -> int:
        for key in keys:
            self.invalidate(key)
        return self._generation

    def _end_write(self, keys: Sequence[str], started: int) -> bool:
        """Forget `keys` again (so overlapping reads store nothing); True when no other write
        started or ended while this one was in flight."""
        alone = self._generation == started
        for key in keys:
            self.invalidate(key)
        return alone

    def _remember(self, key: str, value: bytes | None) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)


class CachedTransactionalBackend(CachedBackend):
    """The cache in front of a backend that can apply several writes atomically."""

    def __init__(self, backend: TransactionalBackend, size: int = DEFAULT_CACHE_SIZE) -> None:
        super().__init__(backend, size)
        self._transactional = backend

    async def transaction(self, ops: Sequence[TxnOp]) -> None:
        keys = [op.key for op in ops]
        started = self._begin_write(keys)
        try:
            await self._transactional.transaction(ops)
        finally:
            alone = self._end_write(keys, started)
        if alone:
            for op in ops:
                self._remember(op.key, bytes(op.value) if isinstance(op, Put) else None)


def cached(backend: Backend, size: int = DEFAULT_CACHE_SIZE) -> CachedBackend:
    """`backend` behind a read cache, keeping its transaction capability if it has one."""
    if isinstance(backend, TransactionalBackend):
        return CachedTransactionalBackend(backend, size)
    return CachedBackend(backend, size)
