"""Build cores in a known state for tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from strongroom.clock import Clock
from strongroom.core import Core, CoreConfig
from strongroom.core.engines import EngineFactory
from strongroom.physical import Backend
from strongroom.physical.inmem import InmemBackend


@dataclass
class UnsealedCore:
    core: Core
    keys: list[bytes]
    root_token: str


async def unsealed_core(
    physical: Backend | None = None,
    *,
    shares: int = 1,
    threshold: int = 1,
    clock: Clock | None = None,
    config: CoreConfig | None = None,
    engines: Mapping[str, EngineFactory] | None = None,
) -> UnsealedCore:
    """An initialised and unsealed core (in memory unless a backend is given)."""
    core = Core(physical or InmemBackend(), config, clock, engines)
    result = await core.initialize(shares, threshold)
    for share in result.shares[:threshold]:
        await core.submit_unseal_share(share)
    assert not core.sealed
    return UnsealedCore(core, result.shares, result.root_token)
