"""AppRole's deprecated `role/<name>/bound-cidr-list`: Vault's old name for the role's
`secret_id_bound_cidrs`, written, read back (with a deprecation warning) and reset through it."""

from __future__ import annotations

from auth_helpers import AuthDriver, D, R, U

from strongroom.auth.approle.paths_login import SourceAddressRefused
from strongroom.errors import InvalidParameter, NotFound, UnsupportedPath

WARNING = "bound_cidr_list is deprecated: use secret_id_bound_cidrs"


async def test_it_writes_the_secret_id_bound_cidrs(approle: AuthDriver) -> None:
    await approle.write("role/web")
    await approle.no_content(U, "role/web/bound-cidr-list", {"bound_cidr_list": "10.0.0.0/8"})
    role = await approle.read("role/web")
    assert role["secret_id_bound_cidrs"] == ["10.0.0.0/8"]
    assert "bound_cidr_list" not in role  # the role itself shows the current name only
    assert await approle.read("role/web/secret-id-bound-cidrs") == {
        "secret_id_bound_cidrs": ["10.0.0.0/8"]
    }
    await approle.no_content(
        U, "role/web/bound-cidr-list", {"bound_cidr_list": ["192.168.0.0/16", "127.0.0.1/32"]}
    )
    assert (await approle.read("role/web"))["secret_id_bound_cidrs"] == [
        "192.168.0.0/16",
        "127.0.0.1",
    ]


async def test_a_read_shows_the_setting_under_its_old_name_with_a_warning(
    approle: AuthDriver,
) -> None:
    await approle.write("role/web", secret_id_bound_cidrs="10.0.0.0/8,127.0.0.1")
    response = await approle(R, "role/web/bound-cidr-list")
    assert response is not None
    assert response.data == {"bound_cidr_list": ["10.0.0.0/8", "127.0.0.1"]}
    assert response.warnings == [WARNING]
    await approle.write("role/plain")
    assert await approle.read("role/plain/bound-cidr-list") == {"bound_cidr_list": None}


async def test_logins_are_held_to_what_it_wrote(approle: AuthDriver) -> None:
    await approle.write("role/web")
    await approle.write("role/web/bound-cidr-list", bound_cidr_list="10.0.0.0/8")
    role_id = (await approle.read("role/web/role-id"))["role_id"]
    secret_id = (await approle.data_of(U, "role/web/secret-id", {}))["secret_id"]
    credentials = {"role_id": role_id, "secret_id": secret_id}
    error = await approle.login_error("login", "127.0.0.1", **credentials)
    assert isinstance(error, SourceAddressRefused)
    await approle.login("login", "10.9.8.7", **credentials)


async def test_only_bound_cidr_list_is_taken_from_the_request(approle: AuthDriver) -> None:
    await approle.write("role/web")
    sent = {
        "bound_cidr_list": "10.0.0.0/8",
        "secret_id_bound_cidrs": "192.168.0.0/16",
        "token_bound_cidrs": "172.16.0.0/12",
    }
    await approle.no_content(U, "role/web/bound-cidr-list", sent)
    role = await approle.read("role/web")
    assert role["secret_id_bound_cidrs"] == ["10.0.0.0/8"] and role["token_bound_cidrs"] == []


async def test_a_delete_resets_the_secret_id_bound_cidrs(approle: AuthDriver) -> None:
    await approle.write("role/web", secret_id_bound_cidrs="10.0.0.0/8")
    await approle.no_content(D, "role/web/bound-cidr-list", {})
    assert (await approle.read("role/web"))["secret_id_bound_cidrs"] is None
    # Not when they are all that binds the role.
    await approle.write("role/open", bind_secret_id=False, secret_id_bound_cidrs="10.0.0.0/8")
    error = await approle.fails(D, "role/open/bound-cidr-list")
    assert isinstance(error, InvalidParameter) and "constraint" in error.message
    assert (await approle.read("role/open"))["secret_id_bound_cidrs"] == ["10.0.0.0/8"]


async def test_refusals(approle: AuthDriver) -> None:
    await approle.write("role/web")
    error = await approle.fails(U, "role/web/bound-cidr-list")
    assert isinstance(error, InvalidParameter) and error.message == "missing bound_cidr_list"
    error = await approle.fails(U, "role/web/bound-cidr-list", bound_cidr_list="10.0.0.0/33")
    assert isinstance(error, InvalidParameter)
    assert (await approle.read("role/web"))["secret_id_bound_cidrs"] is None
    error = await approle.fails(U, "role/nope/bound-cidr-list", bound_cidr_list="10.0.0.0/8")
    assert isinstance(error, UnsupportedPath)
    assert isinstance(await approle.fails(R, "role/nope/bound-cidr-list"), NotFound)
    await approle.no_content(D, "role/nope/bound-cidr-list", {})
