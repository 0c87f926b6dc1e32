from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from acme_helpers import ACMEBench, challenge_server
from pki_helpers import PKI

from strongroom.engines.pki import build_pki_backend
from strongroom.engines.pki.acme.http01 import HTTP01Validator
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


@pytest.fixture
async def acme(storage: InmemBackend, clock: FakeClock) -> AsyncIterator[ACMEBench]:
    """A PKI backend whose http-01 validator fetches from a local challenge server (port 80
    is for the integration test) that serves `bench.answers`."""
    answers: dict[str, str] = {}
    async with challenge_server(answers) as port:
        validator = HTTP01Validator(port=port, timeout=2.0)
        backend = build_pki_backend(storage, clock, validator)
        yield ACMEBench(PKI(backend, storage, clock), answers)
        await backend.acme_challenges.idle()
