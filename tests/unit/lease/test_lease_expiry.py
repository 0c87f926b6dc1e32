"""Expiry on an injected clock: exact times, waves, restarts, retries, token leases, the loop."""

from __future__ import annotations

import asyncio

import pytest
from lease_fakes import SECRET_IN_ERROR, CountingStorage, FakeRevoker, secret

from strongroom.errors import BadRequest, StorageError
from strongroom.lease import LeaseManager
from strongroom.testing.clock import FakeClock


async def test_a_lease_due_at_t_expires_at_t_not_before(
    manager: LeaseManager, clock: FakeClock, revoker: FakeRevoker
) -> None:
    clock.advance(0.25)  # not on a second boundary
    entry = await manager.register_secret("db/creds/ro", "db/", secret(ttl=60), "")
    assert entry.expire_time == clock.now() + 60
    clock.advance(59)
    assert await manager.expire_due() == 0
    clock.advance(0.999)
    assert await manager.expire_due() == 0
    assert revoker.revoked == []
    clock.advance(0.001)
    assert await manager.expire_due() == 1
    assert revoker.revoked == [entry.lease_id]
    assert await manager.lookup(entry.lease_id) is None
    assert await manager.expire_due() == 0


async def test_ten_thousand_leases_expire_on_time_in_waves(
    manager: LeaseManager, clock: FakeClock, revoker: FakeRevoker
) -> None:
    """The issue's "done when": with a fake clock, 10,000 leases expire on time and are revoked."""
    start = clock.now()
    waves: dict[int, set[str]] = {}
    for i in range(10_000):
        ttl = 30 + (i % 10) * 45  # ten waves, 45 s apart, spread over several time buckets
        entry = await manager.register_secret(f"db/creds/r{i % 7}", "db/", secret(ttl=ttl), "t")
        waves.setdefault(ttl, set()).add(entry.lease_id)
    revoked: set[str] = set()
    for ttl in sorted(waves):
        clock.advance(start + ttl - 1 - clock.now())
        assert await manager.expire_due() == 0
        clock.advance(1)
        assert await manager.expire_due() == len(waves[ttl]) == 1000
        assert set(revoker.revoked) - revoked == waves[ttl]
        revoked |= waves[ttl]
    assert len(revoker.revoked) == 10_000
    assert await manager.count() == 0


async def test_after_a_restart_pending_leases_still_expire(
    storage: CountingStorage, clock: FakeClock
) -> None:
    before = FakeRevoker()
    first = LeaseManager(storage, clock, before)
    leases = [
        (await first.register_secret("db/creds/ro", "db/", secret(ttl=ttl), "t")).lease_id
        for ttl in (10, 100, 1000)
    ]
    await first.register_token("auth/token/create", "h1", 500, None, True)
    await first.stop()

    after = FakeRevoker()
    restarted = LeaseManager(storage, clock, after)  # nothing is loaded here
    assert await restarted.lookup(leases[1]) is not None
    for step, expected in ((10, leases[:1]), (90, leases[:2]), (900, leases)):
        clock.advance(step)
        await restarted.expire_due()
        assert after.revoked == expected
    assert after.tokens_revoked == ["h1"]
    assert before.calls == 0
    assert await restarted.count() == 0


async def test_failing_revocations_back_off_then_become_irrevocable(
    manager: LeaseManager, clock: FakeClock, revoker: FakeRevoker, storage: CountingStorage
) -> None:
    entry = await manager.register_secret("db/creds/ro", "db/", secret(ttl=60), "t")
    revoker.failing = True
    clock.advance(60)
    for attempt, delay in ((1, 10), (2, 20)):
        assert await manager.expire_due() == 0
        assert revoker.calls == attempt
        failed = await manager.lookup(entry.lease_id)
        assert failed is not None
        assert (failed.revoke_attempts, failed.retry_at, failed.irrevocable) == (
            attempt,
            clock.now() + delay,
            "",
        )
        clock.advance(delay - 1)
        assert await manager.expire_due() == 0
        assert revoker.calls == attempt  # not retried before its time
        clock.advance(1)
    assert await manager.expire_due() == 0
    given_up = await manager.lookup(entry.lease_id)
    assert given_up is not None
    assert (given_up.revoke_attempts, given_up.irrevocable, given_up.retry_at) == (
        3,
        "EngineDown",
        None,
    )
    clock.advance(30 * 86400)
    assert await manager.expire_due() == 0
    assert revoker.calls == 3  # no retries once irrevocable
    assert not [v for v in storage.values() if SECRET_IN_ERROR.encode() in v]
    revoker.failing = False
    await manager.revoke(entry.lease_id)  # an operator may still revoke it by hand
    assert await manager.count() == 0


async def test_a_lease_in_retry_cannot_be_renewed(
    manager: LeaseManager, clock: FakeClock, revoker: FakeRevoker
) -> None:
    entry = await manager.register_secret("db/creds/ro", "db/", secret(ttl=60), "t")
    revoker.failing = True
    clock.advance(60)
    await manager.expire_due()
    revoker.failing = False
    with pytest.raises(BadRequest, match="expired"):
        await manager.renew(entry.lease_id, 3600, 0)


async def test_token_leases_expire_through_the_token_store(
    manager: LeaseManager, clock: FakeClock, revoker: FakeRevoker
) -> None:
    entry = await manager.register_token("auth/token/create", "h1", 60, None, True)
    revoker.failing_ids = {"h1"}
    clock.advance(60)
    assert await manager.expire_due() == 0
    revoker.failing_ids = set()
    clock.advance(10)
    assert await manager.expire_due() == 1
    assert revoker.tokens_revoked == ["h1"]
    assert await manager.lookup(entry.lease_id) is None
    assert await manager.renew_token("h1", 60) is None


async def test_leases_registered_after_an_idle_pass_are_seen(
    manager: LeaseManager, clock: FakeClock
) -> None:
    await manager.register_secret("db/creds/ro", "db/", secret(ttl=3600), "")
    assert await manager.expire_due() == 0  # remembers: nothing due for an hour
    await manager.register_secret("db/creds/ro", "db/", secret(ttl=5), "")
    clock.advance(5)
    assert await manager.expire_due() == 1


async def test_invalidate_after_another_node_wrote_leases(
    storage: CountingStorage, clock: FakeClock
) -> None:
    revoker = FakeRevoker()
    active = LeaseManager(storage, clock, revoker)
    await active.register_secret("db/creds/ro", "db/", secret(ttl=3600), "")
    assert await active.expire_due() == 0
    other_node = LeaseManager(storage, clock, FakeRevoker())
    await other_node.register_secret("db/creds/ro", "db/", secret(ttl=5), "")
    clock.advance(5)
    assert await active.expire_due() == 0  # its cache says nothing is due yet
    active.invalidate()  # what the change feed triggers
    assert await active.expire_due() == 1


async def test_background_loop(storage: CountingStorage, clock: FakeClock) -> None:
    revoker = FakeRevoker()
    manager = LeaseManager(storage, clock, revoker, check_interval=0.005)
    entry = await manager.register_secret("db/creds/ro", "db/", secret(ttl=1), "")
    manager.start()
    manager.start()  # idempotent
    clock.advance(1)
    for _ in range(200):
        if revoker.revoked:
            break
        await asyncio.sleep(0.005)
    assert revoker.revoked == [entry.lease_id]
    await manager.stop()
    await manager.stop()


async def test_background_loop_survives_storage_errors(clock: FakeClock) -> None:
    class FlakyStorage(CountingStorage):
        failures = 2

        async def list(
            self, prefix: str, after: str | None = None, limit: int | None = None
        ) -> list[str]:
            if self.failures:
                self.failures -= 1
                raise StorageError()
            return await super().list(prefix, after, limit)

    revoker = FakeRevoker()
    manager = LeaseManager(FlakyStorage(), clock, revoker, check_interval=0.005)
    await manager.register_secret("db/creds/ro", "db/", secret(ttl=1), "")
    clock.advance(1)
    manager.start()
    for _ in range(200):
        if revoker.revoked:
            break
        await asyncio.sleep(0.005)
    await manager.stop()
    assert len(revoker.revoked) == 1
