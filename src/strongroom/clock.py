"""Injected time: code that reads the time takes a Clock, so tests can advance a fake one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

log = logging.getLogger(__name__)


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock time in seconds since the epoch."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards, for intervals."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


def rfc3339(timestamp: float) -> str:
    """Format a Unix time the way Vault does in JSON (UTC, nanosecond-free RFC 3339)."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


class Periodic:
    """Runs `job` every `interval` seconds in a background task, from `start` until `stop`.

    A failing run is logged by the exception's class name only (its message could carry
    stored data) and the next run still happens.
    """

    def __init__(self, name: str, interval: float, job: Callable[[], Awaitable[object]]) -> None:
        self._name = name
        self._interval = interval
        self._job = job
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._job()
            except Exception as exc:
                log.error("%s failed (%s)", self._name, type(exc).__name__)
