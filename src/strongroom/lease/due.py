"""Walking the time index: every lease due at or before a moment, in time order, page by page.

Only buckets that have started by then are listed, and inside the last one the walk stops at the
first entry that is not due yet. Nothing is loaded up front: a restarted (or newly unsealed)
node finds its pending leases by walking storage, so unsealing never waits for them.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass

from strongroom.lease import keys
from strongroom.lease.pages import pages
from strongroom.logical import Storage

BUCKET_PAGE = 32  # bucket folders listed at once (most ticks need only the first)


@dataclass(frozen=True, slots=True)
class DueItem:
    key: str  # the index entry
    lease_id: str


class DueScan:
    """`async for items in DueScan(...)`: pages of due items; afterwards `next_due` is a time
    before which nothing else is due (`inf` when the index held nothing later)."""

    def __init__(self, storage: Storage, now: float, page_size: int) -> None:
        self._storage = storage
        self._now_ms = keys.to_ms(now)
        self._page_size = page_size
        self.next_due = math.inf

    async def __aiter__(self) -> AsyncIterator[list[DueItem]]:
        async for folders in pages(self._storage, keys.DUE, BUCKET_PAGE):
            for folder in folders:
                start = keys.bucket_start(folder)
                if start is None:
                    continue
                if start * 1000 > self._now_ms:
                    self.next_due = start
                    return
                async for items in self._bucket(keys.DUE + folder):
                    yield items
                if self.next_due < math.inf:
                    return

    async def _bucket(self, folder: str) -> AsyncIterator[list[DueItem]]:
        async for names in pages(self._storage, folder, self._page_size):
            items: list[DueItem] = []
            for name in names:
                parsed = keys.parse_due_name(name)
                if parsed is None:
                    continue
                due_ms, lease_id = parsed
                if due_ms > self._now_ms:
                    self.next_due = due_ms / 1000
                    break
                items.append(DueItem(folder + name, lease_id))
            if items:
                yield items
            if self.next_due < math.inf:
                return
