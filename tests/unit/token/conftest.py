"""A token store over in-memory storage, a fake clock, and hooks that record their calls."""

from __future__ import annotations

import pytest
from token_helpers import DAY, RecordingHooks, resolved

from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock
from strongroom.token import TokenRef, TokenStore, TokenStoreConfig


@pytest.fixture
def storage() -> InmemBackend:
    return InmemBackend()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hooks() -> RecordingHooks:
    return RecordingHooks()


@pytest.fixture
def store(storage: InmemBackend, clock: FakeClock, hooks: RecordingHooks) -> TokenStore:
    return TokenStore(storage, clock, TokenStoreConfig(default_ttl=DAY, max_ttl=30 * DAY), hooks)


@pytest.fixture
async def root(store: TokenStore) -> TokenRef:
    return await resolved(store, await store.create_root())
