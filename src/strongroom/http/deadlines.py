"""Per-request deadlines (`max_request_duration`) without a timer per request.

asyncio.timeout schedules and cancels a timer handle for every request; this keeps the deadlines
in a dict and lets one periodic sweep cancel whatever overruns, which costs a dict insert and
delete per request. The sweep is scheduled only while requests are in flight.
"""

from __future__ import annotations

import asyncio

from strongroom.errors import InternalError


class RequestTimeout(InternalError):
    default_message = "context deadline exceeded"


class Deadlines:
    def __init__(self, limit: float) -> None:
        self._limit = limit
        self._running: dict[asyncio.Task[object], float] = {}
        self._expired: set[asyncio.Task[object]] = set()
        self._sweep_timer: asyncio.TimerHandle | None = None

    def track(self) -> _Tracked:
        """`with deadlines.track():` runs the body under the deadline; overrunning raises
        RequestTimeout (a 500). A plain class, not @contextmanager: this is on every request."""
        return _Tracked(self)

    def _enter(self, task: asyncio.Task[object]) -> None:
        loop = asyncio.get_running_loop()
        self._running[task] = loop.time() + self._limit
        if self._sweep_timer is None:
            self._schedule_sweep(loop)

    def _exit(self, task: asyncio.Task[object], cancelled: bool) -> bool:
        """Forget `task`; True when its cancellation was this deadline's doing."""
        self._running.pop(task, None)
        expired = task in self._expired
        self._expired.discard(task)
        if cancelled and expired:
            task.uncancel()
            return True
        return False

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


class _Tracked:
    __slots__ = ("_deadlines", "_task")

    def __init__(self, deadlines: Deadlines) -> None:
        self._deadlines = deadlines
        self._task: asyncio.Task[object] | None = None

    def __enter__(self) -> None:
        self._task = asyncio.current_task()
        if self._task is not None:
            self._deadlines._enter(self._task)

    def __exit__(self, kind: type[BaseException] | None, exc: object, tb: object) -> None:
        if self._task is None:
            return
        cancelled = kind is not None and issubclass(kind, asyncio.CancelledError)
        if self._deadlines._exit(self._task, cancelled):
            raise RequestTimeout() from None
