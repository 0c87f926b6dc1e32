"""The pieces under the manager: key escaping, the time index, TTL caps, locks, workers."""

from __future__ import annotations

import asyncio

import pytest
from lease_fakes import CountingStorage, FakeRevoker, secret

from strongroom.lease import LeaseManager, keys
from strongroom.lease.concurrency import LeaseLocks, for_each
from strongroom.lease.ttl import cap_after, capped_expiry
from strongroom.physical.base import validate_key
from strongroom.testing.clock import FakeClock


@pytest.mark.parametrize(
    "text", ["a/b/c", ".", "..", "...", "%2F", "a.b", "ünï cöde", "x~y_z-1", "auth/token/create/X"]
)
def test_escape_gives_one_valid_segment(text: str) -> None:
    segment = keys.escape(text)
    assert "/" not in segment
    validate_key(f"token/{segment}/x")
    assert keys.unescape(segment) == text


def test_due_keys_sort_by_time_across_buckets() -> None:
    times = [0.0, 0.001, 59.999, 60.0, 1_800_000_000.5, 1_800_000_060.0, 9_999_999_999.0]
    due_keys = [keys.due_key(t, "db/creds/x") for t in times]
    assert due_keys == sorted(due_keys)
    for key in due_keys:
        validate_key(key)
        parsed = keys.parse_due_name(key.rsplit("/", 1)[1])
        assert parsed is not None
        assert parsed[1] == "db/creds/x"


@pytest.mark.parametrize(
    "name", ["", "123", "000000000000001-", "00000000000000x-a", "0" * 15 + "-%FF"]
)
def test_foreign_due_names_are_not_parsed(name: str) -> None:
    assert keys.parse_due_name(name) is None


def test_capped_expiry() -> None:
    assert capped_expiry(100.0, 50, []) == 150.0
    assert capped_expiry(100.0, 50, [None, 120.0, 130.0]) == 120.0
    assert capped_expiry(100.0, 0, []) == 100.0
    assert capped_expiry(100.0, -5, []) == 100.0
    assert capped_expiry(100.0, 50, [90.0]) == 90.0  # a passed cap: expires at once
    assert cap_after(100.0, 0) is None
    assert cap_after(100.0, 30) == 130.0


async def test_locks_are_per_lease_reentrant_and_forgotten() -> None:
    locks = LeaseLocks()
    order: list[str] = []

    async def hold(lease_id: str, tag: str) -> None:
        async with locks.hold(lease_id) as mine:
            assert mine
            order.append(f"{tag}+")
            await asyncio.sleep(0.001)
            async with locks.hold(lease_id) as again:
                assert not again  # the same call chain: told, not blocked
            order.append(f"{tag}-")

    await asyncio.gather(hold("a", "1"), hold("a", "2"), hold("b", "3"))
    assert order.index("1-") < order.index("2+")  # "a" was held by one at a time
    assert order.index("3+") < order.index("1-")  # "b" did not wait for "a"
    assert len(locks) == 0


async def test_for_each_bounds_concurrency_and_raises_the_first_error() -> None:
    running = peak = 0

    async def action(item: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0)
        running -= 1
        if item == 7:
            raise KeyError(item)
        return 1

    assert await for_each(list(range(7)), action, 3) == 7
    assert peak == 3
    with pytest.raises(KeyError):
        await for_each(list(range(20)), action, 4)
    assert await for_each([], action, 4) == 0


async def test_expiry_skips_foreign_index_entries(
    manager: LeaseManager, storage: CountingStorage, clock: FakeClock, revoker: FakeRevoker
) -> None:
    await storage.put("due/not-a-bucket/x", b"")
    await storage.put("due/stray", b"")
    await storage.put("due/000000000060/not-ours", b"")
    await storage.put("due/000000000060/000000000060000-%FF", b"")
    entry = await manager.register_secret("db/creds/ro", "db/", secret(ttl=1), "")
    clock.advance(1)
    assert await manager.expire_due() == 1
    assert revoker.revoked == [entry.lease_id]
    await storage.put("token/t/%FF", b"")
    await manager.revoke_by_token("t")
    assert await manager.tidy() == 5  # every foreign entry above


async def test_a_stale_token_index_is_ignored_by_renew_token(
    manager: LeaseManager, storage: CountingStorage
) -> None:
    entry = await manager.register_token("auth/token/create", "h1", 60, None, True)
    await storage.put("auth/h2", entry.lease_id.encode())  # points at another token's lease
    assert await manager.renew_token("h2", 60) is None
    await storage.delete(f"id/{entry.lease_id}")
    await manager.register_token("auth/token/create", "h1", 60, None, True)  # old one is gone
    assert await manager.count() == 1


async def test_a_corrupt_token_index_never_deletes_another_lease(
    manager: LeaseManager, storage: CountingStorage
) -> None:
    other = await manager.register_secret("db/creds/ro", "db/", secret(), "")
    await storage.put("auth/h1", other.lease_id.encode())
    await manager.register_token("auth/token/create", "h1", 60, None, True)
    assert await manager.lookup(other.lease_id) == other
    assert await manager.count() == 2
