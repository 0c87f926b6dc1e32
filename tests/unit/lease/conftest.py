"""Fixtures of the lease tests: a fake clock, counting in-memory storage, a fake revoker."""

from __future__ import annotations

import pytest
from lease_fakes import CountingStorage, FakeRevoker

from strongroom.lease import LeaseManager
from strongroom.testing.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=1_800_000_000.0)


@pytest.fixture
def storage() -> CountingStorage:
    return CountingStorage()


@pytest.fixture
def revoker() -> FakeRevoker:
    return FakeRevoker()


@pytest.fixture
def manager(storage: CountingStorage, clock: FakeClock, revoker: FakeRevoker) -> LeaseManager:
    return LeaseManager(storage, clock, revoker, max_revoke_attempts=3, retry_base=10.0)
