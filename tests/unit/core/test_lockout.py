"""User lockout: failed logins counted per user and mount, locks stored, sys/locked-users."""

from __future__ import annotations

from typing import Any

import pytest

from strongroom.core import Core
from strongroom.errors import InvalidCredentials, InvalidParameter, PermissionDenied
from strongroom.framework import Field, FieldData, FieldType, FrameworkBackend, PathSpec
from strongroom.logical import Auth, Backend, Operation, Request, Response, Storage
from strongroom.physical.inmem import InmemBackend
from strongroom.routing import MountEntry
from strongroom.testing.clock import FakeClock

PASSWORD = "right"


class PasswordMethod(FrameworkBackend):
    def login_alias(self, request: Request) -> str | None:
        prefix = "login/"
        return request.path[len(prefix) :] if request.path.startswith(prefix) else None


def password_method(entry: MountEntry, storage: Storage) -> Backend:
    async def login(request: Request, data: FieldData) -> Response:
        if data.get("password") != PASSWORD:
            raise InvalidCredentials("invalid username or password")
        return Response(auth=Auth(display_name=data.get("name"), token_policies=["dev"]))

    fields = {"name": Field(FieldType.STRING), "password": Field(FieldType.STRING, default="")}
    spec = PathSpec(
        "login/(?P<name>[^/]+)", {Operation.UPDATE: login}, fields, unauthenticated=True
    )
    return PasswordMethod([spec])


class Setup:
    def __init__(self, core: Core, clock: FakeClock, root: str, share: bytes) -> None:
        self.core, self.clock, self.root, self.share = core, clock, root, share

    async def call(self, operation: Operation, path: str, **data: Any) -> Any:
        request = Request(operation, path, data, client_token=self.root)
        return (await self.core.handle(request)).data

    async def login(self, user: str, password: str, mount: str = "pw") -> Auth:
        request = Request(Operation.UPDATE, f"auth/{mount}/login/{user}", {"password": password})
        auth = (await self.core.handle(request)).auth
        assert auth is not None
        return auth

    async def accessor(self, mount: str = "pw") -> str:
        mounts = await self.call(Operation.READ, "sys/auth")
        return str(mounts[f"{mount}/"]["accessor"])


@pytest.fixture
async def setup() -> Any:
    clock = FakeClock()
    core = Core(InmemBackend(), clock=clock, auth_methods={"pw": password_method})
    result = await core.initialize(1, 1)
    await core.submit_unseal_share(result.shares[0])
    ready = Setup(core, clock, result.root_token, result.shares[0])
    await ready.call(Operation.UPDATE, "sys/auth/pw", type="pw")
    yield ready
    await core.close()


async def fail(setup: Setup, user: str, times: int, mount: str = "pw") -> None:
    for _ in range(times):
        with pytest.raises(InvalidCredentials):
            await setup.login(user, "wrong", mount)


async def test_five_failures_lock_a_user_for_fifteen_minutes(setup: Setup) -> None:
    await fail(setup, "bob", 5)
    with pytest.raises(PermissionDenied):
        await setup.login("bob", PASSWORD)  # even the right password
    assert (await setup.login("alice", PASSWORD)).client_token  # others are not affected
    setup.clock.advance(15 * 60 + 1)
    assert (await setup.login("bob", PASSWORD)).client_token


async def test_failures_are_forgotten_after_the_counter_reset_and_on_success(
    setup: Setup,
) -> None:
    await fail(setup, "bob", 4)
    setup.clock.advance(15 * 60 + 1)
    await fail(setup, "bob", 4)
    await setup.login("bob", PASSWORD)
    await fail(setup, "bob", 4)
    assert (await setup.login("bob", PASSWORD)).client_token


async def test_an_operator_lists_and_unlocks(setup: Setup) -> None:
    await fail(setup, "bob", 5)
    accessor = await setup.accessor()
    assert await setup.call(Operation.READ, "sys/locked-users") == {
        "by_namespace": [
            {
                "namespace_id": "root",
                "namespace_path": "",
                "counts": 1,
                "mount_accessors": [
                    {"mount_accessor": accessor, "counts": 1, "alias_identifiers": ["bob"]}
                ],
            }
        ],
        "total": 1,
    }
    await setup.call(Operation.UPDATE, f"sys/locked-users/{accessor}/unlock/bob")
    assert await setup.call(Operation.READ, "sys/locked-users") == {
        "by_namespace": [],
        "total": 0,
    }
    assert (await setup.login("bob", PASSWORD)).client_token


async def test_a_lock_survives_a_seal_but_failure_counts_do_not(setup: Setup) -> None:
    await fail(setup, "bob", 5)
    await fail(setup, "carol", 4)
    await setup.core.seal()
    await setup.core.submit_unseal_share(setup.share)
    with pytest.raises(PermissionDenied):
        await setup.login("bob", PASSWORD)
    await fail(setup, "carol", 1)  # a fresh count: one failure is not five
    assert (await setup.login("carol", PASSWORD)).client_token


async def test_the_mount_tunes_its_lockout(setup: Setup) -> None:
    await setup.call(
        Operation.UPDATE,
        "sys/auth/pw/tune",
        user_lockout_config={"lockout_threshold": "2", "lockout_duration": "1m"},
    )
    tuned = await setup.call(Operation.READ, "sys/auth/pw/tune")
    assert tuned["user_lockout_config"] == {"lockout_threshold": 2, "lockout_duration": 60}
    await fail(setup, "bob", 2)
    with pytest.raises(PermissionDenied):
        await setup.login("bob", PASSWORD)
    setup.clock.advance(61)
    assert (await setup.login("bob", PASSWORD)).client_token

    await setup.call(
        Operation.UPDATE, "sys/auth/pw/tune", user_lockout_config={"lockout_disable": True}
    )
    await fail(setup, "carol", 10)
    assert (await setup.login("carol", PASSWORD)).client_token
    with pytest.raises(InvalidParameter, match="user_lockout_config"):
        await setup.call(Operation.UPDATE, "sys/auth/pw/tune", user_lockout_config={"x": 1})
    with pytest.raises(InvalidParameter, match="auth methods"):
        await setup.call(
            Operation.UPDATE, "sys/mounts/secret-x", type="kv", config={"user_lockout_config": {}}
        )
