"""The backends' background work: `periodic()` of every mount that has one, once a minute."""

from __future__ import annotations

import logging

from strongroom.clock import Periodic
from strongroom.logical import PeriodicBackend
from strongroom.routing import Router

log = logging.getLogger(__name__)
DEFAULT_INTERVAL = 60.0


class BackendTicker:
    def __init__(self, router: Router, interval: float = DEFAULT_INTERVAL) -> None:
        self._router = router
        self._ticks = Periodic("backend periodic work", interval, self.tick)

    def start(self) -> None:
        self._ticks.start()

    async def stop(self) -> None:
        await self._ticks.stop()

    async def tick(self) -> int:
        """Run each mount's periodic work once; a failing mount does not stop the others.
        Returns how many mounts ran theirs."""
        ran = 0
        for entry, backend in self._router.backends():
            if not isinstance(backend, PeriodicBackend):
                continue
            try:
                await backend.periodic()
                ran += 1
            except Exception as exc:  # logged by class only: the message may hold stored data
                log.error("periodic work of %s failed (%s)", entry.route, type(exc).__name__)
        return ran
