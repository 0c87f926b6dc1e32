"""AppRole roles: CRUD, list, every field, per-setting endpoints, role IDs."""

from __future__ import annotations

import pytest
from auth_helpers import AuthDriver, D, L, R, U

from strongroom.errors import (
    BadRequest,
    InvalidParameter,
    NotFound,
    UnsupportedOperation,
    UnsupportedPath,
)

ROLE_FIELDS = {
    "bind_secret_id",
    "local_secret_ids",
    "secret_id_bound_cidrs",
    "secret_id_num_uses",
    "secret_id_ttl",
    "token_bound_cidrs",
    "token_explicit_max_ttl",
    "token_max_ttl",
    "token_no_default_policy",
    "token_num_uses",
    "token_period",
    "token_policies",
    "token_ttl",
    "token_type",
}


async def test_create_read_list_delete(approle: AuthDriver) -> None:
    await approle.no_content(U, "role/Web", {"token_policies": "a", "secret_id_ttl": "10m"})
    data = await approle.read("role/web")
    assert set(data) == ROLE_FIELDS
    assert data["bind_secret_id"] is True and data["secret_id_bound_cidrs"] is None
    assert data["token_policies"] == ["a"] and data["secret_id_ttl"] == 600
    assert data["token_type"] == "default" and data["token_bound_cidrs"] == []
    assert (await approle.data_of(L, "role", {}))["keys"] == ["web"]
    role_id = (await approle.read("role/WEB/role-id"))["role_id"]
    assert len(role_id) == 36
    await approle.no_content(D, "role/web", {})
    assert isinstance(await approle.error_of(L, "role", {}), NotFound)
    assert isinstance(await approle.fails(R, "role/web"), NotFound)
    await approle.no_content(D, "role/web", {})


async def test_every_field_is_stored(approle: AuthDriver) -> None:
    await approle.write(
        "role/full",
        bind_secret_id=False,
        secret_id_bound_cidrs="10.0.0.0/8,127.0.0.1/32",
        secret_id_num_uses=5,
        secret_id_ttl="1h",
        local_secret_ids=True,
        token_policies="p1,p2",
        token_ttl="10m",
        token_max_ttl="1h",
        token_explicit_max_ttl="2h",
        token_no_default_policy=True,
        token_num_uses=4,
        token_period="0",
        token_type="service",
        token_bound_cidrs="127.0.0.1",
    )
    data = await approle.read("role/full")
    assert data["bind_secret_id"] is False and data["local_secret_ids"] is True
    assert data["secret_id_bound_cidrs"] == ["10.0.0.0/8", "127.0.0.1"]
    assert (data["secret_id_num_uses"], data["secret_id_ttl"]) == (5, 3600)
    assert (data["token_ttl"], data["token_max_ttl"], data["token_explicit_max_ttl"]) == (
        600,
        3600,
        7200,
    )
    assert data["token_no_default_policy"] is True and data["token_num_uses"] == 4
    assert data["token_type"] == "service" and data["token_bound_cidrs"] == ["127.0.0.1"]


async def test_role_checks(approle: AuthDriver) -> None:
    error = await approle.fails(U, "role/none", bind_secret_id=False)
    assert error.message == "at least one constraint should be enabled on the role"
    error = await approle.fails(U, "role/neg", secret_id_num_uses=-1)
    assert error.message == "secret_id_num_uses cannot be negative"
    await approle.write("role/web", local_secret_ids=False)
    error = await approle.fails(U, "role/web", local_secret_ids=True)
    assert "only be modified during role creation" in error.message
    error = await approle.fails(U, "role/web", role_id="")
    assert isinstance(error, InvalidParameter)


async def test_deprecated_fields_and_type_aliases(approle: AuthDriver) -> None:
    response = await approle.write("role/old", policies="B,a", period="1h")
    assert response is None
    data = await approle.read("role/old")
    assert data["policies"] == data["token_policies"] == ["a", "b"]
    assert data["period"] == data["token_period"] == 3600
    response = await approle.write("role/old", token_type="default-service")
    assert response is not None
    assert response.warnings == ["default-service has no useful meaning; adjusting to service"]
    assert (await approle.read("role/old"))["token_type"] == "service"


async def test_role_ids_are_unique_and_replaceable(approle: AuthDriver) -> None:
    await approle.write("role/a", role_id="custom-id")
    assert (await approle.read("role/a/role-id"))["role_id"] == "custom-id"
    error = await approle.fails(U, "role/b", role_id="custom-id")
    assert isinstance(error, BadRequest) and error.message == "role_id already in use"
    await approle.no_content(U, "role/a/role-id", {"role_id": "new-id"})
    await approle.write("role/b", role_id="custom-id")  # the old ID is free again
    error = await approle.fails(U, "role/a/role-id")
    assert error.message == "missing role_id"
    assert isinstance(await approle.fails(U, "role/nope/role-id", role_id="x"), UnsupportedPath)


SETTINGS = [
    ("secret-id-num-uses", "secret_id_num_uses", 7, 7, 0),
    ("secret-id-ttl", "secret_id_ttl", "5m", 300, 0),
    ("token-ttl", "token_ttl", "1m", 60, 0),
    ("token-max-ttl", "token_max_ttl", "2m", 120, 0),
    ("token-num-uses", "token_num_uses", 3, 3, 0),
    ("bind-secret-id", "bind_secret_id", False, False, True),
    ("secret-id-bound-cidrs", "secret_id_bound_cidrs", "10.0.0.0/8", ["10.0.0.0/8"], None),
    ("token-bound-cidrs", "token_bound_cidrs", "10.0.0.0/8", ["10.0.0.0/8"], []),
    ("period", "token_period", "1h", 3600, 0),
    ("policies", "token_policies", "a,b", ["a", "b"], []),
]


@pytest.mark.parametrize(("suffix", "name", "sent", "read", "reset"), SETTINGS)
async def test_per_setting_endpoints(
    approle: AuthDriver, suffix: str, name: str, sent: object, read: object, reset: object
) -> None:
    # bind_secret_id=false needs another constraint.
    await approle.write("role/r", token_bound_cidrs="127.0.0.1", secret_id_bound_cidrs="10.0.0.0/8")
    if name in ("token_bound_cidrs", "secret_id_bound_cidrs"):
        await approle.write("role/r", **{name: ""})
    await approle.no_content(U, f"role/r/{suffix}", {name: sent})
    data = await approle.read(f"role/r/{suffix}")
    assert data[name] == read
    assert data == {k: v for k, v in (await approle.read("role/r")).items() if k in data}
    await approle.no_content(D, f"role/r/{suffix}", {})
    assert (await approle.read(f"role/r/{suffix}"))[name] == reset
    error = await approle.fails(U, f"role/r/{suffix}")
    assert isinstance(error, InvalidParameter) and error.message.startswith("missing ")
    assert isinstance(
        await approle.fails(U, f"role/nope/{suffix}", **{name: sent}), UnsupportedPath
    )
    assert isinstance(await approle.fails(R, f"role/nope/{suffix}"), NotFound)
    await approle.no_content(D, f"role/nope/{suffix}", {})


async def test_deprecated_setting_spellings(approle: AuthDriver) -> None:
    await approle.write("role/r")
    await approle.write("role/r/policies", policies="X")
    assert await approle.read("role/r/policies") == {"token_policies": ["x"], "policies": ["x"]}
    await approle.write("role/r/period", period=60)
    assert await approle.read("role/r/period") == {"token_period": 60, "period": 60}
    await approle.write("role/r/period", token_period=30)
    assert await approle.read("role/r/period") == {"token_period": 30}


async def test_local_secret_ids_is_read_only(approle: AuthDriver) -> None:
    await approle.write("role/r", local_secret_ids=True)
    assert await approle.read("role/r/local-secret-ids") == {"local_secret_ids": True}
    error = await approle.fails(U, "role/r/local-secret-ids", local_secret_ids=False)
    assert isinstance(error, UnsupportedOperation)
    assert isinstance(await approle.fails(D, "role/r/local-secret-ids"), UnsupportedOperation)


async def test_ttl_checks_across_settings(approle: AuthDriver) -> None:
    await approle.write("role/r", token_max_ttl=60)
    error = await approle.fails(U, "role/r/token-ttl", token_ttl=120)
    assert error.message == "'token_ttl' cannot be greater than 'token_max_ttl'"
