"""Logins: an auth method names the token it wants; the core mints it under the mount's limits."""

from __future__ import annotations

from typing import Any

import pytest

from strongroom.core import Core
from strongroom.core.logins import login_token_type
from strongroom.errors import BadRequest, PermissionDenied
from strongroom.framework import Field, FieldData, FieldType, FrameworkBackend, PathSpec
from strongroom.logical import Auth, Backend, Operation, Request, Response, Storage
from strongroom.physical.inmem import InmemBackend
from strongroom.routing import MountEntry
from strongroom.testing.clock import FakeClock

# The method's current settings for renewals: {user: (ttl, max_ttl)}; a missing user is gone.
CURRENT: dict[str, tuple[int, int]] = {}
ROOT = [""]  # the fixture's root token


def login_method(entry: MountEntry, storage: Storage) -> Backend:
    """Logs anyone in as the name in the path, with the settings in the body; renews tokens
    of users in CURRENT with their current TTLs."""

    async def login(request: Request, data: FieldData) -> Response:
        body = data.get("settings") or {}
        return Response(
            auth=Auth(
                display_name=data.get("name"),
                token_policies=body.get("policies", ["dev"]),
                metadata={"user": data.get("name")},
                lease_duration=body.get("ttl", 0),
                num_uses=body.get("num_uses", 0),
                period=body.get("period", 0),
                bound_cidrs=body.get("bound_cidrs", []),
                no_default_policy=body.get("no_default_policy", False),
                renewable=True,
            )
        )

    async def renew(request: Request) -> Response:
        assert request.auth is not None
        user = request.auth.metadata["user"]
        if user not in CURRENT:
            raise BadRequest("user no longer exists, not renewing")
        ttl, max_ttl = CURRENT[user]
        return Response(auth=Auth(lease_duration=ttl, max_ttl=max_ttl))

    return FrameworkBackend(
        [
            PathSpec(
                "login/(?P<name>[^/]+)",
                {Operation.UPDATE: login},
                {"name": Field(FieldType.STRING), "settings": Field(FieldType.MAP)},
                unauthenticated=True,
            )
        ],
        auth_renew=renew,
    )


@pytest.fixture
async def core() -> Any:
    methods = {"testlogin": login_method, "fixed": method_without_renewal}
    core = Core(InmemBackend(), clock=FakeClock(), auth_methods=methods)
    result = await core.initialize(1, 1)
    await core.submit_unseal_share(result.shares[0])
    root = ROOT[0] = result.root_token
    await core.handle(
        Request(Operation.UPDATE, "sys/auth/people", {"type": "testlogin"}, client_token=root)
    )
    await core.handle(
        Request(
            Operation.UPDATE,
            "sys/mounts/auth/people/tune",
            {"max_lease_ttl": "2h", "default_lease_ttl": "30m"},
            client_token=root,
        )
    )
    yield core
    await core.close()


async def login(core: Core, name: str, remote: str = "", **settings: Any) -> Auth:
    request = Request(
        Operation.UPDATE,
        f"auth/people/login/{name}",
        {"settings": settings},
        remote_address=remote,
    )
    response = await core.handle(request)
    assert response.auth is not None
    return response.auth


async def lookup_self(core: Core, token: str, remote: str = "") -> dict[str, Any]:
    response = await core.handle(
        Request(Operation.READ, "auth/token/lookup-self", client_token=token, remote_address=remote)
    )
    assert response.data is not None
    return response.data


async def test_a_login_mints_an_orphan_token_under_the_mounts_limits(core: Core) -> None:
    auth = await login(core, "bob")
    assert auth.client_token.startswith("hvs.") and auth.accessor
    assert auth.orphan and auth.renewable
    assert auth.token_policies == ["default", "dev"]
    assert auth.lease_duration == 1800  # the mount's default TTL
    data = await lookup_self(core, auth.client_token)
    assert data["display_name"] == "people-bob"
    assert data["path"] == "auth/people/login/bob"
    assert data["meta"] == {"user": "bob"}
    assert data["orphan"] is True


async def test_requested_ttls_are_capped_by_the_mount(core: Core) -> None:
    assert (await login(core, "bob", ttl=600)).lease_duration == 600
    assert (await login(core, "bob", ttl=86400)).lease_duration == 7200


async def test_uses_cidrs_and_default_policy_come_from_the_method(core: Core) -> None:
    assert (await login(core, "carol", no_default_policy=True)).token_policies == ["dev"]
    auth = await login(core, "erin", num_uses=1)
    assert auth.num_uses == 1
    await lookup_self(core, auth.client_token)
    with pytest.raises(PermissionDenied):
        await lookup_self(core, auth.client_token)  # its one use is spent

    bound = await login(core, "dave", bound_cidrs=["10.0.0.0/8"])
    assert (await lookup_self(core, bound.client_token, "10.1.2.3"))["display_name"] == (
        "people-dave"
    )
    with pytest.raises(PermissionDenied):
        await lookup_self(core, bound.client_token, "192.168.0.1")


async def renew_self(core: Core, token: str) -> Auth:
    request = Request(Operation.UPDATE, "auth/token/renew-self", client_token=token)
    response = await core.handle(request)
    assert response.auth is not None
    return response.auth


async def test_renewal_follows_the_methods_current_settings(core: Core) -> None:
    auth = await login(core, "frank", ttl=600)
    CURRENT["frank"] = (1200, 0)
    assert (await renew_self(core, auth.client_token)).lease_duration == 1200
    CURRENT["frank"] = (86400, 0)  # beyond the auth mount's max TTL (2h)
    assert (await renew_self(core, auth.client_token)).lease_duration == 7200
    del CURRENT["frank"]
    with pytest.raises(BadRequest, match="no longer exists"):
        await renew_self(core, auth.client_token)


def method_without_renewal(entry: MountEntry, storage: Storage) -> Backend:
    backend = login_method(entry, storage)
    assert isinstance(backend, FrameworkBackend)
    return FrameworkBackend(backend.paths)


async def test_a_method_without_renewal_refuses_it(core: Core) -> None:
    await core.handle(
        Request(Operation.UPDATE, "sys/auth/fixed", {"type": "fixed"}, client_token=ROOT[0])
    )
    request = Request(Operation.UPDATE, "auth/fixed/login/gina", {"settings": {}})
    auth = (await core.handle(request)).auth
    assert auth is not None
    with pytest.raises(BadRequest, match="does not renew tokens"):
        await renew_self(core, auth.client_token)


@pytest.mark.parametrize(
    ("mount_setting", "requested", "expected"),
    [
        ("", "", "service"),
        ("default-service", "batch", "batch"),
        ("default-batch", "", "batch"),
        ("default-batch", "service", "service"),
        ("service", "batch", "service"),
        ("batch", "service", "batch"),
    ],
)
def test_the_mount_token_type_rules(mount_setting: str, requested: str, expected: str) -> None:
    assert login_token_type(mount_setting, requested) == expected


async def test_a_default_batch_mount_mints_batch_tokens(core: Core) -> None:
    await core.handle(
        Request(
            Operation.UPDATE,
            "sys/auth/people/tune",
            {"token_type": "default-batch"},
            client_token=ROOT[0],
        )
    )
    auth = await login(core, "hank")
    assert auth.token_type == "batch" and not auth.accessor


async def test_no_login_can_mint_a_root_token(core: Core) -> None:
    with pytest.raises(BadRequest, match="root tokens may not be created"):
        await login(core, "mallory", policies=["root"])
