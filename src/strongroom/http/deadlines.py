"""Per-request deadlines (`max_request_duration`) without a timer per request.

asyncio.timeout schedules and cancels a timer handle for every request; this keeps the deadlines
in a dict and lets one periodic sweep cancel whatever overruns, which costs a dict insert and
delete per request. The sweep is scheduled only while requests are in flight.
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
        self._sweep_timer: asyncio.TimerHandle | None = None

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        """Run the body under the deadline; overrunning raises RequestTimeout (a 500)."""
        task = asyncio.current_task()
        if task is None:
            yield
            return
        loop = asyncio.get_running_loop()
        self._running[task] = loop.time() + self._limit
        if self._sweep_timer is None:
            self._schedule_sweep(loop)
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

    def _schedule_sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        self._sweep_timer = loop.call_later(min(1.0, self._limit / 4), self._sweep, loop)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for task, deadline in list(self._running.items()):
            if deadline <= now and task not in self._expired:
                self._expired.add(task)
                task.cancel()
        self._sweep_timer = None
        if self._running:
            self._schedule_sweep(loop)
