"""A read cache in front of any backend (Vault's physical cache).

Values are cached as stored (barrier ciphertext), so the cache holds nothing the backend does
not. Every write goes through this node's cache; with several nodes, each invalidates from the
change feed. A read that raced a write never stores its (possibly older) result.
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
        # Bumped by every write: a read that started before a write does not fill the cache.
        self._generation = 0

    @property
    def inner(self) -> Backend:
        return self._backend

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
        self.invalidate(key)
        generation = self._generation
        await self._backend.put(key, value)
        if generation == self._generation:  # no other write finished or started meanwhile
            self._remember(key, bytes(value))

    async def delete(self, key: str) -> None:
        self.invalidate(key)
        generation = self._generation
        await self._backend.delete(key)
        if generation == self._generation:
            self._remember(key, None)

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> builtins.list[str]:
        return await self._backend.list(prefix, after, limit)

    async def close(self) -> None:
        self._entries.clear()
        await self._backend.close()

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
        for op in ops:
            self.invalidate(op.key)
        generation = self._generation
        await self._transactional.transaction(ops)
        if generation == self._generation:
            for op in ops:
                self._remember(op.key, bytes(op.value) if isinstance(op, Put) else None)


def cached(backend: Backend, size: int = DEFAULT_CACHE_SIZE) -> CachedBackend:
    """`backend` behind a read cache, keeping its transaction capability if it has one."""
    if isinstance(backend, TransactionalBackend):
        return CachedTransactionalBackend(backend, size)
    return CachedBackend(backend, size)
