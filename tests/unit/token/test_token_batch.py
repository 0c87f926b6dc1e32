"""Batch tokens: self-contained, encrypted, unrevocable, and dead at their TTL."""

from __future__ import annotations

import base64

import pytest
from token_helpers import HOUR, all_keys, resolved

from strongroom.errors import BadRequest
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock
from strongroom.token import TokenParams, TokenRef, TokenStore


async def batch(store: TokenStore, parent: TokenRef, **params: object) -> str:
    created = await store.create(TokenParams(token_type="batch", **params), parent=parent)  # type: ignore[arg-type]
    return created.token_id


async def test_batch_tokens_are_not_stored_and_have_no_accessor(
    store: TokenStore, root: TokenRef, storage: InmemBackend
) -> None:
    before = set(await all_keys(storage))
    created = await store.create(TokenParams(token_type="batch", policies=("a",)), parent=root)
    assert created.token_id.startswith("hvb.")
    assert created.token_hash == "" and created.entry.accessor == ""
    assert not created.entry.renewable
    assert set(await all_keys(storage)) - before == {"batch-key"}
    entry = await store.lookup(created.token_id)
    assert entry is not None and entry.is_batch and entry.policies == ("a", "default")


async def test_batch_tokens_die_at_their_ttl(
    store: TokenStore, root: TokenRef, clock: FakeClock
) -> None:
    # CVE-2020-25816: a batch token must never outlive its TTL.
    token_id = await batch(store, root, policies=("a",), ttl=HOUR)
    clock.advance(HOUR - 1)
    assert await store.lookup(token_id) is not None
    clock.advance(1)
    assert await store.lookup(token_id) is None
    clock.advance(365 * 24 * HOUR)
    assert await store.lookup(token_id) is None


async def test_a_tampered_batch_token_is_invalid(store: TokenStore, root: TokenRef) -> None:
    token_id = await batch(store, root, policies=("a",))
    body = token_id[4:]
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    for position in (0, 5, 20, len(raw) // 2, len(raw) - 1):
        flipped = bytearray(raw)
        flipped[position] ^= 0x01
        forged = "hvb." + base64.urlsafe_b64encode(bytes(flipped)).rstrip(b"=").decode()
        assert await store.lookup(forged) is None
    for garbage in ("hvb.", "hvb.!!!!", "hvb." + "A" * 40, token_id[:-3]):
        assert await store.lookup(garbage) is None


async def test_a_batch_token_from_another_store_key_is_invalid(
    clock: FakeClock, root: TokenRef, store: TokenStore
) -> None:
    token_id = await batch(store, root, policies=("a",))
    elsewhere = TokenStore(InmemBackend(), clock)
    assert await elsewhere.lookup(token_id) is None


async def test_batch_tokens_cannot_be_renewed_revoked_or_create_tokens(
    store: TokenStore, root: TokenRef
) -> None:
    token_id = await batch(store, root, policies=("a",))
    ref = await resolved(store, token_id)
    with pytest.raises(BadRequest, match="cannot be renewed"):
        await store.renew(ref)
    with pytest.raises(BadRequest, match="cannot be revoked"):
        await store.revoke(token_id)
    for params in (TokenParams(), TokenParams(orphan=True), TokenParams(token_type="batch")):
        with pytest.raises(BadRequest, match="batch tokens cannot create more tokens"):
            await store.create(params, parent=ref)


async def test_batch_token_restrictions(store: TokenStore, root: TokenRef) -> None:
    with pytest.raises(BadRequest, match="cannot be root"):
        await batch(store, root)
    for field in ("num_uses", "period", "explicit_max_ttl"):
        with pytest.raises(BadRequest, match=field):
            await batch(store, root, policies=("a",), **{field: 60})
    with pytest.raises(BadRequest, match="token_type"):
        await store.create(TokenParams(token_type="nonsense"), parent=root)


async def test_a_batch_child_stops_working_with_its_parent(
    store: TokenStore, root: TokenRef
) -> None:
    parent = await store.create(TokenParams(policies=("a",)), parent=root)
    token_id = await batch(store, await resolved(store, parent.token_id))
    orphan_id = await batch(store, await resolved(store, parent.token_id), orphan=True)
    assert await store.lookup(token_id) is not None
    await store.revoke(parent.token_id)
    assert await store.lookup(token_id) is None
    assert await store.lookup(orphan_id) is not None
