"""AppRole secret IDs: issue (generated or custom), list, look up, destroy, tidy; storage holds
only HMACs."""

from __future__ import annotations

from typing import Any

from auth_helpers import AuthDriver, D, L, U

from strongroom.errors import BadRequest, InvalidParameter, NotFound
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock

LOOKUP_FIELDS = {
    "cidr_list",
    "creation_time",
    "expiration_time",
    "last_updated_time",
    "metadata",
    "secret_id_accessor",
    "secret_id_num_uses",
    "secret_id_ttl",
    "token_bound_cidrs",
}


async def issue(approle: AuthDriver, role: str = "web", **data: Any) -> dict[str, Any]:
    result: dict[str, Any] = await approle.data_of(U, f"role/{role}/secret-id", data)
    return result


async def all_stored(storage: InmemBackend) -> dict[str, bytes]:
    keys: list[str] = []

    async def walk(prefix: str) -> None:
        for name in await storage.list(prefix):
            if name.endswith("/"):
                await walk(prefix + name)
            else:
                keys.append(prefix + name)

    await walk("")
    return {key: await storage.get(key) or b"" for key in keys}


async def test_generate_lookup_list_destroy(approle: AuthDriver, storage: InmemBackend) -> None:
    await approle.write("role/web", secret_id_bound_cidrs="127.0.0.0/8")
    issued = await issue(
        approle, metadata='{"team": "a"}', cidr_list="127.0.0.1/32", ttl="1h", num_uses=3
    )
    assert set(issued) == {"secret_id", "secret_id_accessor", "secret_id_ttl", "secret_id_num_uses"}
    assert (issued["secret_id_ttl"], issued["secret_id_num_uses"]) == (3600, 3)
    found = await approle.data_of(
        U, "role/web/secret-id/lookup", {"secret_id": issued["secret_id"]}
    )
    assert set(found) == LOOKUP_FIELDS
    assert found["metadata"] == {"team": "a"} and found["cidr_list"] == ["127.0.0.1"]
    assert found["creation_time"] == "2027-01-15T08:00:00Z"
    assert found["expiration_time"] == "2027-01-15T09:00:00Z"
    assert found["secret_id_accessor"] == issued["secret_id_accessor"]
    by_accessor = await approle.data_of(
        U,
        "role/web/secret-id-accessor/lookup",
        {"secret_id_accessor": issued["secret_id_accessor"]},
    )
    assert by_accessor == found
    listed = await approle.data_of(L, "role/web/secret-id", {})
    assert listed["keys"] == [issued["secret_id_accessor"]]

    # Nothing in storage holds the secret ID or the accessor in the clear.
    for key, value in (await all_stored(storage)).items():
        for secret in (issued["secret_id"], issued["secret_id_accessor"]):
            assert secret not in key
        assert issued["secret_id"].encode() not in value

    await approle.no_content(U, "role/web/secret-id/destroy", {"secret_id": issued["secret_id"]})
    assert await approle(U, "role/web/secret-id/lookup", {"secret_id": issued["secret_id"]}) is None
    assert isinstance(await approle.error_of(L, "role/web/secret-id", {}), NotFound)
    error = await approle.fails(
        U, "role/web/secret-id-accessor/lookup", secret_id_accessor=issued["secret_id_accessor"]
    )
    assert isinstance(error, NotFound)


async def test_destroy_by_accessor(approle: AuthDriver) -> None:
    await approle.write("role/web")
    issued = await issue(approle)
    accessor = issued["secret_id_accessor"]
    await approle.no_content(
        D, "role/web/secret-id-accessor/destroy", {"secret_id_accessor": accessor}
    )
    assert await approle(U, "role/web/secret-id/lookup", {"secret_id": issued["secret_id"]}) is None
    error = await approle.fails(
        U, "role/web/secret-id-accessor/destroy", secret_id_accessor=accessor
    )
    assert isinstance(error, InvalidParameter)


async def test_an_accessor_of_another_role_is_not_found(approle: AuthDriver) -> None:
    await approle.write("role/a")
    await approle.write("role/b")
    accessor = (await issue(approle, "a"))["secret_id_accessor"]
    error = await approle.fails(U, "role/b/secret-id-accessor/lookup", secret_id_accessor=accessor)
    assert isinstance(error, NotFound)
    secret = (await issue(approle, "a"))["secret_id"]
    assert await approle(U, "role/b/secret-id/lookup", {"secret_id": secret}) is None


async def test_custom_secret_ids(approle: AuthDriver) -> None:
    await approle.write("role/web")
    issued = await approle.data_of(U, "role/web/custom-secret-id", {"secret_id": "my-own-id"})
    assert issued["secret_id"] == "my-own-id"
    error = await approle.fails(U, "role/web/custom-secret-id", secret_id="my-own-id")
    assert isinstance(error, BadRequest) and error.message == "SecretID is already registered"
    assert (await approle.fails(U, "role/web/custom-secret-id")).message == "missing secret_id"


async def test_issue_checks(approle: AuthDriver) -> None:
    await approle.write(
        "role/web",
        secret_id_bound_cidrs="10.0.0.0/8",
        token_bound_cidrs="10.0.0.0/8",
        secret_id_num_uses=3,
        secret_id_ttl="1h",
    )
    for data, message in (
        ({"cidr_list": "192.168.0.0/16"}, "cidr_list must be a subset"),
        ({"token_bound_cidrs": "192.168.0.1"}, "token_bound_cidrs must be a subset"),
        ({"num_uses": 4}, "num_uses cannot be higher"),
        ({"num_uses": 0}, "num_uses cannot be higher"),
        ({"num_uses": -1}, "num_uses cannot be negative"),
        ({"ttl": "2h"}, "ttl cannot be longer"),
        ({"ttl": 0}, "ttl cannot be longer"),
        ({"metadata": "not json"}, "failed to parse metadata"),
        ({"metadata": '{"a": 1}'}, "failed to parse metadata"),
    ):
        error = await approle.fails(U, "role/web/secret-id", **data)
        assert isinstance(error, InvalidParameter) and message in error.message, data
    defaults = await issue(approle)
    assert (defaults["secret_id_num_uses"], defaults["secret_id_ttl"]) == (3, 3600)
    await approle.write("role/open", bind_secret_id=False, secret_id_bound_cidrs="10.0.0.0/8")
    error = await approle.fails(U, "role/open/secret-id")
    assert error.message == "bind_secret_id is not set on the role"
    assert isinstance(await approle.fails(U, "role/nope/secret-id"), NotFound)
    for path in ("secret-id/lookup", "secret-id/destroy"):
        assert isinstance(await approle.fails(U, f"role/nope/{path}", secret_id="x"), BadRequest)
        assert (await approle.fails(U, f"role/web/{path}")).message == "missing secret_id"


async def test_metadata_forms(approle: AuthDriver) -> None:
    await approle.write("role/web")
    for metadata in ({"a": "1"}, '{"a": "1"}', "a=1"):
        secret = (await issue(approle, metadata=metadata))["secret_id"]
        found = await approle.data_of(U, "role/web/secret-id/lookup", {"secret_id": secret})
        assert found["metadata"] == {"a": "1"}


async def test_tidy_removes_expired_and_orphaned_entries(
    approle: AuthDriver, storage: InmemBackend, clock: FakeClock
) -> None:
    await approle.write("role/web")
    short = await issue(approle, ttl=60)
    keep = await issue(approle)
    clock.advance(61)
    response = await approle(U, "tidy/secret-id", {})
    assert response is not None and response.status == 202
    assert await approle(U, "role/web/secret-id/lookup", {"secret_id": short["secret_id"]}) is None
    assert await approle(U, "role/web/secret-id/lookup", {"secret_id": keep["secret_id"]})
    # A dangling accessor (its secret ID gone without it) is removed too.
    before = set(await storage.list("accessor/"))
    await storage.put("accessor/dangling", b'{"secret_id_hmac":"x","role_hmac":"y","format":1}')
    await approle(U, "tidy/secret-id", {})
    assert set(await storage.list("accessor/")) == before


async def test_deleting_a_role_deletes_its_secret_ids(
    approle: AuthDriver, storage: InmemBackend
) -> None:
    await approle.write("role/web")
    issued = await issue(approle)
    await approle.no_content(D, "role/web", {})
    assert await storage.list("secret_id/") == [] and await storage.list("accessor/") == []
    await approle.write("role/web")  # the same name again: a new role
    error = await approle.login_error(
        "login",
        role_id=(await approle.read("role/web/role-id"))["role_id"],
        secret_id=issued["secret_id"],
    )
    assert error.message == "invalid role or secret ID"
