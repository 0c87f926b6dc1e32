"""Registering leases, looking them up, listing and counting them."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from lease_fakes import CountingStorage, FakeRevoker, secret

from strongroom.errors import InternalError, InvalidPath
from strongroom.lease import LeaseEntry, LeaseManager
from strongroom.testing.clock import FakeClock

LEASE_SUFFIX = r"[A-Za-z0-9]{24}"


async def test_register_secret_stores_a_lease(manager: LeaseManager, clock: FakeClock) -> None:
    now = clock.now()
    entry = await manager.register_secret(
        "database/creds/ro", "database/", secret(ttl=60, max_ttl=600), "hash-of-token"
    )
    assert re.fullmatch(rf"database/creds/ro/{LEASE_SUFFIX}", entry.lease_id)
    assert (entry.path, entry.mount_point, entry.token_hash) == (
        "database/creds/ro",
        "database/",
        "hash-of-token",
    )
    assert (entry.issue_time, entry.expire_time, entry.max_expire_time) == (
        now,
        now + 60,
        now + 600,
    )
    assert entry.last_renewal is None
    assert entry.renewable
    assert entry.secret is not None
    assert entry.secret.lease_id == entry.lease_id
    assert entry.secret.internal == {"user": "u1"}
    assert not entry.is_token
    assert await manager.lookup(entry.lease_id) == entry


async def test_lease_ids_are_unique_and_leave_the_callers_secret_alone(
    manager: LeaseManager,
) -> None:
    given = secret()
    first = await manager.register_secret("kv/creds/", "kv/", given, "")
    second = await manager.register_secret("kv/creds/", "kv/", given, "")
    assert first.lease_id != second.lease_id
    assert first.lease_id.startswith("kv/creds/")
    assert given.lease_id == ""


async def test_ttl_is_capped_by_max_ttl_at_registration(
    manager: LeaseManager, clock: FakeClock
) -> None:
    entry = await manager.register_secret("db/creds/x", "db/", secret(ttl=600, max_ttl=60), "")
    assert entry.expire_time == clock.now() + 60


async def test_a_secret_lease_needs_a_ttl(manager: LeaseManager) -> None:
    with pytest.raises(ValueError, match="positive TTL"):
        await manager.register_secret("db/creds/x", "db/", secret(ttl=0), "")


async def test_register_token_lease(manager: LeaseManager, clock: FakeClock) -> None:
    now = clock.now()
    entry = await manager.register_token("auth/token/create", "h1", 3600, now + 7200, True)
    assert re.fullmatch(rf"auth/token/create/{LEASE_SUFFIX}", entry.lease_id)
    assert entry.mount_point == "auth/token/"
    assert (entry.auth_token_hash, entry.token_hash, entry.secret) == ("h1", "", None)
    assert entry.is_token
    assert (entry.expire_time, entry.max_expire_time) == (now + 3600, now + 7200)
    assert await manager.lookup(entry.lease_id) == entry


async def test_token_lease_ttl_is_capped_and_must_be_positive(
    manager: LeaseManager, clock: FakeClock
) -> None:
    entry = await manager.register_token(
        "auth/userpass/login/bob", "h1", 3600, clock.now() + 5, True
    )
    assert entry.expire_time == clock.now() + 5
    with pytest.raises(ValueError, match="positive TTL"):
        await manager.register_token("auth/token/create", "h2", 0, None, True)


async def test_registering_a_token_again_replaces_its_lease(manager: LeaseManager) -> None:
    old = await manager.register_token("auth/token/create", "h1", 60, None, True)
    new = await manager.register_token("auth/token/create", "h1", 120, None, True)
    assert await manager.lookup(old.lease_id) is None
    assert await manager.lookup(new.lease_id) == new
    assert await manager.count() == 1


@pytest.mark.parametrize(
    "lease_id", ["", "nope/abc", "../x", "a/../b", "a//b", "/a", "a/", ".", "a\nb", "x" * 5000]
)
async def test_lookup_of_unknown_or_malformed_ids_is_none(
    manager: LeaseManager, lease_id: str
) -> None:
    assert await manager.lookup(lease_id) is None


async def test_a_path_too_long_for_a_lease_id_is_refused(manager: LeaseManager) -> None:
    with pytest.raises(InvalidPath):
        await manager.register_secret("db/" + "x" * 2000, "db/", secret(), "")


async def test_leases_survive_odd_but_valid_paths(manager: LeaseManager) -> None:
    paths = ["pki/issue/example.com", "kv/a%2Fb", "kv/ünïcode", "kv/with space", ""]
    for path in paths:
        entry = await manager.register_secret(path, "kv/", secret(), "tok/with/slashes")
        assert await manager.lookup(entry.lease_id) == entry
    await manager.revoke_by_token("tok/with/slashes")
    assert await manager.count() == 0


async def test_record_round_trip_and_newer_versions_are_refused(manager: LeaseManager) -> None:
    entry = await manager.register_secret("db/creds/x", "db/", secret(), "h")
    assert LeaseEntry.deserialize(entry.serialize()) == entry
    newer = replace(entry, version=entry.version + 1).serialize()
    with pytest.raises(InternalError):
        LeaseEntry.deserialize(newer)


async def test_list_by_prefix_like_sys_leases_lookup(manager: LeaseManager) -> None:
    ro = [
        (await manager.register_secret("db/creds/ro", "db/", secret(), "")).lease_id for _ in "ab"
    ]
    await manager.register_secret("db/creds/rw", "db/", secret(), "")
    await manager.register_secret("kv/data", "kv/", secret(), "")
    await manager.register_token("auth/token/create", "h", 60, None, True)

    assert await manager.list("") == ["auth/", "db/", "kv/"]
    assert await manager.list("db/") == ["creds/"]
    assert await manager.list("db/creds") == ["ro/", "rw/"]
    assert await manager.list("db/creds/ro/") == sorted(i.rsplit("/", 1)[1] for i in ro)
    assert await manager.list("nothing/here/") == []
    with pytest.raises(InvalidPath):
        await manager.list("../")


async def test_count_reads_pages(clock: FakeClock, storage: CountingStorage) -> None:
    manager = LeaseManager(storage, clock, FakeRevoker(), page_size=7)
    for i in range(50):
        await manager.register_secret(f"db/creds/r{i % 3}", "db/", secret(), "")
    assert await manager.count() == 50
    assert storage.longest_list <= 7
    assert storage.unbounded_lists == 0


async def test_forget_token_drops_only_that_tokens_lease(
    manager: LeaseManager, revoker: FakeRevoker
) -> None:
    kept = await manager.register_token("auth/token/create", "hash-a", 60, None, True)
    gone = await manager.register_token("auth/token/create", "hash-b", 60, None, True)
    await manager.forget_token("hash-b")
    await manager.forget_token("never-registered")
    assert await manager.lookup(gone.lease_id) is None
    assert await manager.lookup(kept.lease_id) is not None
    assert revoker.tokens_revoked == []
