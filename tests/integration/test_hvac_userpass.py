"""The userpass auth method through hvac's `auth.userpass` API, against a real server."""

from __future__ import annotations

from collections.abc import Callable

import hvac
import pytest
from hvac import exceptions

AsToken = Callable[[str], hvac.Client]


@pytest.fixture
def userpass(root_client: hvac.Client) -> hvac.Client:
    root_client.sys.enable_auth_method("userpass")
    return root_client


def test_every_userpass_method(userpass: hvac.Client, as_token: AsToken) -> None:
    api = userpass.auth.userpass
    api.create_or_update_user("Alice", password="s3cret", policies=["dev"], token_ttl="30m")
    assert api.list_user()["data"]["keys"] == ["alice"]
    user = api.read_user("alice")["data"]
    assert user["token_policies"] == ["dev"] and user["token_ttl"] == 1800
    assert "password" not in user and "password_hash" not in user

    login = as_token("").auth.userpass.login("ALICE", "s3cret")["auth"]
    assert login["metadata"] == {"username": "alice"}
    assert login["policies"] == ["default", "dev"] and login["lease_duration"] == 1800
    assert login["renewable"] and login["orphan"] and login["token_type"] == "service"
    me = as_token(login["client_token"]).auth.token.lookup_self()["data"]
    assert me["display_name"] == "userpass-alice"
    assert me["path"] == "auth/userpass/login/ALICE"  # as sent, like Vault

    api.update_password_on_user("alice", "n3w")
    with pytest.raises(exceptions.InvalidRequest, match="invalid username or password"):
        as_token("").auth.userpass.login("alice", "s3cret")
    as_token("").auth.userpass.login("alice", "n3w")

    api.delete_user("alice")
    with pytest.raises(exceptions.InvalidPath):
        api.read_user("alice")
    with pytest.raises(exceptions.InvalidRequest, match="invalid username or password"):
        as_token("").auth.userpass.login("alice", "n3w")


def test_login_sets_the_clients_token(userpass: hvac.Client, as_token: AsToken) -> None:
    userpass.auth.userpass.create_or_update_user("bob", password="pw")
    client = as_token("")
    client.auth.userpass.login("bob", "pw")
    assert client.is_authenticated()


def test_userpass_on_another_mount_point(userpass: hvac.Client, as_token: AsToken) -> None:
    userpass.sys.enable_auth_method("userpass", path="people")
    userpass.auth.userpass.create_or_update_user("carol", password="pw", mount_point="people")
    auth = as_token("").auth.userpass.login("carol", "pw", mount_point="people")["auth"]
    me = as_token(auth["client_token"]).auth.token.lookup_self()["data"]
    assert me["display_name"] == "people-carol"


def test_bound_cidrs_refuse_logins_from_elsewhere(userpass: hvac.Client, as_token: AsToken) -> None:
    userpass.auth.userpass.create_or_update_user(
        "dave", password="pw", token_bound_cidrs=["10.0.0.0/8"]
    )
    with pytest.raises(exceptions.Forbidden):
        as_token("").auth.userpass.login("dave", "pw")


def test_the_password_is_needed_on_create(userpass: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest, match="must provide either password"):
        userpass.auth.userpass.create_or_update_user("erin", policies=["dev"])


def test_failed_logins_lock_a_user_until_an_operator_unlocks(
    userpass: hvac.Client, as_token: AsToken
) -> None:
    userpass.sys.tune_auth_method("userpass", user_lockout_config={"lockout_threshold": 3})
    userpass.auth.userpass.create_or_update_user("carol", password="right")
    anonymous = as_token("")
    for _ in range(3):
        with pytest.raises(exceptions.InvalidRequest):
            anonymous.auth.userpass.login("carol", "wrong")
    with pytest.raises(exceptions.Forbidden):
        anonymous.auth.userpass.login("carol", "right")
    accessor = userpass.sys.list_auth_methods()["data"]["userpass/"]["accessor"]
    locked = userpass.adapter.get("/v1/sys/locked-users")["data"]
    assert locked["total"] == 1
    assert locked["by_namespace"][0]["mount_accessors"][0]["alias_identifiers"] == ["carol"]
    userpass.adapter.post(f"/v1/sys/locked-users/{accessor}/unlock/carol")
    assert anonymous.auth.userpass.login("carol", "right")["auth"]["client_token"]


def test_renewal_follows_the_users_current_settings(
    userpass: hvac.Client, as_token: AsToken
) -> None:
    api = userpass.auth.userpass
    api.create_or_update_user("dave", password="pw", policies=["dev"], token_ttl="10m")
    token = as_token("").auth.userpass.login("dave", "pw")["auth"]["client_token"]
    api.create_or_update_user("dave", policies=["dev"], token_ttl="20m")
    renewed = as_token(token).auth.token.renew_self()["auth"]
    assert renewed["lease_duration"] == 1200
    api.create_or_update_user("dave", policies=["ops"])
    with pytest.raises(exceptions.InvalidRequest, match="policies have changed"):
        as_token(token).auth.token.renew_self()
