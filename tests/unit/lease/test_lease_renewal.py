"""Renewing secret and token leases: increments, every cap, and what may not be renewed."""

from __future__ import annotations

import pytest
from lease_fakes import FakeRevoker, secret

from strongroom.errors import BadRequest
from strongroom.lease import LeaseEntry, LeaseManager
from strongroom.logical import Secret
from strongroom.testing.clock import FakeClock


async def register(
    manager: LeaseManager, ttl: int = 60, max_ttl: int = 0, **kw: bool
) -> LeaseEntry:
    return await manager.register_secret("db/creds/ro", "db/", secret(ttl, max_ttl, **kw), "tok")


async def test_renew_extends_from_now(
    manager: LeaseManager, clock: FakeClock, revoker: FakeRevoker
) -> None:
    entry = await register(manager)
    clock.advance(30)
    renewed = await manager.renew(entry.lease_id, 120, 0)
    assert renewed.expire_time == clock.now() + 120
    assert renewed.last_renewal == clock.now()
    assert renewed.issue_time == entry.issue_time
    assert revoker.renewed == [(entry.lease_id, 120)]
    assert await manager.lookup(entry.lease_id) == renewed


async def test_increment_zero_renews_by_the_secrets_ttl(
    manager: LeaseManager, clock: FakeClock
) -> None:
    entry = await register(manager, ttl=45)
    clock.advance(40)
    assert (await manager.renew(entry.lease_id, 0, 0)).expire_time == clock.now() + 45


async def test_engine_may_update_the_secret(
    manager: LeaseManager, clock: FakeClock, revoker: FakeRevoker
) -> None:
    revoker.renewal = lambda entry, inc: Secret("creds", ttl=60, internal={"user": "u2"})
    entry = await register(manager)
    renewed = await manager.renew(entry.lease_id, 0, 0)
    assert renewed.secret is not None
    assert renewed.secret.internal == {"user": "u2"}
    assert renewed.secret.lease_id == entry.lease_id


async def test_capped_by_the_engines_max_ttl_from_issue_time(
    manager: LeaseManager, clock: FakeClock, revoker: FakeRevoker
) -> None:
    revoker.renewal = lambda entry, inc: Secret("creds", ttl=60, max_ttl=100)
    entry = await register(manager)
    clock.advance(50)
    assert (await manager.renew(entry.lease_id, 3600, 0)).expire_time == entry.issue_time + 100


async def test_capped_by_the_mount_max_from_issue_time(
    manager: LeaseManager, clock: FakeClock
) -> None:
    entry = await register(manager)
    clock.advance(50)
    assert (await manager.renew(entry.lease_id, 3600, 300)).expire_time == entry.issue_time + 300


async def test_capped_by_max_expire_time(manager: LeaseManager, clock: FakeClock) -> None:
    entry = await register(manager, ttl=60, max_ttl=200)
    clock.advance(50)
    assert (await manager.renew(entry.lease_id, 3600, 0)).expire_time == entry.issue_time + 200


async def test_renewing_near_the_max_never_makes_a_lease_non_expiring(
    manager: LeaseManager, clock: FakeClock, revoker: FakeRevoker
) -> None:
    """CVE-2021-32923 class: with almost no time left, renewal must not mean "no expiry"."""
    entry = await register(manager, ttl=60, max_ttl=120)
    clock.advance(50)
    await manager.renew(entry.lease_id, 3600, 120)
    clock.advance(69)
    for increment in (0, 1, 3600):
        renewed = await manager.renew(entry.lease_id, increment, 120)
        assert renewed.expire_time == entry.issue_time + 120
    clock.advance(1)
    with pytest.raises(BadRequest, match="expired"):
        await manager.renew(entry.lease_id, 3600, 120)
    assert await manager.expire_due() == 1
    assert revoker.revoked == [entry.lease_id]


async def test_a_token_renewed_with_no_time_left_expires_at_once(
    manager: LeaseManager, clock: FakeClock, revoker: FakeRevoker
) -> None:
    await manager.register_token("auth/token/create", "h1", 60, clock.now() + 120, True)
    clock.advance(50)
    await manager.renew_token("h1", 3600)
    clock.advance(69)
    renewed = await manager.renew_token("h1", 3600)
    assert renewed is not None
    assert renewed.expire_time == clock.now() + 1
    renewed = await manager.renew_token("h1", 0)
    assert renewed is not None
    assert renewed.expire_time == clock.now()
    assert await manager.expire_due() == 1
    assert revoker.tokens_revoked == ["h1"]


async def test_renewal_moves_the_expiry(
    manager: LeaseManager, clock: FakeClock, revoker: FakeRevoker
) -> None:
    entry = await register(manager, ttl=60)
    clock.advance(50)
    await manager.renew(entry.lease_id, 600, 0)
    clock.advance(10)
    assert await manager.expire_due() == 0
    clock.advance(589)
    assert await manager.expire_due() == 0
    clock.advance(1)
    assert await manager.expire_due() == 1
    assert revoker.revoked == [entry.lease_id]


@pytest.mark.parametrize("lease_id", ["", "db/creds/ro/missing", "../x"])
async def test_renewing_an_unknown_lease_is_a_bad_request(
    manager: LeaseManager, lease_id: str
) -> None:
    with pytest.raises(BadRequest, match="not found"):
        await manager.renew(lease_id, 60, 0)


async def test_non_renewable_leases(manager: LeaseManager, revoker: FakeRevoker) -> None:
    entry = await register(manager, renewable=False)
    with pytest.raises(BadRequest, match="not renewable"):
        await manager.renew(entry.lease_id, 60, 0)
    assert revoker.renewed == []
    revoker.renewal = lambda entry, inc: None  # the engine declines
    entry = await register(manager)
    with pytest.raises(BadRequest, match="not renewable"):
        await manager.renew(entry.lease_id, 60, 0)
    revoker.renewal = lambda entry, inc: Secret("creds", ttl=60, renewable=False)
    entry = await register(manager)
    assert not (await manager.renew(entry.lease_id, 60, 0)).renewable
    with pytest.raises(BadRequest, match="not renewable"):
        await manager.renew(entry.lease_id, 60, 0)


async def test_token_leases_are_not_renewed_through_sys_leases(manager: LeaseManager) -> None:
    entry = await manager.register_token("auth/token/create", "h1", 60, None, True)
    with pytest.raises(BadRequest, match="auth/token/renew"):
        await manager.renew(entry.lease_id, 60, 0)


async def test_renew_token(manager: LeaseManager, clock: FakeClock) -> None:
    entry = await manager.register_token("auth/token/create", "h1", 60, None, True)
    clock.advance(30)
    renewed = await manager.renew_token("h1", 600)
    assert renewed is not None
    assert renewed.lease_id == entry.lease_id
    assert (renewed.expire_time, renewed.last_renewal) == (clock.now() + 600, clock.now())
    assert await manager.renew_token("unknown", 600) is None


async def test_renew_token_refuses_non_renewable_and_expired(
    manager: LeaseManager, clock: FakeClock
) -> None:
    await manager.register_token("auth/token/create", "fixed", 60, None, False)
    with pytest.raises(BadRequest, match="not renewable"):
        await manager.renew_token("fixed", 60)
    await manager.register_token("auth/token/create", "h1", 60, None, True)
    clock.advance(60)
    with pytest.raises(BadRequest, match="expired"):
        await manager.renew_token("h1", 3600)
