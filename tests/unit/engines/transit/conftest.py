from __future__ import annotations

import pytest
from transit_helpers import Transit

from strongroom.engines.transit import build_transit_backend
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock


@pytest.fixture
def transit(storage: InmemBackend, clock: FakeClock) -> Transit:
    """A transit backend over in-memory storage and a fake clock."""
    return Transit(build_transit_backend(storage, clock), storage, clock)
