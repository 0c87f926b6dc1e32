"""AppRole login: the token asked for, and every way a login is refused."""

from __future__ import annotations

import asyncio
from typing import Any

from auth_helpers import AuthDriver, U

from strongroom.auth.approle.paths_login import SourceAddressRefused
from strongroom.errors import InvalidCredentials, InvalidParameter
from strongroom.testing.clock import FakeClock


async def role_with_secret(
    approle: AuthDriver, role: str = "web", **secret: Any
) -> tuple[str, str]:
    role_id = (await approle.read(f"role/{role}/role-id"))["role_id"]
    issued = await approle.data_of(U, f"role/{role}/secret-id", secret)
    return role_id, issued["secret_id"]


async def test_login_asks_for_the_roles_token(approle: AuthDriver) -> None:
    await approle.write(
        "role/web", token_policies="app", token_ttl="20m", token_bound_cidrs="127.0.0.0/8"
    )
    role_id, secret_id = await role_with_secret(approle, metadata='{"host": "h1"}')
    auth = await approle.login("login", role_id=role_id, secret_id=secret_id)
    assert auth.client_token == "" and auth.display_name == "web"
    assert auth.metadata == {"host": "h1", "role_name": "web"}
    assert auth.token_policies == ["app"] and auth.lease_duration == 1200
    assert auth.bound_cidrs == ["127.0.0.0/8"] and auth.renewable


async def test_a_secret_ids_token_cidrs_override_the_roles(approle: AuthDriver) -> None:
    await approle.write("role/web", token_bound_cidrs="127.0.0.0/8")
    role_id, secret_id = await role_with_secret(approle, token_bound_cidrs="127.0.0.1")
    auth = await approle.login("login", role_id=role_id, secret_id=secret_id)
    assert auth.bound_cidrs == ["127.0.0.1"]


async def test_a_secret_id_of_role_a_cannot_log_into_role_b(approle: AuthDriver) -> None:
    await approle.write("role/a")
    await approle.write("role/b")
    _, secret_a = await role_with_secret(approle, "a")
    role_b = (await approle.read("role/b/role-id"))["role_id"]
    error = await approle.login_error("login", role_id=role_b, secret_id=secret_a)
    assert isinstance(error, InvalidCredentials) and error.message == "invalid role or secret ID"


async def test_unknown_ids_and_missing_fields(approle: AuthDriver) -> None:
    await approle.write("role/web")
    role_id, secret_id = await role_with_secret(approle)
    for data in (
        {"role_id": "nope", "secret_id": secret_id},
        {"role_id": role_id, "secret_id": "nope"},
    ):
        assert isinstance(await approle.login_error("login", **data), InvalidCredentials)
    error = await approle.login_error("login", secret_id=secret_id)
    assert isinstance(error, InvalidParameter) and error.message == "missing role_id"
    error = await approle.login_error("login", role_id=role_id)
    assert error.message == "missing secret_id"


async def test_num_uses_are_spent_and_exhausted_ids_deleted(approle: AuthDriver) -> None:
    await approle.write("role/web", secret_id_num_uses=2)
    role_id, secret_id = await role_with_secret(approle)
    await approle.login("login", role_id=role_id, secret_id=secret_id)
    left = await approle.data_of(U, "role/web/secret-id/lookup", {"secret_id": secret_id})
    assert left["secret_id_num_uses"] == 1
    await approle.login("login", role_id=role_id, secret_id=secret_id)
    error = await approle.login_error("login", role_id=role_id, secret_id=secret_id)
    assert isinstance(error, InvalidCredentials)
    assert await approle(U, "role/web/secret-id/lookup", {"secret_id": secret_id}) is None


async def test_concurrent_logins_spend_each_use_once(approle: AuthDriver) -> None:
    await approle.write("role/web", secret_id_num_uses=3)
    role_id, secret_id = await role_with_secret(approle)

    async def attempt() -> bool:
        response = await approle(U, "login", {"role_id": role_id, "secret_id": secret_id})
        return response is not None and response.auth is not None

    results = await asyncio.gather(*(attempt() for _ in range(10)), return_exceptions=True)
    assert results.count(True) == 3
    assert all(isinstance(r, InvalidCredentials) for r in results if r is not True)


async def test_expired_secret_ids_are_refused(approle: AuthDriver, clock: FakeClock) -> None:
    await approle.write("role/web")
    role_id, secret_id = await role_with_secret(approle, ttl=60)
    clock.advance(59)
    await approle.login("login", role_id=role_id, secret_id=secret_id)
    clock.advance(1)
    error = await approle.login_error("login", role_id=role_id, secret_id=secret_id)
    assert isinstance(error, InvalidCredentials)


async def test_cidr_bound_secret_ids_refuse_other_sources_without_spending_a_use(
    approle: AuthDriver,
) -> None:
    await approle.write("role/web")
    role_id, secret_id = await role_with_secret(approle, cidr_list="10.0.0.0/8", num_uses=1)
    error = await approle.login_error("login", "127.0.0.1", role_id=role_id, secret_id=secret_id)
    assert isinstance(error, SourceAddressRefused) and error.status == 400
    assert "secret ID" in error.message and "127.0.0.1" not in error.message
    await approle.login("login", "10.9.8.7", role_id=role_id, secret_id=secret_id)


async def test_role_cidrs_bind_logins_with_and_without_secret_ids(approle: AuthDriver) -> None:
    await approle.write("role/web", secret_id_bound_cidrs="10.0.0.0/8")
    role_id, secret_id = await role_with_secret(approle)
    error = await approle.login_error("login", "127.0.0.1", role_id=role_id, secret_id=secret_id)
    assert isinstance(error, SourceAddressRefused)
    await approle.login("login", "10.0.0.1", role_id=role_id, secret_id=secret_id)
    await approle.write("role/open", bind_secret_id=False, secret_id_bound_cidrs="10.0.0.0/8")
    open_id = (await approle.read("role/open/role-id"))["role_id"]
    auth = await approle.login("login", "10.0.0.1", role_id=open_id)
    assert auth.metadata == {"role_name": "open"}
    error = await approle.login_error("login", "192.168.1.1", role_id=open_id)
    assert isinstance(error, SourceAddressRefused)
