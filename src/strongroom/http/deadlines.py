"""Per-request deadlines (`max_request_duration`) without a timer per request.

asyncio.timeout schedules and cancels a timer handle for every request; this keeps the start
times in a dict and lets one sweeper task cancel whatever overruns, which costs a dict insert
and delete per request. The sweeper runs only while requests are in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from strongroom.errors import InternalError


class RequestTimeout(InternalError):
    default_message = "context deadline exceeded"


class Deadlines:
    def __init__(self, limit: float) -> None:
        self._limit = limit
        self._running: dict[asyncio.Task[object], float] = {}
        self._expired: set[asyncio.Task[object]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        """Run the body under the deadline; overrunning raises RequestTimeout (a 500)."""
        task = asyncio.current_task()
        if task is None:
            yield
            return
        loop = asyncio.get_running_loop()
        self._running[task] = loop.time() + self._limit
        if self._sweeper is None:
            self._sweeper = loop.create_task(self._sweep())
        try:
            yield
        except asyncio.CancelledError:
            if task in self._expired:
                task.uncancel()
                raise RequestTimeout() from None
            raise
        finally:
            self._running.pop(task, None)
            self._expired.discard(task)

    async def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        interval = min(1.0, self._limit / 4)
        try:
            while self._running:
                await asyncio.sleep(interval)
                now = loop.time()
                for task, deadline in list(self._running.items()):
                    if deadline <= now and task not in self._expired:
                        self._expired.add(task)
                        task.cancel()
        finally:
            self._sweeper = None
