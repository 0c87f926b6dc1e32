"""Revoking leases: one, by prefix (and forced), by token; locking and re-entrant callbacks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from lease_fakes import CountingStorage, EngineDown, FakeRevoker, secret

from strongroom.errors import InvalidPath
from strongroom.lease import LeaseEntry, LeaseManager
from strongroom.testing.clock import FakeClock


async def register(manager: LeaseManager, path: str = "db/creds/ro", token: str = "") -> str:
    mount = path.split("/", 1)[0] + "/"
    return (await manager.register_secret(path, mount, secret(), token)).lease_id


async def keys_under(storage: CountingStorage, prefix: str) -> list[str]:
    return [key async for key in _walk(storage, prefix)]


async def _walk(storage: CountingStorage, prefix: str) -> AsyncIterator[str]:
    for name in await storage.list(prefix):
        if name.endswith("/"):
            async for key in _walk(storage, prefix + name):
                yield key
        else:
            yield prefix + name


async def test_revoke_calls_the_engine_then_deletes_lease_and_indexes(
    manager: LeaseManager, revoker: FakeRevoker, storage: CountingStorage
) -> None:
    lease_id = await register(manager, token="tok")
    seen: list[LeaseEntry] = []
    revoker.renewal = lambda entry, inc: None

    async def revoke_secret(entry: LeaseEntry) -> None:
        seen.append(entry)

    revoker.revoke_secret = revoke_secret  # type: ignore[method-assign]
    await manager.revoke(lease_id)
    assert [(e.lease_id, e.mount_point) for e in seen] == [(lease_id, "db/")]
    assert seen[0].secret is not None
    assert (seen[0].secret.secret_type, seen[0].secret.internal) == ("creds", {"user": "u1"})
    assert await manager.lookup(lease_id) is None
    assert await keys_under(storage, "") == []


@pytest.mark.parametrize("lease_id", ["db/creds/ro/unknown", "", "../../etc"])
async def test_revoking_an_unknown_lease_is_fine(
    manager: LeaseManager, revoker: FakeRevoker, lease_id: str
) -> None:
    await manager.revoke(lease_id)
    assert revoker.calls == 0


async def test_an_engine_error_reaches_the_caller_and_keeps_the_lease(
    manager: LeaseManager, revoker: FakeRevoker
) -> None:
    lease_id = await register(manager)
    revoker.failing = True
    with pytest.raises(EngineDown):
        await manager.revoke(lease_id)
    entry = await manager.lookup(lease_id)
    assert entry is not None
    assert entry.revoke_attempts == 0


async def test_revoking_a_token_lease_revokes_the_token(
    manager: LeaseManager, revoker: FakeRevoker
) -> None:
    entry = await manager.register_token("auth/token/create", "h1", 60, None, True)
    await manager.revoke(entry.lease_id)
    assert revoker.tokens_revoked == ["h1"]
    assert await manager.renew_token("h1", 60) is None


async def test_revoke_prefix(manager: LeaseManager, revoker: FakeRevoker) -> None:
    ro = {await register(manager, "db/creds/ro") for _ in range(3)}
    rw = {await register(manager, "db/creds/rw") for _ in range(2)}
    kv = await register(manager, "kv/data")
    await manager.revoke_prefix("db/creds/ro/")
    assert set(revoker.revoked) == ro
    await manager.revoke_prefix("db")  # without the slash: still a folder, not "db*"
    assert set(revoker.revoked) == ro | rw
    assert await manager.list("") == ["kv/"]
    await manager.revoke_prefix(kv)  # a whole lease ID
    assert await manager.count() == 0


async def test_revoke_prefix_matches_whole_segments(
    manager: LeaseManager, revoker: FakeRevoker
) -> None:
    keep = await register(manager, "database/creds/x")
    await register(manager, "db/creds/x")
    await manager.revoke_prefix("d")
    await manager.revoke_prefix("db/cre")
    assert revoker.revoked == []
    await manager.revoke_prefix("db/")
    assert await manager.list("") == ["database/"]
    assert await manager.lookup(keep) is not None


async def test_revoke_prefix_stops_at_an_engine_error(
    manager: LeaseManager, revoker: FakeRevoker
) -> None:
    for _ in range(5):
        await register(manager)
    revoker.failing = True
    with pytest.raises(EngineDown):
        await manager.revoke_prefix("db/")
    assert await manager.count() == 5


async def test_revoke_force_deletes_even_when_the_engine_fails(
    manager: LeaseManager, revoker: FakeRevoker
) -> None:
    for _ in range(40):
        await register(manager)
    await manager.register_token("auth/token/create", "h1", 60, None, True)
    revoker.failing = True
    await manager.revoke_prefix("db/creds/", force=True)
    await manager.revoke_prefix("auth/token/create", force=True)
    assert revoker.calls == 40
    assert await manager.count() == 0


@pytest.mark.parametrize("prefix", ["../", "a//", "/"])
async def test_revoke_prefix_refuses_malformed_prefixes(manager: LeaseManager, prefix: str) -> None:
    with pytest.raises(InvalidPath):
        await manager.revoke_prefix(prefix)


async def test_revoke_by_token(manager: LeaseManager, revoker: FakeRevoker) -> None:
    mine = {await register(manager, f"db/creds/r{i}", token="t1") for i in range(3)}
    other = await register(manager, token="t2")
    own = await manager.register_token("auth/token/create", "t1", 60, None, True)
    await manager.revoke_by_token("t1")
    assert set(revoker.revoked) == mine
    assert await manager.lookup(other) is not None
    assert await manager.lookup(own.lease_id) is not None  # the token store handles the token
    assert revoker.tokens_revoked == []
    await manager.revoke_by_token("t1")  # nothing left: a no-op
    await manager.revoke_by_token("never-used")
    assert len(revoker.revoked) == 3


async def test_revoke_by_token_retries_what_fails_and_revokes_the_rest(
    manager: LeaseManager, revoker: FakeRevoker, clock: FakeClock
) -> None:
    stuck = await register(manager, token="t1")
    others = {await register(manager, token="t1") for _ in range(4)}
    revoker.failing_ids = {stuck}
    await manager.revoke_by_token("t1")
    assert set(revoker.revoked) == others
    entry = await manager.lookup(stuck)
    assert entry is not None
    assert (entry.revoke_attempts, entry.expire_time, entry.retry_at) == (
        1,
        clock.now(),
        clock.now() + 10,
    )
    revoker.failing_ids = set()
    clock.advance(10)
    assert await manager.expire_due() == 1
    assert stuck in revoker.revoked


async def test_revoke_and_expiry_of_one_lease_call_the_engine_once(
    manager: LeaseManager, revoker: FakeRevoker, clock: FakeClock
) -> None:
    lease_id = await register(manager)
    release = asyncio.Event()
    calls: list[str] = []

    async def slow_revoke(entry: LeaseEntry) -> None:
        calls.append(entry.lease_id)
        await release.wait()

    revoker.revoke_secret = slow_revoke  # type: ignore[method-assign]
    clock.advance(60)
    revoke = asyncio.create_task(manager.revoke(lease_id))
    expire = asyncio.create_task(manager.expire_due())
    await asyncio.sleep(0.01)
    release.set()
    await revoke
    assert await expire == 0
    assert calls == [lease_id]


async def test_a_token_store_that_calls_back_does_not_deadlock(
    manager: LeaseManager, revoker: FakeRevoker, clock: FakeClock
) -> None:
    """Token lease expires → revoke_token → the store revokes the token's leases and its lease.

    Two tokens with two leases each, so the callbacks also run in parallel worker tasks.
    """
    own: dict[str, str] = {}
    created: set[str] = set()
    for token in ("t1", "t2"):
        own[token] = (
            await manager.register_token("auth/token/create", token, 60, None, True)
        ).lease_id
        for _ in range(2):
            entry = await manager.register_secret("db/creds/ro", "db/", secret(3600), token)
            created.add(entry.lease_id)

    async def token_store_revokes(token_hash: str) -> None:
        await manager.revoke_by_token(token_hash)
        await manager.revoke(own[token_hash])  # already being revoked by this call chain

    revoker.on_revoke_token = token_store_revokes
    clock.advance(60)
    assert await asyncio.wait_for(manager.expire_due(), 2) == 2
    assert sorted(revoker.tokens_revoked) == ["t1", "t2"]
    assert set(revoker.revoked) == created
    assert await manager.count() == 0
