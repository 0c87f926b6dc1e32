"""Automatic keyring rotation: after `max_operations` encryptions or `interval` seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from strongroom.barrier import Barrier
from strongroom.clock import Clock

if TYPE_CHECKING:
    from strongroom.core.core import CoreConfig

log = logging.getLogger(__name__)


class RotationScheduler:
    def __init__(self, barrier: Barrier, clock: Clock, config: CoreConfig) -> None:
        self._barrier = barrier
        self._clock = clock
        self._interval = config.rotation_check_interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="keyring-rotation")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def due(self) -> bool:
        keyring = self._barrier.keyring
        rotation = keyring.rotation
        if not rotation.enabled:
            return False
        if self._barrier.active_encryptions >= rotation.max_operations:
            return True
        age = self._clock.now() - keyring.active.install_time
        return rotation.interval > 0 and age >= rotation.interval

    async def check(self) -> bool:
        """Rotate if due, else save the encryption count; True when a term was added."""
        if self.due():
            term = await self._barrier.rotate(self._clock.now())
            log.info("keyring rotated automatically to term %d", term)
            return True
        await self._barrier.save_counters()
        return False

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.check()
            except Exception:
                log.exception("automatic keyring rotation check failed")
