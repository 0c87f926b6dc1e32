"""Bounded memory and storage repair: pages everywhere, nothing loaded up front, tidy."""

from __future__ import annotations

from lease_fakes import CountingStorage, FakeRevoker, secret

from strongroom.lease import LeaseManager
from strongroom.lease.manager import PAGE_SIZE, REVOKE_CONCURRENCY
from strongroom.testing.clock import FakeClock


async def fill(manager: LeaseManager, count: int, creator: str = "t") -> None:
    for i in range(count):
        await manager.register_secret(f"db/creds/r{i % 3}", "db/", secret(ttl=60), creator)


async def test_expire_due_holds_one_page_at_most(
    storage: CountingStorage, clock: FakeClock
) -> None:
    revoker = FakeRevoker()
    manager = LeaseManager(storage, clock, revoker)
    await fill(manager, 5000)
    clock.advance(60)
    assert await manager.expire_due() == 5000
    assert storage.longest_list <= PAGE_SIZE
    assert storage.unbounded_lists == 0
    # Entries loaded for revocation are dropped as each finishes: never a page's worth at once.
    assert 1 <= revoker.max_alive <= REVOKE_CONCURRENCY + 1
    assert revoker.alive == 0


async def test_small_pages_still_reach_everything(
    storage: CountingStorage, clock: FakeClock
) -> None:
    revoker = FakeRevoker()
    manager = LeaseManager(storage, clock, revoker, page_size=50)
    await fill(manager, 600, creator="t1")
    await fill(manager, 600, creator="t2")
    await manager.register_token("auth/token/create", "h", 60, None, True)
    assert await manager.count() == 1201
    await manager.revoke_by_token("t1")
    assert len(revoker.revoked) == 600
    await manager.revoke_prefix("db/creds/r0/")
    assert len(revoker.revoked) == 800
    clock.advance(60)
    assert await manager.expire_due() == 401
    assert storage.longest_list <= 50
    assert storage.unbounded_lists == 0


async def test_a_new_manager_reads_nothing_until_asked(clock: FakeClock) -> None:
    """Restoring leases never blocks unseal: constructing a manager touches no storage."""

    class WatchedStorage(CountingStorage):
        calls = 0

        async def get(self, key: str) -> bytes | None:
            self.calls += 1
            return await super().get(key)

    storage = WatchedStorage()
    await fill(LeaseManager(storage, clock, FakeRevoker()), 100)
    storage.calls, storage.longest_list = 0, 0
    restarted = LeaseManager(storage, clock, FakeRevoker())
    assert (storage.calls, storage.longest_list) == (0, 0)
    assert await restarted.expire_due() == 0  # nothing due: a bucket listing, no lease read
    assert storage.calls == 0


async def test_tidy_repairs_indexes(
    manager: LeaseManager, storage: CountingStorage, clock: FakeClock, revoker: FakeRevoker
) -> None:
    kept = await manager.register_secret("db/creds/ro", "db/", secret(ttl=60), "t1")
    lost = await manager.register_secret("db/creds/ro", "db/", secret(ttl=60), "t1")
    token = await manager.register_token("auth/token/create", "h1", 60, None, True)
    due_key = next(k for k in await _all_keys(storage, "due/") if k.endswith(lost.lease_id[-24:]))
    await storage.delete(due_key)  # a lease whose schedule was lost
    await storage.delete(f"id/{token.lease_id}")  # a crash after the indexes were written
    await storage.put("due/000000000060/000000000060000-db%2Fgone", b"")  # dangling
    await storage.put("due/000000000060/not-ours", b"")  # foreign
    await storage.put("token/t9/db%2Fcreds%2Fgone", b"")  # dangling
    await storage.put("auth/h9", b"db/creds/gone")  # dangling
    assert await manager.tidy() == 1 + 2 + 4  # one restored; token lease's 2 and 4 dropped
    assert await manager.tidy() == 0
    assert sorted(await _all_keys(storage, "token/")) == sorted(
        f"token/t1/{lease.lease_id.replace('/', '%2F')}" for lease in (kept, lost)
    )
    assert await _all_keys(storage, "auth/") == []
    clock.advance(60)
    assert await manager.expire_due() == 2
    assert sorted(revoker.revoked) == sorted([kept.lease_id, lost.lease_id])


async def test_a_stale_schedule_does_not_revoke_early(
    manager: LeaseManager, storage: CountingStorage, clock: FakeClock, revoker: FakeRevoker
) -> None:
    """A crash while renewing can leave the old due entry behind; it must not revoke the lease."""
    entry = await manager.register_secret("db/creds/ro", "db/", secret(ttl=60), "")
    old_keys = await _all_keys(storage, "due/")
    await manager.renew(entry.lease_id, 600, 0)
    for key in old_keys:
        await storage.put(key, b"")
    clock.advance(60)
    assert await manager.expire_due() == 0
    assert revoker.revoked == []
    assert len(await _all_keys(storage, "due/")) == 1
    clock.advance(540)
    assert await manager.expire_due() == 1


async def _all_keys(storage: CountingStorage, prefix: str) -> list[str]:
    found: list[str] = []
    for name in await storage.list(prefix):
        if name.endswith("/"):
            found += await _all_keys(storage, prefix + name)
        else:
            found.append(prefix + name)
    return found
