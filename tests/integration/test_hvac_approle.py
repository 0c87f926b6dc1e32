"""The AppRole auth method through hvac's `auth.approle` API, against a real server —
including wrapped secret-ID delivery and the refusals that matter."""

from __future__ import annotations

from collections.abc import Callable

import hvac
import pytest
from hvac import exceptions

AsToken = Callable[[str], hvac.Client]


@pytest.fixture
def approle(root_client: hvac.Client) -> hvac.Client:
    root_client.sys.enable_auth_method("approle")
    return root_client


def credentials(client: hvac.Client, role: str, **secret: object) -> tuple[str, str]:
    role_id = client.auth.approle.read_role_id(role)["data"]["role_id"]
    secret_id = client.auth.approle.generate_secret_id(role, **secret)["data"]["secret_id"]
    return role_id, secret_id


def test_every_approle_method(approle: hvac.Client, as_token: AsToken) -> None:
    api = approle.auth.approle
    api.create_or_update_approle(
        "web",
        token_policies=["app"],
        token_ttl="20m",
        token_max_ttl="1h",
        secret_id_ttl="10m",
        secret_id_num_uses=5,
        token_type="service",
    )
    assert api.list_roles()["data"]["keys"] == ["web"]
    role = api.read_role("web")["data"]
    assert role["token_policies"] == ["app"] and role["secret_id_num_uses"] == 5
    assert role["token_ttl"] == 1200 and role["secret_id_ttl"] == 600

    api.update_role_id("web", "my-role-id")
    assert api.read_role_id("web")["data"]["role_id"] == "my-role-id"

    issued = api.generate_secret_id("web", metadata={"host": "h1"}, cidr_list=["127.0.0.1/32"])
    data = issued["data"]
    assert data["secret_id_ttl"] == 600 and data["secret_id_num_uses"] == 5
    custom = api.create_custom_secret_id("web", "my-custom-secret")["data"]
    assert custom["secret_id"] == "my-custom-secret"
    accessors = api.list_secret_id_accessors("web")["data"]["keys"]
    assert sorted(accessors) == sorted([data["secret_id_accessor"], custom["secret_id_accessor"]])

    looked_up = api.read_secret_id("web", data["secret_id"])["data"]
    assert looked_up["metadata"] == {"host": "h1"} and looked_up["cidr_list"] == ["127.0.0.1"]
    by_accessor = api.read_secret_id_accessor("web", data["secret_id_accessor"])["data"]
    assert by_accessor == looked_up

    login = as_token("").auth.approle.login("my-role-id", data["secret_id"])["auth"]
    assert login["metadata"] == {"host": "h1", "role_name": "web"}
    assert login["policies"] == ["app", "default"] and login["lease_duration"] == 1200
    me = as_token(login["client_token"]).auth.token.lookup_self()["data"]
    assert me["display_name"] == "approle-web" and me["path"] == "auth/approle/login"
    left = api.read_secret_id("web", data["secret_id"])["data"]["secret_id_num_uses"]
    assert left == 4

    api.destroy_secret_id("web", data["secret_id"])
    api.destroy_secret_id_accessor("web", custom["secret_id_accessor"])
    with pytest.raises(exceptions.InvalidPath):
        api.list_secret_id_accessors("web")
    with pytest.raises(exceptions.InvalidRequest, match="invalid role or secret ID"):
        as_token("").auth.approle.login("my-role-id", "my-custom-secret")

    api.delete_role("web")
    with pytest.raises(exceptions.InvalidPath):
        api.read_role("web")


def test_wrapped_secret_id_unwrap_then_login(approle: hvac.Client, as_token: AsToken) -> None:
    approle.auth.approle.create_or_update_approle("ci", token_policies=["deploy"])
    role_id = approle.auth.approle.read_role_id("ci")["data"]["role_id"]
    wrapped = approle.auth.approle.generate_secret_id("ci", wrap_ttl="60s")
    assert wrapped["data"] is None
    wrap_token = wrapped["wrap_info"]["token"]
    assert wrapped["wrap_info"]["creation_path"] == "auth/approle/role/ci/secret-id"
    # The machine that receives the wrapping token unwraps it with no token of its own.
    unwrapped = as_token("").sys.unwrap(wrap_token)
    secret_id = unwrapped["data"]["secret_id"]
    with pytest.raises(exceptions.InvalidRequest):
        as_token("").sys.unwrap(wrap_token)  # single use
    login = as_token("").auth.approle.login(role_id, secret_id)["auth"]
    assert "deploy" in login["policies"]


def test_a_secret_id_of_role_a_cannot_log_into_role_b(
    approle: hvac.Client, as_token: AsToken
) -> None:
    approle.auth.approle.create_or_update_approle("a", token_policies=["a"])
    approle.auth.approle.create_or_update_approle("b", token_policies=["b"])
    _, secret_a = credentials(approle, "a")
    role_b, _ = credentials(approle, "b")
    with pytest.raises(exceptions.InvalidRequest, match="invalid role or secret ID"):
        as_token("").auth.approle.login(role_b, secret_a)


def test_an_exhausted_secret_id_is_refused(approle: hvac.Client, as_token: AsToken) -> None:
    approle.auth.approle.create_or_update_approle("once", secret_id_num_uses=1)
    role_id, secret_id = credentials(approle, "once")
    as_token("").auth.approle.login(role_id, secret_id)
    with pytest.raises(exceptions.InvalidRequest, match="invalid role or secret ID"):
        as_token("").auth.approle.login(role_id, secret_id)


def test_logins_from_outside_bound_cidrs_are_refused(
    approle: hvac.Client, as_token: AsToken
) -> None:
    # The server sees this client as 127.0.0.1: every binding below excludes it.
    approle.auth.approle.create_or_update_approle("net")
    role_id, secret_id = credentials(approle, "net", cidr_list=["10.0.0.0/8"])
    with pytest.raises(exceptions.InvalidRequest, match="CIDR restrictions on the secret ID"):
        as_token("").auth.approle.login(role_id, secret_id)

    approle.auth.approle.create_or_update_approle("netrole", secret_id_bound_cidrs=["10.0.0.0/8"])
    role_id, secret_id = credentials(approle, "netrole")
    with pytest.raises(exceptions.InvalidRequest, match="CIDR restrictions on the role"):
        as_token("").auth.approle.login(role_id, secret_id)

    # A token bound to 10.0.0.0/8 is issued but cannot be used from here.
    approle.auth.approle.create_or_update_approle("tok", token_bound_cidrs=["10.0.0.0/8"])
    role_id, secret_id = credentials(approle, "tok")
    token = as_token("").auth.approle.login(role_id, secret_id, use_token=False)
    with pytest.raises(exceptions.Forbidden):
        as_token(token["auth"]["client_token"]).auth.token.lookup_self()
