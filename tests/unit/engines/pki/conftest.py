from __future__ import annotations

import time

import pytest
from pki_helpers import PKI

from strongroom.engines.pki import build_pki_backend
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock


@pytest.fixture
def pki(storage: InmemBackend, clock: FakeClock) -> PKI:
    """A PKI backend over in-memory storage and a fake clock."""
    return PKI(build_pki_backend(storage, clock), storage, clock)


@pytest.fixture
def live(storage: InmemBackend) -> PKI:
    """A PKI backend whose clock starts now, for certificates openssl and ssl check."""
    clock = FakeClock(time.time())
    return PKI(build_pki_backend(storage, clock), storage, clock)
