"""Keyring rotation: on demand, by operation count and by age (with a fake clock)."""

from __future__ import annotations

from typing import Any

import pytest

from strongroom.core import CoreConfig
from strongroom.errors import InvalidParameter, PermissionDenied
from strongroom.logical import Operation, Request
from strongroom.testing.clock import FakeClock
from strongroom.testing.core import UnsealedCore, unsealed_core


async def call(setup: UnsealedCore, operation: Operation, path: str, **data: Any) -> Any:
    request = Request(operation, path, data=data, client_token=setup.root_token)
    return (await setup.core.handle(request)).data


@pytest.fixture
async def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def setup(clock: FakeClock) -> UnsealedCore:
    return await unsealed_core(clock=clock, config=CoreConfig(rotation_check_interval=3600))


async def test_rotate_on_demand(setup: UnsealedCore) -> None:
    assert (await call(setup, Operation.READ, "sys/key-status"))["term"] == 1
    assert await call(setup, Operation.UPDATE, "sys/rotate") is None
    assert await call(setup, Operation.UPDATE, "sys/rotate/keyring") is None
    assert (await call(setup, Operation.READ, "sys/key-status"))["term"] == 3


async def test_rotate_needs_a_token(setup: UnsealedCore) -> None:
    with pytest.raises(PermissionDenied):
        await setup.core.handle(Request(Operation.UPDATE, "sys/rotate"))


async def test_rotation_config_roundtrip_and_validation(setup: UnsealedCore) -> None:
    assert await call(setup, Operation.READ, "sys/rotate/config") == {
        "max_operations": 3_865_470_566,
        "interval": 0,
        "enabled": True,
    }
    await call(
        setup, Operation.UPDATE, "sys/rotate/config", max_operations=1_000_000, interval="48h"
    )
    config = await call(setup, Operation.READ, "sys/rotate/keyring/config")
    assert config == {"max_operations": 1_000_000, "interval": 172800, "enabled": True}
    with pytest.raises(InvalidParameter):
        await call(setup, Operation.UPDATE, "sys/rotate/config", max_operations=5)
    with pytest.raises(InvalidParameter):
        await call(setup, Operation.UPDATE, "sys/rotate/config", interval="1h")
    with pytest.raises(InvalidParameter):
        await call(setup, Operation.UPDATE, "sys/rotate/config", interval="soon")


async def test_rotation_by_age(setup: UnsealedCore, clock: FakeClock) -> None:
    await call(setup, Operation.UPDATE, "sys/rotate/config", interval="24h")
    assert not await setup.core.rotation.check()
    clock.advance(24 * 3600)
    assert await setup.core.rotation.check()
    assert (await call(setup, Operation.READ, "sys/key-status"))["term"] == 2


async def test_rotation_by_operation_count(setup: UnsealedCore) -> None:
    await call(setup, Operation.UPDATE, "sys/rotate/config", max_operations=1_000_000)
    barrier = setup.core.barrier
    # Pretend the active term has nearly reached its budget (a million real writes would take
    # too long), then encrypt past it.
    barrier._unsaved_encryptions = 999_990
    assert not await setup.core.rotation.check()
    for i in range(20):
        await barrier.put(f"k{i}", b"v")
    assert await setup.core.rotation.check()
    assert barrier.keyring.active.number == 2
    assert barrier.keyring.terms[0].encryptions >= 1_000_000


async def test_disabled_rotation_never_fires(setup: UnsealedCore, clock: FakeClock) -> None:
    await call(setup, Operation.UPDATE, "sys/rotate/config", interval="24h", enabled=False)
    clock.advance(10 * 24 * 3600)
    assert not await setup.core.rotation.check()
