"""Vault's creation rules: policies, default policy, orphans, TTLs, periods, custom IDs."""

from __future__ import annotations

import pytest
from token_helpers import DAY, HOUR, RecordingHooks, all_keys, resolved

from strongroom.errors import BadRequest
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock
from strongroom.token import TokenParams, TokenRef, TokenStore


async def child_of(
    store: TokenStore, parent: TokenRef, sudo: bool = False, **params: object
) -> TokenRef:
    created = await store.create(TokenParams(**params), parent=parent, sudo=sudo)  # type: ignore[arg-type]
    return await resolved(store, created.token_id)


async def test_service_tokens_look_like_vaults_and_accessors_differ(
    store: TokenStore, root: TokenRef, hooks: RecordingHooks
) -> None:
    created = await store.create(TokenParams(), parent=root)
    assert created.token_id.startswith("hvs.") and len(created.token_id) == 28
    assert len(created.entry.accessor) == 24 and created.entry.accessor != created.token_id
    assert created.token_hash in hooks.created
    assert created.entry.path == "auth/token/create"


async def test_token_ids_never_appear_in_storage_keys(
    store: TokenStore, root: TokenRef, storage: InmemBackend
) -> None:
    created = await store.create(TokenParams(policies=("a",)), parent=root)
    child = await store.create(TokenParams(), parent=await resolved(store, created.token_id))
    keys = await all_keys(storage)
    assert f"parent/{created.token_hash}/{child.token_hash}" in keys
    assert keys, "something was stored"
    for key in keys:
        assert created.token_id not in key and created.entry.accessor not in key


async def test_a_child_without_policies_inherits_the_parents(
    store: TokenStore, root: TokenRef
) -> None:
    parent = await child_of(store, root, policies=("dev", "ops"))
    assert parent.entry.policies == ("default", "dev", "ops")
    child = await child_of(store, parent)
    assert child.entry.policies == ("default", "dev", "ops")
    # A root token's child without policies is root too.
    assert (await child_of(store, root)).entry.policies == ("root",)


async def test_child_policies_must_be_a_subset_of_the_parents(
    store: TokenStore, root: TokenRef
) -> None:
    parent = await child_of(store, root, policies=("dev",))
    assert (await child_of(store, parent, policies=("dev",))).entry.policies == ("default", "dev")
    with pytest.raises(BadRequest, match="subset of parent"):
        await store.create(TokenParams(policies=("ops",)), parent=parent)
    # Policy names are compared canonically: "DEV " is "dev".
    assert (await child_of(store, parent, policies=("DEV ",))).entry.policies == ("default", "dev")


async def test_sudo_lifts_the_subset_rule_but_never_mints_root(
    store: TokenStore, root: TokenRef
) -> None:
    parent = await child_of(store, root, policies=("dev",))
    assert (await child_of(store, parent, sudo=True, policies=("ops",))).entry.policies == (
        "default",
        "ops",
    )
    for name in ("root", "Root", " ROOT"):
        with pytest.raises(BadRequest, match="root tokens may not be created"):
            await store.create(TokenParams(policies=(name,)), parent=parent, sudo=True)
    assert (await child_of(store, root, policies=("root",))).entry.is_root


async def test_default_policy_rules(store: TokenStore, root: TokenRef) -> None:
    assert (await child_of(store, root, policies=("a",))).entry.policies == ("a", "default")
    no_default = await child_of(store, root, policies=("a",), no_default_policy=True)
    assert no_default.entry.policies == ("a",)
    # Without sudo, default is added only if the parent has it.
    parent = await child_of(store, root, policies=("a", "b"), no_default_policy=True)
    assert (await child_of(store, parent, policies=("a",))).entry.policies == ("a",)
    # An explicit "default" is removed by no_default_policy too.
    explicit = await child_of(store, root, policies=("a", "default"), no_default_policy=True)
    assert explicit.entry.policies == ("a",)


async def test_internal_policies_cannot_be_assigned(store: TokenStore, root: TokenRef) -> None:
    with pytest.raises(BadRequest, match="internal policy"):
        await store.create(TokenParams(policies=("response-wrapping",)), parent=root)


async def test_orphans_via_no_parent_need_sudo_create_orphan_does_not(
    store: TokenStore, root: TokenRef
) -> None:
    parent = await child_of(store, root, policies=("dev",))
    assert not (await child_of(store, parent)).entry.orphan
    with pytest.raises(BadRequest, match="orphan"):
        await store.create(TokenParams(no_parent=True), parent=parent)
    assert (await child_of(store, parent, sudo=True, no_parent=True)).entry.orphan
    # create-orphan: the ACL on that path is the guard (Vault does not ask for sudo).
    assert (await child_of(store, parent, orphan=True)).entry.orphan
    assert (await child_of(store, root, no_parent=True)).entry.orphan


async def test_login_tokens_have_no_parent_and_are_never_root(store: TokenStore) -> None:
    created = await store.create(
        TokenParams(policies=("dev",), path="auth/userpass/login/bob", display_name="userpass-bob")
    )
    assert created.entry.orphan and created.entry.policies == ("default", "dev")
    assert created.entry.path == "auth/userpass/login/bob"
    with pytest.raises(BadRequest, match="root tokens may not be created"):
        await store.create(TokenParams(policies=("root",)))


async def test_ttl_default_requested_and_capped_by_the_system_max(
    store: TokenStore, root: TokenRef
) -> None:
    assert (await child_of(store, root, policies=("a",))).entry.ttl == DAY
    assert (await child_of(store, root, ttl=HOUR)).entry.ttl == HOUR
    created = await store.create(TokenParams(ttl=90 * DAY), parent=root)
    assert created.entry.ttl == 30 * DAY and created.warnings
    # A root token asked for without a TTL never expires; with a TTL it does.
    forever = await child_of(store, root)
    assert forever.entry.ttl == 0 and forever.entry.expire_time == 0 and not forever.entry.renewable
    assert (await child_of(store, root, ttl=60)).entry.expire_time > 0


async def test_explicit_max_ttl_caps_the_ttl(store: TokenStore, root: TokenRef) -> None:
    child = await child_of(store, root, policies=("a",), ttl=2 * HOUR, explicit_max_ttl=HOUR)
    assert child.entry.ttl == HOUR and child.entry.explicit_max_ttl == HOUR
    # A root token is bound by its explicit max TTL too.
    assert (await child_of(store, root, explicit_max_ttl=HOUR)).entry.ttl == HOUR


async def test_a_child_never_outlives_its_parent(
    store: TokenStore, root: TokenRef, clock: FakeClock
) -> None:
    parent = await child_of(store, root, policies=("a",), ttl=HOUR)
    clock.advance(HOUR - 100)
    created = await store.create(TokenParams(ttl=DAY), parent=parent)
    assert created.entry.ttl == 100 and created.warnings
    assert created.entry.expire_time == parent.entry.expire_time
    # An orphan is not bound by its creator's life.
    orphan = await store.create(TokenParams(ttl=DAY, orphan=True), parent=parent)
    assert orphan.entry.ttl == DAY


async def test_expiring_root_tokens_cannot_create_non_expiring_ones(
    store: TokenStore, root: TokenRef
) -> None:
    expiring_root = await child_of(store, root, ttl=HOUR)
    with pytest.raises(BadRequest, match="non-expiring root"):
        await store.create(TokenParams(), parent=expiring_root)


async def test_periodic_tokens_need_sudo_and_live_a_period(
    store: TokenStore, root: TokenRef
) -> None:
    parent = await child_of(store, root, policies=("a",), no_parent=True)
    with pytest.raises(BadRequest, match="periodic"):
        await store.create(TokenParams(period=HOUR), parent=parent)
    periodic = await child_of(store, root, policies=("a",), period=HOUR, ttl=DAY)
    assert periodic.entry.ttl == HOUR and periodic.entry.period == HOUR
    assert periodic.entry.renewable


async def test_num_uses_and_restricted_parents(store: TokenStore, root: TokenRef) -> None:
    limited = await child_of(store, root, policies=("a",), num_uses=3)
    assert limited.entry.num_uses == 3
    with pytest.raises(BadRequest, match="restricted use token"):
        await store.create(TokenParams(), parent=limited)
    with pytest.raises(BadRequest, match="negative"):
        await store.create(TokenParams(num_uses=-1), parent=root)


async def test_custom_ids_need_sudo_and_a_plain_unique_value(
    store: TokenStore, root: TokenRef
) -> None:
    parent = await child_of(store, root, policies=("a",))
    with pytest.raises(BadRequest, match="specify token id"):
        await store.create(TokenParams(token_id="mine"), parent=parent)
    created = await store.create(TokenParams(token_id="mine"), parent=root)
    assert created.token_id == "mine"
    assert (await resolved(store, "mine")).entry == created.entry
    for bad in ("mine", "hvs.abc", "s.abc", "a.b"):
        with pytest.raises(BadRequest):
            await store.create(TokenParams(token_id=bad), parent=root)


async def test_children_inherit_entity_and_bound_cidrs(store: TokenStore) -> None:
    login = await store.create(
        TokenParams(policies=("a",), entity_id="ent-1", bound_cidrs=("10.0.0.0/8",))
    )
    parent = await resolved(store, login.token_id)
    child = await store.create(TokenParams(), parent=parent)
    assert child.entry.entity_id == "ent-1" and child.entry.bound_cidrs == ("10.0.0.0/8",)
    orphan = await store.create(TokenParams(orphan=True), parent=parent)
    assert orphan.entry.entity_id == "" and orphan.entry.bound_cidrs == ()


async def test_a_parent_revoked_meanwhile_cannot_get_children(
    store: TokenStore, root: TokenRef
) -> None:
    parent = await child_of(store, root, policies=("a",))
    await store.revoke_hash(parent.token_hash)
    with pytest.raises(BadRequest, match="no parent"):
        await store.create(TokenParams(), parent=parent)


async def test_logins_may_be_periodic(store: TokenStore) -> None:
    created = await store.create(
        TokenParams(policies=("a",), period=HOUR, path="auth/approle/login")
    )
    assert created.entry.period == HOUR and created.entry.ttl == HOUR and created.entry.orphan
