from __future__ import annotations

import pytest
from kv_helpers import KV

from strongroom.engines.kv.v1 import build_kv_v1_backend
from strongroom.engines.kv.v2 import build_kv_v2_backend
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock


@pytest.fixture
def kv(storage: InmemBackend, clock: FakeClock) -> KV:
    """A KV version 2 backend over in-memory storage and a fake clock."""
    return KV(build_kv_v2_backend(storage, clock), storage, clock)


@pytest.fixture
def kv1(storage: InmemBackend, clock: FakeClock) -> KV:
    """A KV version 1 backend over the same storage."""
    return KV(build_kv_v1_backend(storage), storage, clock)
