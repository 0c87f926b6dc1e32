"""Renewal: increments, caps (explicit max, system max, parent), periods, roles."""

from __future__ import annotations

import pytest
from token_helpers import DAY, HOUR, RecordingHooks, resolved

from strongroom.errors import BadRequest
from strongroom.testing.clock import FakeClock
from strongroom.token import Role, TokenParams, TokenRef, TokenStore


async def token(store: TokenStore, parent: TokenRef, **params: object) -> TokenRef:
    created = await store.create(TokenParams(policies=("a",), **params), parent=parent)  # type: ignore[arg-type]
    return await resolved(store, created.token_id)


async def test_renew_extends_from_now_and_calls_the_hook(
    store: TokenStore, root: TokenRef, clock: FakeClock, hooks: RecordingHooks
) -> None:
    ref = await token(store, root, ttl=HOUR)
    clock.advance(HOUR / 2)
    entry, warnings = await store.renew(ref)
    assert entry.expire_time == clock.now() + HOUR and not warnings
    assert entry.last_renewal_time == clock.now() and entry.ttl == HOUR
    assert hooks.renewed == [ref.token_hash]
    entry, _ = await store.renew(ref, 2 * HOUR)
    assert entry.remaining(clock.now()) == 2 * HOUR


async def test_renewal_is_capped_by_explicit_max_ttl_and_then_refused(
    store: TokenStore, root: TokenRef, clock: FakeClock
) -> None:
    ref = await token(store, root, ttl=HOUR, explicit_max_ttl=2 * HOUR)
    clock.advance(HOUR + 1800)
    entry, warnings = await store.renew(ref, HOUR)
    assert entry.remaining(clock.now()) == 1800 and warnings
    # CVE-2021-32923: renewing within a second of the max TTL must not yield a TTL of 0
    # ("never expires").
    clock.advance(1800 - 0.5)
    current = await store.resolve_hash(ref.token_hash)
    assert current is not None and current.entry.remaining(clock.now()) == 0
    with pytest.raises(BadRequest, match="past the max TTL"):
        await store.renew(current, HOUR)


async def test_renewal_is_capped_by_the_system_max(
    store: TokenStore, root: TokenRef, clock: FakeClock
) -> None:
    ref = await token(store, root, ttl=DAY)
    clock.advance(29 * DAY)
    entry, warnings = await store.renew(ref, 10 * DAY)
    assert entry.expire_time == ref.entry.creation_time + 30 * DAY and warnings


async def test_periodic_tokens_renew_to_their_period_forever(
    store: TokenStore, root: TokenRef, clock: FakeClock
) -> None:
    ref = await token(store, root, period=HOUR)
    for _ in range(24 * 40):  # 40 days: past the system max
        clock.advance(HOUR - 1)
        entry, _ = await store.renew(ref, 5 * HOUR)
        assert entry.remaining(clock.now()) == HOUR
        ref = TokenRef(ref.token_hash, entry)


async def test_a_child_renews_no_further_than_its_parent(
    store: TokenStore, root: TokenRef, clock: FakeClock
) -> None:
    parent = await token(store, root, ttl=2 * HOUR)
    child = await token(store, parent, ttl=HOUR)
    clock.advance(HOUR / 2)
    entry, warnings = await store.renew(child, 4 * HOUR)
    assert entry.expire_time == parent.entry.expire_time and warnings


async def test_what_cannot_be_renewed(store: TokenStore, root: TokenRef) -> None:
    with pytest.raises(BadRequest, match="not renewable"):
        await store.renew(root)
    with pytest.raises(BadRequest, match="not renewable"):
        await store.renew(await token(store, root, renewable=False))


async def test_a_role_tokens_renewal_follows_the_role(
    store: TokenStore, root: TokenRef, clock: FakeClock
) -> None:
    await store.roles.put(Role("r", token_period=HOUR))
    role = await store.roles.get("r")
    created = await store.create(TokenParams(), parent=root, role=role)
    ref = await resolved(store, created.token_id)
    assert ref.entry.period == HOUR and ref.entry.role == "r"
    await store.roles.put(Role("r", token_period=HOUR // 2))
    entry, _ = await store.renew(ref)
    assert entry.remaining(clock.now()) == HOUR // 2
    await store.roles.delete("r")
    with pytest.raises(BadRequest, match="role no longer exists"):
        await store.renew(ref)


async def test_a_period_above_the_system_max_is_capped(store: TokenStore, root: TokenRef) -> None:
    created = await store.create(TokenParams(policies=("a",), period=90 * DAY), parent=root)
    assert created.entry.ttl == 30 * DAY and created.warnings
