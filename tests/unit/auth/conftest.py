"""Fixtures of the auth-method unit tests: in-memory storage, a fake clock, and each method
mounted behind a driver that also sets the caller's address."""

from __future__ import annotations

import pytest
from auth_helpers import AuthDriver

from strongroom.auth.approle import build_approle_backend
from strongroom.auth.userpass import build_userpass_backend
from strongroom.auth.userpass.passwords import Argon2Params, PasswordHasher
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock

# The cheapest argon2id parameters: tests check behaviour, not cost (never used in production).
CHEAP = Argon2Params(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def storage() -> InmemBackend:
    return InmemBackend()


@pytest.fixture
def userpass(storage: InmemBackend, clock: FakeClock) -> AuthDriver:
    backend = build_userpass_backend(storage, PasswordHasher(CHEAP))
    return AuthDriver(backend, storage, clock, "auth/userpass/")


@pytest.fixture
def approle(storage: InmemBackend, clock: FakeClock) -> AuthDriver:
    return AuthDriver(build_approle_backend(storage, clock), storage, clock, "auth/approle/")
