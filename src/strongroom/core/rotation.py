"""Automatic keyring rotation: after `max_operations` encryptions or `interval` seconds."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from strongroom.barrier import Barrier
from strongroom.clock import Clock, Periodic

if TYPE_CHECKING:
    from strongroom.core.core import CoreConfig

log = logging.getLogger(__name__)


class RotationScheduler:
    def __init__(self, barrier: Barrier, clock: Clock, config: CoreConfig) -> None:
        self._barrier = barrier
        self._clock = clock
        self._checks = Periodic(
            "keyring rotation check", config.rotation_check_interval, self.check
        )

    def start(self) -> None:
        self._checks.start()

    async def stop(self) -> None:
        await self._checks.stop()

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
