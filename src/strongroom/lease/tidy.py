"""Repair the indexes: drop entries that point at no lease (or at a lease that does not own
them), and write back entries a lease should have but lacks. Each check holds the lease's lock,
so a registration or renewal in flight is never mistaken for damage.
"""

from __future__ import annotations

from strongroom.lease import keys
from strongroom.lease.concurrency import LeaseLocks
from strongroom.lease.pages import leaf_pages
from strongroom.lease.store import LeaseStore, index_keys


async def tidy(store: LeaseStore, locks: LeaseLocks) -> int:
    """Fix every inconsistency between leases and indexes; return how many entries changed."""
    fixed = 0
    for root in (keys.DUE, keys.TOKEN, keys.AUTH):
        async for page in leaf_pages(store.storage, root, store.page_size):
            for key in page:
                fixed += await _check_index_entry(store, locks, key)
    async for lease_ids in store.lease_pages(""):
        for lease_id in lease_ids:
            fixed += await _restore_index_entries(store, locks, lease_id)
    return fixed


async def _check_index_entry(store: LeaseStore, locks: LeaseLocks, key: str) -> int:
    lease_id = await store.indexed_lease_id(key)
    if lease_id is None:
        await store.discard(key)
        return 1
    async with locks.hold(lease_id):
        entry = await store.load(lease_id)
        if entry is not None and key in index_keys(entry):
            return 0
        await store.discard(key)
        return 1


async def _restore_index_entries(store: LeaseStore, locks: LeaseLocks, lease_id: str) -> int:
    fixed = 0
    async with locks.hold(lease_id):
        entry = await store.load(lease_id)
        for key, value in (index_keys(entry) if entry is not None else {}).items():
            if await store.storage.get(key) != value:
                await store.storage.put(key, value)
                fixed += 1
    return fixed
