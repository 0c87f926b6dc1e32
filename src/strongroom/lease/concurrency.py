"""A lock per lease ID, and bounded parallel work over one page of leases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

# Lease IDs whose lock the current call chain holds. Tasks started inside the chain inherit a
# copy, so a callback that comes back for the same lease (a token lease expires → the token
# store revokes the token → it revokes that token's lease) is told so instead of deadlocking.
_held: ContextVar[frozenset[str]] = ContextVar("strongroom_lease_locks_held", default=frozenset())


class LeaseLocks:
    """One `asyncio.Lock` per lease ID in use; an entry lives only while someone holds or waits."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, lease_id: str) -> AsyncIterator[bool]:
        """Yields True with the lease locked; False if this call chain holds it already (the
        outer holder finishes the job, so the caller should do nothing)."""
        held = _held.get()
        if lease_id in held:
            yield False
            return
        lock, users = self._locks.setdefault(lease_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                token = _held.set(held | {lease_id})
                try:
                    yield True
                finally:
                    _held.reset(token)
        finally:
            users[0] -= 1
            if not users[0]:
                del self._locks[lease_id]


async def for_each(
    items: Sequence[T], action: Callable[[T], Awaitable[int]], concurrency: int
) -> int:
    """Run `action` on every item, at most `concurrency` at once; the sum of what they return.

    The first exception stops the others and is raised as it was (not in an ExceptionGroup).
    """
    iterator = iter(items)
    total = 0

    async def worker() -> None:
        nonlocal total
        for item in iterator:
            done = await action(item)  # not `total += await …`: that reads `total` too early
            total += done

    workers = min(concurrency, len(items))
    if workers <= 1:
        await worker()
        return total
    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(workers):
                group.create_task(worker())
    except ExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return total
