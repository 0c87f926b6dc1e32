"""Lease records and their indexes in storage (layout: `keys.py`).

Writes are ordered so that a crash between two of them leaves at worst an index entry without a
lease (harmless: the expiry loop and `tidy` drop it), never a lease that nothing will expire:
index entries are written before the record and deleted after it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from strongroom.lease import keys
from strongroom.lease.entry import LeaseEntry
from strongroom.lease.pages import leaf_pages, pages
from strongroom.logical import Storage


def index_keys(entry: LeaseEntry) -> dict[str, bytes]:
    """Every index entry `entry` must have, with its value."""
    index: dict[str, bytes] = {}
    if entry.due_time is not None:
        index[keys.due_key(entry.due_time, entry.lease_id)] = b""
    if entry.token_hash:
        index[keys.token_key(entry.token_hash, entry.lease_id)] = b""
    if entry.auth_token_hash:
        index[keys.auth_key(entry.auth_token_hash)] = entry.lease_id.encode()
    return index


class LeaseStore:
    def __init__(self, storage: Storage, page_size: int) -> None:
        self.storage = storage
        self.page_size = page_size

    async def load(self, lease_id: str) -> LeaseEntry | None:
        if not keys.valid_lease_id(lease_id):
            return None
        raw = await self.storage.get(keys.id_key(lease_id))
        return LeaseEntry.deserialize(raw) if raw is not None else None

    async def save(self, old: LeaseEntry | None, new: LeaseEntry) -> None:
        """Write `new` (replacing `old`, the record as stored before) with its indexes."""
        stale = index_keys(old) if old is not None else {}
        wanted = index_keys(new)
        for key, value in wanted.items():
            if stale.get(key) != value:
                await self.storage.put(key, value)
        await self.storage.put(keys.id_key(new.lease_id), new.serialize())
        for key in stale.keys() - wanted.keys():
            await self.storage.delete(key)

    async def remove(self, entry: LeaseEntry) -> None:
        await self.storage.delete(keys.id_key(entry.lease_id))
        for key in index_keys(entry):
            await self.storage.delete(key)

    async def discard(self, key: str) -> None:
        """Delete one index entry."""
        await self.storage.delete(key)

    async def auth_lease_id(self, token_hash: str) -> str | None:
        raw = await self.storage.get(keys.auth_key(token_hash))
        return raw.decode(errors="replace") if raw is not None else None

    async def indexed_lease_id(self, key: str) -> str | None:
        """The lease an index entry points at; None for a key this module did not write."""
        name = key.rsplit("/", 1)[-1]
        if key.startswith(keys.DUE):
            parsed = keys.parse_due_name(name)
            return parsed[1] if parsed is not None else None
        if key.startswith(keys.AUTH):
            token_hash = _unescaped(name)
            return await self.auth_lease_id(token_hash) if token_hash else None
        return _unescaped(name)

    async def lease_pages(self, folder: str) -> AsyncIterator[list[str]]:
        """The IDs of every lease under `folder` (`""` or ending in `/`), a page at a time."""
        async for page in leaf_pages(self.storage, keys.ID + folder, self.page_size):
            yield [key[len(keys.ID) :] for key in page]

    async def token_lease_pages(self, token_hash: str) -> AsyncIterator[list[str]]:
        """The IDs of the leases created by a token, a page at a time."""
        async for names in pages(self.storage, keys.token_folder(token_hash), self.page_size):
            lease_ids = [_unescaped(name) for name in names]
            yield [lease_id for lease_id in lease_ids if lease_id]

    async def children(self, folder: str) -> list[str]:
        """Lease-ID suffixes and sub-folders directly under `folder`."""
        return [
            n async for page in pages(self.storage, keys.ID + folder, self.page_size) for n in page
        ]


def _unescaped(name: str) -> str | None:
    try:
        return keys.unescape(name)
    except UnicodeDecodeError:
        return None
