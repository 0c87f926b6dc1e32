"""The mounts' periodic work: run for every mount that has some, failures contained."""

from __future__ import annotations

import pytest

from strongroom.core.periodic import BackendTicker
from strongroom.framework import FrameworkBackend
from strongroom.logical import Operation, Request
from strongroom.routing import SECRET_TABLE, MountEntry, Router
from strongroom.testing.core import unsealed_core


class Ticking(FrameworkBackend):
    def __init__(self, fail: bool = False) -> None:
        super().__init__([])
        self.calls = 0
        self.fail = fail

    async def periodic(self) -> None:
        self.calls += 1
        if self.fail:
            raise RuntimeError("stored secret in a message")


async def test_every_periodic_mount_runs_and_failures_are_contained(
    caplog: pytest.LogCaptureFixture,
) -> None:
    router = Router()
    good, bad = Ticking(), Ticking(fail=True)
    router.mount(MountEntry.new(SECRET_TABLE, "good/", "x"), good)
    router.mount(MountEntry.new(SECRET_TABLE, "bad/", "x"), bad)
    router.mount(MountEntry.new(SECRET_TABLE, "plain/", "x"), FrameworkBackend([]))
    assert await BackendTicker(router).tick() == 1
    assert (good.calls, bad.calls) == (1, 1)
    assert "bad/" in caplog.text and "RuntimeError" in caplog.text
    assert "stored secret" not in caplog.text


async def test_transit_mounts_get_their_rotation_check() -> None:
    setup = await unsealed_core()
    request = Request(
        Operation.UPDATE, "sys/mounts/transit", {"type": "transit"}, client_token=setup.root_token
    )
    await setup.core.handle(request)
    assert await setup.core.ticker.tick() == 1
    await setup.core.seal()
