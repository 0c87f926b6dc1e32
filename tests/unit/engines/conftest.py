"""Fixtures every engine's unit tests share: in-memory storage and a fake clock."""

from __future__ import annotations

import pytest

from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def storage() -> InmemBackend:
    return InmemBackend()
