"""Authenticating with a token: expiry, use counts, bound CIDRs, accessors, caches."""

from __future__ import annotations

import asyncio

import pytest
from token_helpers import HOUR, RecordingHooks, resolved

from strongroom.errors import BadRequest
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock
from strongroom.token import Role, TokenParams, TokenRef, TokenStore


async def test_unknown_and_empty_tokens_do_not_resolve(store: TokenStore) -> None:
    assert await store.lookup("") is None
    assert await store.lookup("hvs.nothing") is None
    assert await store.resolve("") is None


async def test_an_expired_token_is_none_and_revoked_with_its_children(
    store: TokenStore, root: TokenRef, clock: FakeClock, hooks: RecordingHooks
) -> None:
    parent = await store.create(TokenParams(policies=("a",), ttl=HOUR), parent=root)
    child = await store.create(TokenParams(), parent=await resolved(store, parent.token_id))
    clock.advance(HOUR - 1)
    assert await store.lookup(parent.token_id) is not None
    clock.advance(1)
    assert await store.lookup(parent.token_id) is None
    assert hooks.revoked == [child.token_hash, parent.token_hash]
    clock.advance(-10)  # even with the clock turned back, they are gone
    assert await store.lookup(child.token_id) is None


async def test_a_token_with_num_uses_1_works_exactly_once(
    store: TokenStore, root: TokenRef, hooks: RecordingHooks
) -> None:
    created = await store.create(TokenParams(policies=("a",), num_uses=1), parent=root)
    entry = await store.use(created.token_id)
    assert entry is not None and entry.spent
    # During its last request it no longer authenticates…
    assert await store.use(created.token_id) is None
    assert await store.lookup(created.token_id) is None
    # …but the request in flight can still see it, and the pipeline revokes it afterwards.
    assert await store.resolve(created.token_id, include_spent=True) is not None
    await store.revoke(created.token_id)
    assert hooks.revoked == [created.token_hash]
    assert await store.resolve(created.token_id, include_spent=True) is None


async def test_num_uses_counts_down(store: TokenStore, root: TokenRef) -> None:
    created = await store.create(TokenParams(policies=("a",), num_uses=3), parent=root)
    remaining = []
    for _ in range(4):
        entry = await store.use(created.token_id)
        remaining.append(entry.num_uses if entry else None)
    assert remaining == [2, 1, -1, None]


async def test_unlimited_tokens_are_not_rewritten_on_use(store: TokenStore, root: TokenRef) -> None:
    entry = await store.use((await store.create(TokenParams(), parent=root)).token_id)
    assert entry is not None and entry.num_uses == 0 and not entry.spent


async def test_an_accessor_is_never_a_token(store: TokenStore, root: TokenRef) -> None:
    created = await store.create(TokenParams(policies=("a",)), parent=root)
    accessor = created.entry.accessor
    assert await store.lookup(accessor) is None
    assert await store.resolve(accessor) is None
    assert await store.resolve_accessor(created.token_id) is None
    ref = await store.resolve_accessor(accessor)
    assert ref is not None and ref.token_hash == created.token_hash


async def test_bound_cidrs_reject_clients_outside_them(store: TokenStore, root: TokenRef) -> None:
    await store.roles.put(Role("bound", token_bound_cidrs=("10.0.0.0/8", "192.168.1.7/32")))
    role = await store.roles.get("bound")
    created = await store.create(TokenParams(policies=("a",)), parent=root, role=role)
    assert created.entry.bound_cidrs == ("10.0.0.0/8", "192.168.1.7/32")
    assert await store.lookup(created.token_id, "10.1.2.3") is not None
    assert await store.lookup(created.token_id, "192.168.1.7") is not None
    for outside in ("192.168.1.8", "11.0.0.1", "::1", "", "not-an-address"):
        assert await store.lookup(created.token_id, outside) is None
        assert await store.use(created.token_id, outside) is None
    # An administrative lookup of the token (by someone else) is not bound by it.
    assert await store.resolve(created.token_id) is not None


async def test_entries_are_cached_and_invalidate_drops_the_cache(
    storage: InmemBackend, clock: FakeClock, root: TokenRef, store: TokenStore
) -> None:
    created = await store.create(TokenParams(policies=("a",)), parent=root)
    other_node = TokenStore(storage, clock)
    assert await other_node.lookup(created.token_id) is not None
    await store.revoke(created.token_id)
    # The other node still has the entry cached until told storage changed.
    assert await other_node.lookup(created.token_id) is not None
    other_node.invalidate()
    assert await other_node.lookup(created.token_id) is None


async def test_the_cache_is_bounded(storage: InmemBackend, clock: FakeClock) -> None:
    store = TokenStore(storage, clock, cache_size=1)
    first, second = await store.create_root(), await store.create_root()
    keys = [f"id/{(await resolved(store, token)).token_hash}" for token in (first, second)]
    assert await store.lookup(first) and await store.lookup(second)
    for key in keys:
        await storage.delete(key)
    # Only the most recent entry is still cached; the other is read again, and is gone.
    assert await store.lookup(second) is not None
    assert await store.lookup(first) is None


async def test_a_store_reads_tokens_written_by_another_instance(
    storage: InmemBackend, clock: FakeClock
) -> None:
    first = TokenStore(storage, clock)
    token_id = await first.create_root()
    second = TokenStore(storage, clock)
    entry = await second.lookup(token_id)
    assert entry is not None and entry.is_root and entry.remaining(clock.now()) == 0


@pytest.mark.parametrize("token_id", ["root", "dev-only-token"])
async def test_create_root_accepts_a_chosen_id(store: TokenStore, token_id: str) -> None:
    assert await store.create_root(token_id) == token_id
    entry = await store.lookup(token_id)
    assert entry is not None and entry.policies == ("root",) and entry.path == "auth/token/root"


async def test_concurrent_requests_cannot_both_spend_the_last_use(
    store: TokenStore, root: TokenRef
) -> None:
    created = await store.create(TokenParams(policies=("a",), num_uses=2), parent=root)
    results = await asyncio.gather(*(store.use(created.token_id) for _ in range(6)))
    assert sum(entry is not None for entry in results) == 2


async def test_wrapping_tokens_are_single_use_orphans_that_expire(
    store: TokenStore, clock: FakeClock
) -> None:
    created = await store.create_wrapping_token(300, "sys/wrapping/wrap")
    entry = created.entry
    assert entry.policies == ("response-wrapping",) and entry.orphan and not entry.renewable
    assert (entry.num_uses, entry.ttl, entry.path) == (1, 300, "sys/wrapping/wrap")
    clock.advance(300)
    assert await store.lookup(created.token_id) is None
    with pytest.raises(BadRequest):
        await store.create_wrapping_token(0, "x")
