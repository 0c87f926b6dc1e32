"""Hypothesis properties of the lease manager's keys, TTL caps and expiry schedule."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from strongroom.lease import LeaseEntry, LeaseManager, keys
from strongroom.lease.ttl import capped_expiry
from strongroom.logical import Secret
from strongroom.physical.base import validate_key
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock

FAST = settings(max_examples=150, deadline=None)

any_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80)
times = st.floats(min_value=0, max_value=10_000_000_000, allow_nan=False)


@FAST
@given(any_text)
def test_any_text_escapes_to_one_valid_segment(text: str) -> None:
    segment = keys.escape(text)
    assert "/" not in segment
    validate_key(f"token/{segment}")
    assert keys.unescape(segment) == text


@FAST
@given(times, times, any_text, any_text)
def test_due_keys_sort_by_time(t1: float, t2: float, a: str, b: str) -> None:
    if keys.to_ms(t1) < keys.to_ms(t2):
        assert keys.due_key(t1, a) < keys.due_key(t2, b)


@FAST
@given(
    times,
    st.integers(min_value=-10, max_value=10**9),
    st.lists(st.one_of(st.none(), times), max_size=4),
)
def test_capped_expiry_is_finite_and_never_past_a_cap(
    now: float, ttl: int, caps: list[float | None]
) -> None:
    expire = capped_expiry(now, ttl, caps)
    assert math.isfinite(expire)
    assert expire <= now + max(ttl, 0)
    assert all(expire <= cap for cap in caps if cap is not None)


@dataclass
class Recorder:
    revoked: list[str] = field(default_factory=list)

    async def revoke_secret(self, entry: LeaseEntry) -> None:
        self.revoked.append(entry.lease_id)

    async def renew_secret(self, entry: LeaseEntry, increment: int) -> Secret | None:
        return entry.secret

    async def revoke_token(self, token_hash: str) -> None:
        self.revoked.append(token_hash)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=40),
    st.lists(st.floats(min_value=0.001, max_value=150), min_size=1, max_size=12),
)
def test_exactly_the_due_leases_are_revoked(ttls: list[int], steps: list[float]) -> None:
    async def run() -> None:
        clock = FakeClock(start=1_800_000_000.123)
        recorder = Recorder()
        manager = LeaseManager(InmemBackend(), clock, recorder, page_size=7)
        leases = [
            await manager.register_secret("db/creds/x", "db/", Secret("c", ttl=ttl), "t")
            for ttl in ttls
        ]
        for step in steps:
            clock.advance(step)
            await manager.expire_due()
            due = {e.lease_id for e in leases if e.expire_time <= clock.now()}
            assert set(recorder.revoked) == due
            assert len(recorder.revoked) == len(due)

    asyncio.run(run())
