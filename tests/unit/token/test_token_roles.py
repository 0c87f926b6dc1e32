"""Creating tokens against roles: allowed/disallowed policies (and globs), orphans, types."""

from __future__ import annotations

import pytest
from token_helpers import HOUR, resolved

from strongroom.errors import BadRequest
from strongroom.token import CreatedToken, Role, TokenParams, TokenRef, TokenStore
from strongroom.token.policies import glob_match


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("dev-*", "dev-web", True),
        ("dev-*", "dev-", True),
        ("dev-*", "prod-web", False),
        ("*-admin", "team-admin", True),
        ("*admin*", "superadminx", True),
        ("a*b*c", "axxbyyc", True),
        ("a*b*c", "acb", False),
        ("ab*ba", "aba", False),
        ("*", "anything", True),
        ("exact", "exact", True),
        ("exact", "exactly", False),
    ],
)
def test_glob_match(pattern: str, value: str, matches: bool) -> None:
    assert glob_match(pattern, value) is matches


async def with_role(
    store: TokenStore, parent: TokenRef, role: Role, **params: object
) -> CreatedToken:
    await store.roles.put(role)
    stored = await store.roles.get(role.name)
    assert stored == role
    return await store.create(TokenParams(**params), parent=parent, role=stored)  # type: ignore[arg-type]


async def test_allowed_policies_replace_the_subset_rule(store: TokenStore, root: TokenRef) -> None:
    parent = await resolved(
        store, (await store.create(TokenParams(policies=("base",)), parent=root)).token_id
    )
    role = Role("r", allowed_policies=("web", "db"), allowed_policies_glob=("team-*",))
    # Without policies asked for, the token gets all of the role's allowed ones.
    created = await with_role(store, parent, role)
    assert created.entry.policies == ("db", "default", "web")
    # Policies the parent does not have are fine when the role allows them.
    created = await with_role(store, parent, role, policies=("team-blue", "web"))
    assert created.entry.policies == ("default", "team-blue", "web")
    with pytest.raises(BadRequest, match="allowed policies"):
        await with_role(store, parent, role, policies=("base",))


async def test_disallowed_policies_and_globs(store: TokenStore, root: TokenRef) -> None:
    role = Role("r", disallowed_policies=("admin",), disallowed_policies_glob=("prod-*",))
    # Without allowed policies, the parent's are inherited and then checked.
    assert (await with_role(store, root, role, policies=("dev",))).entry.policies == (
        "default",
        "dev",
    )
    for denied in ("admin", "prod-db", "PROD-web"):
        with pytest.raises(BadRequest, match="disallowed"):
            await with_role(store, root, role, policies=(denied,))


async def test_disallowing_default_keeps_it_out(store: TokenStore, root: TokenRef) -> None:
    role = Role("r", allowed_policies=("a",), disallowed_policies=("default",))
    assert (await with_role(store, root, role)).entry.policies == ("a",)
    no_default = Role("n", allowed_policies=("a",), token_no_default_policy=True)
    assert (await with_role(store, root, no_default)).entry.policies == ("a",)


async def test_role_orphan_path_suffix_renewable_and_num_uses(
    store: TokenStore, root: TokenRef
) -> None:
    role = Role("r", orphan=True, path_suffix="v2", renewable=False, token_num_uses=5)
    created = await with_role(store, root, role, policies=("a",), ttl=HOUR, num_uses=9)
    entry = created.entry
    assert entry.orphan and entry.role == "r" and not entry.renewable
    assert entry.path == "auth/token/create/v2"
    assert entry.num_uses == 5
    assert (await with_role(store, root, role, policies=("a",), num_uses=2)).entry.num_uses == 2
    # A role decides orphan-ness: no_parent is not consulted.
    child = await with_role(store, root, Role("c"), policies=("a",), no_parent=True)
    assert not child.entry.orphan


async def test_role_limits_and_types(store: TokenStore, root: TokenRef) -> None:
    role = Role("r", token_explicit_max_ttl=HOUR, token_period=0)
    created = await with_role(store, root, role, policies=("a",), explicit_max_ttl=2 * HOUR)
    assert created.entry.explicit_max_ttl == HOUR and created.warnings
    batch_role = Role("b", token_type="default-batch", orphan=True, renewable=False)
    assert (await with_role(store, root, batch_role, policies=("a",))).entry.is_batch
    service = await with_role(store, root, batch_role, policies=("a",), token_type="service")
    assert not service.entry.is_batch
    forced = Role("s", token_type="service")
    assert not (
        await with_role(store, root, forced, token_type="batch", policies=("a",))
    ).entry.is_batch


async def test_role_store_crud(store: TokenStore) -> None:
    assert await store.roles.names() == []
    await store.roles.put(Role("b"))
    await store.roles.put(Role("a", allowed_policies=("x",)))
    assert await store.roles.names() == ["a", "b"]
    store.roles.invalidate()
    role = await store.roles.get("a")
    assert role is not None and role.allowed_policies == ("x",)
    await store.roles.delete("a")
    assert await store.roles.get("a") is None
    assert await store.roles.names() == ["b"]
