"""The persisted token records and their indexes, with a cache of entries by hash.

Everything here is keyed by salted hash (see `keys.py`); callers hash IDs first. The cache is a
bounded LRU: entries are small, but a flood of distinct tokens must not grow it without end.
"""

from __future__ import annotations

from collections import OrderedDict

from strongroom.logical import Storage
from strongroom.token.entry import TokenEntry
from strongroom.token.keys import (
    ACCESSOR_PREFIX,
    ID_PREFIX,
    PARENT_PREFIX,
    accessor_key,
    children_prefix,
    id_key,
    parent_key,
)

CACHE_SIZE = 10_000


class TokenRecords:
    def __init__(self, storage: Storage, cache_size: int = CACHE_SIZE) -> None:
        self._storage = storage
        self._cache: OrderedDict[str, TokenEntry] = OrderedDict()
        self._cache_size = cache_size

    def invalidate(self) -> None:
        self._cache.clear()

    # --- entries ----------------------------------------------------------------------------

    async def get(self, token_hash: str) -> TokenEntry | None:
        entry = self._cache.get(token_hash)
        if entry is not None:
            self._cache.move_to_end(token_hash)
            return entry
        raw = await self._storage.get(id_key(token_hash))
        if raw is None:
            return None
        entry = TokenEntry.deserialize(raw)
        self._remember(token_hash, entry)
        return entry

    async def put(self, token_hash: str, entry: TokenEntry) -> None:
        await self._storage.put(id_key(token_hash), entry.serialize())
        self._remember(token_hash, entry)

    async def delete(self, token_hash: str) -> None:
        self._cache.pop(token_hash, None)
        await self._storage.delete(id_key(token_hash))

    async def hashes(self) -> list[str]:
        return await self._storage.list(ID_PREFIX)

    # --- accessor index ---------------------------------------------------------------------

    async def accessor_target(self, accessor_hash: str) -> str | None:
        raw = await self._storage.get(accessor_key(accessor_hash))
        return raw.decode() if raw is not None else None

    async def put_accessor(self, accessor_hash: str, token_hash: str) -> None:
        await self._storage.put(accessor_key(accessor_hash), token_hash.encode())

    async def delete_accessor(self, accessor_hash: str) -> None:
        await self._storage.delete(accessor_key(accessor_hash))

    async def accessor_hashes(self) -> list[str]:
        return await self._storage.list(ACCESSOR_PREFIX)

    # --- children index ---------------------------------------------------------------------

    async def children(self, parent_hash: str) -> list[str]:
        return await self._storage.list(children_prefix(parent_hash))

    async def add_child(self, parent_hash: str, child_hash: str) -> None:
        await self._storage.put(parent_key(parent_hash, child_hash), b"")

    async def remove_child(self, parent_hash: str, child_hash: str) -> None:
        await self._storage.delete(parent_key(parent_hash, child_hash))

    async def parent_hashes(self) -> list[str]:
        """Hashes that have (or had) children in the index."""
        return [name.rstrip("/") for name in await self._storage.list(PARENT_PREFIX)]

    def _remember(self, token_hash: str, entry: TokenEntry) -> None:
        self._cache[token_hash] = entry
        self._cache.move_to_end(token_hash)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
