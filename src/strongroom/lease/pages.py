"""Reading a storage folder one bounded page at a time.

Each page is fetched with `list(prefix, after, limit)`, so a caller may delete what it was given
before asking for the next page: the cursor is the last name seen, not an offset.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from strongroom.logical import Storage


async def pages(storage: Storage, prefix: str, size: int) -> AsyncIterator[list[str]]:
    """The immediate children of `prefix` (names, folders ending in `/`), `size` at a time."""
    after: str | None = None
    while True:
        names = await storage.list(prefix, after, size)
        if names:
            yield names
        if len(names) < size:
            return
        after = names[-1]


async def leaf_pages(storage: Storage, prefix: str, size: int) -> AsyncIterator[list[str]]:
    """The full keys of every leaf under `prefix`, depth first, at most `size` per page.

    Memory holds one listing page per folder level, never the whole subtree.
    """
    async for names in pages(storage, prefix, size):
        leaves = [prefix + name for name in names if not name.endswith("/")]
        if leaves:
            yield leaves
        for name in names:
            if name.endswith("/"):
                async for sub in leaf_pages(storage, prefix + name, size):
                    yield sub
