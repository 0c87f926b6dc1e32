"""The per-address token bucket guarding the unauthenticated quorum endpoints."""

from __future__ import annotations

import pytest

from strongroom.core.ratelimit import RateLimiter
from strongroom.errors import RateLimited
from strongroom.logical import Operation, Request
from strongroom.testing.clock import FakeClock
from strongroom.testing.core import unsealed_core


def test_burst_then_refill() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock, rate=2.0, burst=3)
    for _ in range(3):
        limiter.check("10.0.0.1")
    with pytest.raises(RateLimited):
        limiter.check("10.0.0.1")
    limiter.check("10.0.0.2")  # another address has its own bucket
    clock.advance(0.5)
    limiter.check("10.0.0.1")
    with pytest.raises(RateLimited):
        limiter.check("10.0.0.1")


def test_the_table_stays_bounded() -> None:
    limiter = RateLimiter(FakeClock(), max_clients=10)
    for i in range(100):
        limiter.check(f"client-{i}")
    assert len(limiter._buckets) == 10


async def test_anonymous_rekey_status_is_rate_limited_but_privileged_callers_are_not() -> None:
    setup = await unsealed_core()

    def request(token: str = "") -> Request:
        return Request(
            Operation.READ, "sys/rekey/init", client_token=token, remote_address="192.0.2.7"
        )

    for _ in range(20):
        await setup.core.handle(request())
    with pytest.raises(RateLimited):
        await setup.core.handle(request())
    for _ in range(100):
        await setup.core.handle(request(setup.root_token))
