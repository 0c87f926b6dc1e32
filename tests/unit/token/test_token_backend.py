"""The auth/token/ backend, driven through FrameworkBackend.handle with logical requests."""

from __future__ import annotations

from typing import Any

import pytest
from token_helpers import HOUR, RecordingHooks

from strongroom.errors import BadRequest, InvalidParameter, NotFound, PermissionDenied
from strongroom.framework import FrameworkBackend
from strongroom.logical import Operation, Request, Response
from strongroom.testing.clock import FakeClock
from strongroom.token import TokenStore, build_token_backend
from strongroom.token.paths_create import display_name

LOOKUP_KEYS = {
    "accessor",
    "creation_time",
    "creation_ttl",
    "display_name",
    "entity_id",
    "expire_time",
    "explicit_max_ttl",
    "id",
    "issue_time",
    "meta",
    "num_uses",
    "orphan",
    "path",
    "policies",
    "renewable",
    "ttl",
    "type",
}


class Client:
    """Sends requests to the backend the way the pipeline will (paths relative to the mount)."""

    def __init__(self, backend: FrameworkBackend, token: str, sudo: bool = False) -> None:
        self.backend = backend
        self.token = token
        self.sudo = sudo

    async def __call__(
        self, operation: Operation, path: str, data: dict[str, Any] | None = None
    ) -> Response | None:
        request = Request(
            operation,
            path,
            data or {},
            client_token=self.token,
            mount_point="auth/token/",
            root_privileges=self.sudo,
        )
        if operation is Operation.UPDATE and await self.backend.exists(request) is False:
            request.operation = Operation.CREATE
        return await self.backend.handle(request)

    async def create(self, path: str = "create", **data: Any) -> Response:
        response = await self(Operation.UPDATE, path, data)
        assert response is not None and response.auth is not None and response.data is None
        return response

    def as_token(self, token: str, sudo: bool = False) -> Client:
        return Client(self.backend, token, sudo)


@pytest.fixture
async def client(store: TokenStore) -> Client:
    return Client(build_token_backend(store), await store.create_root(), sudo=True)


async def test_create_returns_vaults_auth_block(client: Client) -> None:
    response = await client.create(policies=["dev"], meta={"team": "a"}, ttl="1h", num_uses=0)
    auth = response.auth
    assert auth is not None
    assert auth.client_token.startswith("hvs.") and len(auth.accessor) == 24
    assert auth.token_policies == ["default", "dev"] and auth.policies == ["default", "dev"]
    assert auth.metadata == {"team": "a"}
    assert auth.lease_duration == HOUR and auth.renewable
    assert (auth.token_type, auth.orphan, auth.num_uses, auth.entity_id) == (
        "service",
        False,
        0,
        "",
    )


async def test_create_variants(client: Client) -> None:
    orphan = (await client.create("create-orphan", policies=["a"])).auth
    assert orphan is not None and orphan.orphan
    batch = (await client.create(policies=["a"], type="batch")).auth
    assert batch is not None and batch.client_token.startswith("hvb.") and batch.accessor == ""
    await client(Operation.UPDATE, "roles/ops", {"allowed_policies": "ops,web"})
    with_role = (await client.create("create/ops")).auth
    assert with_role is not None and with_role.token_policies == ["default", "ops", "web"]
    with pytest.raises(BadRequest, match="unknown role"):
        await client.create("create/nope")


async def test_create_rules_reach_the_client_as_400s(client: Client) -> None:
    child = (await client.create(policies=["dev"])).auth
    assert child is not None
    as_child = client.as_token(child.client_token)
    with pytest.raises(BadRequest, match="subset"):
        await as_child.create(policies=["ops"])
    with pytest.raises(BadRequest, match="orphan"):
        await as_child.create(no_parent=True)
    with pytest.raises(BadRequest, match="no parent found"):
        await client.as_token("hvs.bogus").create()
    with pytest.raises(InvalidParameter, match="meta"):
        await client.create(meta={"a": {"nested": 1}})
    with pytest.raises(BadRequest, match="entity_alias"):
        await client.create(entity_alias="bob")


def test_display_names_are_sanitised_as_vault_does() -> None:
    assert display_name("") == "token"
    assert display_name("my app!") == "token-my-app"
    assert display_name("ok") == "token-ok"


async def test_lookup_self_and_lookup_shapes(client: Client, clock: FakeClock) -> None:
    auth = (await client.create(policies=["dev"], ttl="2h", display_name="ci")).auth
    assert auth is not None
    user = client.as_token(auth.client_token)
    clock.advance(60)
    for response in (
        await user(Operation.READ, "lookup-self"),
        await client(Operation.UPDATE, "lookup", {"token": auth.client_token}),
        await client(Operation.READ, "lookup", {"token": auth.client_token}),
        await user(Operation.READ, "lookup"),
    ):
        assert response is not None and response.data is not None
        data = response.data
        assert set(data) == LOOKUP_KEYS
        assert data["id"] == auth.client_token and data["accessor"] == auth.accessor
        assert data["display_name"] == "token-ci" and data["path"] == "auth/token/create"
        assert data["ttl"] == 2 * HOUR - 60 and data["creation_ttl"] == 2 * HOUR
        assert isinstance(data["creation_time"], int)
        assert data["expire_time"].endswith("Z") and data["orphan"] is False
        assert data["policies"] == ["default", "dev"] and data["meta"] is None


async def test_lookup_of_the_root_token_never_expires(client: Client) -> None:
    response = await client(Operation.READ, "lookup-self")
    assert response is not None and response.data is not None
    assert response.data["expire_time"] is None and response.data["ttl"] == 0
    assert response.data["policies"] == ["root"] and response.data["orphan"] is True


async def test_lookup_accessor_hides_the_token(client: Client) -> None:
    auth = (await client.create(policies=["dev"])).auth
    assert auth is not None
    response = await client(Operation.UPDATE, "lookup-accessor", {"accessor": auth.accessor})
    assert response is not None and response.data is not None
    assert response.data["id"] == "" and response.data["accessor"] == auth.accessor
    with pytest.raises(BadRequest, match="missing accessor"):
        await client(Operation.UPDATE, "lookup-accessor", {})
    with pytest.raises(BadRequest, match="invalid accessor"):
        await client(Operation.UPDATE, "lookup-accessor", {"accessor": auth.client_token})
    with pytest.raises(PermissionDenied):
        await client(Operation.UPDATE, "lookup", {"token": auth.accessor})


async def test_renew_paths(client: Client, clock: FakeClock, hooks: RecordingHooks) -> None:
    auth = (await client.create(policies=["dev"], ttl="1h")).auth
    assert auth is not None
    clock.advance(600)
    user = client.as_token(auth.client_token)
    renewed = await user(Operation.UPDATE, "renew-self", {"increment": "2h"})
    assert renewed is not None and renewed.auth is not None
    assert renewed.auth.lease_duration == 2 * HOUR
    assert renewed.auth.client_token == auth.client_token
    by_token = await client(Operation.UPDATE, "renew", {"token": auth.client_token})
    assert by_token is not None and by_token.auth is not None
    assert by_token.auth.lease_duration == HOUR
    by_accessor = await client(Operation.UPDATE, "renew-accessor", {"accessor": auth.accessor})
    assert by_accessor is not None and by_accessor.auth is not None
    assert by_accessor.auth.client_token == "" and by_accessor.auth.accessor == auth.accessor
    assert len(hooks.renewed) == 3
    with pytest.raises(BadRequest, match="token not found"):
        await client(Operation.UPDATE, "renew", {"token": "hvs.nope"})
    with pytest.raises(BadRequest, match="missing token"):
        await client(Operation.UPDATE, "renew", {})
    with pytest.raises(BadRequest, match="not renewable"):
        await client(Operation.UPDATE, "renew-self", {})


async def test_revoke_paths(client: Client, store: TokenStore) -> None:
    tokens = [(await client.create(policies=["a"])).auth for _ in range(3)]
    first, second, third = (t for t in tokens if t is not None)
    assert await client(Operation.UPDATE, "revoke", {"token": first.client_token}) is None
    assert await store.lookup(first.client_token) is None
    assert await client(Operation.UPDATE, "revoke", {"token": first.client_token}) is None
    await client.as_token(second.client_token)(Operation.UPDATE, "revoke-self")
    assert await store.lookup(second.client_token) is None
    await client(Operation.UPDATE, "revoke-accessor", {"accessor": third.accessor})
    assert await store.lookup(third.client_token) is None
    again = await client(Operation.UPDATE, "revoke-accessor", {"accessor": third.accessor})
    assert again is not None and again.warnings == ["No token found with this accessor"]
    batch = (await client.create(policies=["a"], type="batch")).auth
    assert batch is not None
    with pytest.raises(BadRequest, match="batch tokens cannot be revoked"):
        await client(Operation.UPDATE, "revoke", {"token": batch.client_token})


async def test_revoke_orphan_needs_sudo(client: Client, store: TokenStore) -> None:
    assert client.backend.properties("revoke-orphan").sudo
    parent = (await client.create(policies=["a"])).auth
    assert parent is not None
    child = (await client.as_token(parent.client_token).create()).auth
    assert child is not None
    without_sudo = client.as_token(client.token, sudo=False)
    with pytest.raises(BadRequest, match="sudo"):
        await without_sudo(Operation.UPDATE, "revoke-orphan", {"token": parent.client_token})
    await client(Operation.UPDATE, "revoke-orphan", {"token": parent.client_token})
    entry = await store.lookup(child.client_token)
    assert entry is not None and entry.orphan
    with pytest.raises(BadRequest, match="not found"):
        await client(Operation.UPDATE, "revoke-orphan", {"token": parent.client_token})


async def test_list_accessors_is_sudo_and_lists(client: Client) -> None:
    assert client.backend.properties("accessors/").sudo
    auth = (await client.create(policies=["a"])).auth
    assert auth is not None
    response = await client(Operation.LIST, "accessors/")
    assert response is not None and response.data is not None
    assert auth.accessor in response.data["keys"] and len(response.data["keys"]) == 2


async def test_roles_crud(client: Client) -> None:
    with pytest.raises(NotFound):
        await client(Operation.LIST, "roles/")
    await client(
        Operation.UPDATE,
        "roles/web",
        {"allowed_policies": ["Web", "db"], "period": "1h", "token_bound_cidrs": "10.0.0.1"},
    )
    response = await client(Operation.READ, "roles/web")
    assert response is not None and response.data is not None
    data = response.data
    assert data["allowed_policies"] == ["db", "web"] and data["renewable"] is True
    assert data["period"] == data["token_period"] == HOUR
    assert data["token_bound_cidrs"] == ["10.0.0.1/32"] and data["token_type"] == "default-service"
    # An update changes only what it sends.
    await client(Operation.UPDATE, "roles/web", {"orphan": True, "token_period": "30m"})
    response = await client(Operation.READ, "roles/web")
    assert response is not None and response.data is not None
    data = response.data
    assert data["orphan"] and data["allowed_policies"] == ["db", "web"]
    assert (data["period"], data["token_period"]) == (0, 1800)
    listed = await client(Operation.LIST, "roles/")
    assert listed is not None and listed.data == {"keys": ["web"]}
    assert await client(Operation.DELETE, "roles/web") is None
    with pytest.raises(NotFound):
        await client(Operation.READ, "roles/web")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"token_type": "batch"}, "non-orphan"),
        ({"token_type": "batch", "orphan": True}, "renewable"),
        ({"token_type": "batch", "orphan": True, "renewable": False, "period": 60}, "periodic"),
        ({"token_type": "weird"}, "token_type"),
        ({"path_suffix": "../x"}, "path suffix"),
        ({"token_num_uses": -1}, "negative"),
        ({"token_bound_cidrs": ["10.0.0.0/33"]}, "token_bound_cidrs"),
    ],
)
async def test_invalid_roles(client: Client, data: dict[str, Any], message: str) -> None:
    with pytest.raises(BadRequest, match=message) as raised:
        await client(Operation.UPDATE, "roles/bad", data)
    assert "10.0.0.0/33" not in raised.value.message


async def test_a_role_with_a_large_explicit_max_warns(client: Client) -> None:
    response = await client(Operation.UPDATE, "roles/big", {"token_explicit_max_ttl": "9999h"})
    assert response is not None and response.warnings


async def test_entity_alias_is_checked_against_the_role(client: Client) -> None:
    await client(Operation.UPDATE, "roles/ea", {"allowed_entity_aliases": ["bob-*"]})
    with pytest.raises(BadRequest, match="invalid 'entity_alias'"):
        await client.create("create/ea", entity_alias="alice")
    with pytest.raises(BadRequest, match="not supported"):
        await client.create("create/ea", entity_alias="Bob-1")


async def test_tidy(client: Client) -> None:
    response = await client(Operation.UPDATE, "tidy")
    assert response is not None and response.data is not None and response.warnings
    assert response.data["accessors_removed"] == 0


def test_every_path_matches_exactly_one_pattern(client: Client) -> None:
    for path in (
        "create",
        "create-orphan",
        "create/r1",
        "lookup",
        "lookup-self",
        "lookup-accessor",
        "renew",
        "renew-self",
        "renew-accessor",
        "revoke",
        "revoke-self",
        "revoke-accessor",
        "revoke-orphan",
        "accessors/",
        "roles/",
        "roles/r.1-x",
        "tidy",
    ):
        client.backend.match(path)


async def test_lookup_reports_role_period_cidrs_and_last_renewal(
    client: Client, clock: FakeClock
) -> None:
    await client(
        Operation.UPDATE, "roles/p", {"token_period": "1h", "token_bound_cidrs": ["10.0.0.0/8"]}
    )
    auth = (await client.create("create/p", policies=["a"])).auth
    assert auth is not None
    clock.advance(60)
    await client(Operation.UPDATE, "renew", {"token": auth.client_token})
    response = await client(Operation.UPDATE, "lookup", {"token": auth.client_token})
    assert response is not None and response.data is not None
    data = response.data
    assert (data["role"], data["period"], data["bound_cidrs"]) == ("p", HOUR, ["10.0.0.0/8"])
    assert data["last_renewal_time"] == int(clock.now()) and data["last_renewal"].endswith("Z")
    assert data["path"] == "auth/token/create/p" and data["ttl"] == HOUR
