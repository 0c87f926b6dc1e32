"""The token store through hvac's `auth.token` API, against a real server over TLS."""

from __future__ import annotations

from collections.abc import Callable

import hvac
import pytest
from hvac import exceptions

from strongroom.testing.server import RunningServer

AsToken = Callable[[str], hvac.Client]

CREATOR = 'path "auth/token/create*" { capabilities = ["create", "update"] }'


def creator_token(root: hvac.Client) -> str:
    """A non-root token that may create children (the default policy alone may not)."""
    root.sys.create_or_update_acl_policy("creator", CREATOR)
    return str(root.auth.token.create(policies=["creator"])["auth"]["client_token"])


def test_create_lookup_renew_revoke(root_client: hvac.Client, as_token: AsToken) -> None:
    created = root_client.auth.token.create(policies=["default"], ttl="1h", meta={"team": "a"})
    auth = created["auth"]
    assert auth["client_token"].startswith("hvs.")
    assert auth["policies"] == ["default"] and auth["lease_duration"] == 3600
    assert auth["renewable"] and not auth["orphan"]
    child = as_token(auth["client_token"])
    me = child.auth.token.lookup_self()["data"]
    assert me["meta"] == {"team": "a"} and me["policies"] == ["default"]
    assert me["id"] == auth["client_token"]
    assert me["path"] == "auth/token/create"
    looked_up = root_client.auth.token.lookup(auth["client_token"])["data"]
    assert looked_up["accessor"] == auth["accessor"]
    by_accessor = root_client.auth.token.lookup_accessor(auth["accessor"])["data"]
    assert by_accessor["id"] == ""
    renewed = child.auth.token.renew_self(increment="30m")["auth"]
    assert renewed["lease_duration"] == 1800
    root_client.auth.token.renew(auth["client_token"], increment=600)
    root_client.auth.token.renew_accessor(auth["accessor"], increment=600)
    assert auth["accessor"] in root_client.auth.token.list_accessors()["data"]["keys"]
    child.auth.token.revoke_self()
    with pytest.raises(exceptions.Forbidden):
        child.auth.token.lookup_self()


def test_accessor_is_not_a_token(root_client: hvac.Client, as_token: AsToken) -> None:
    auth = root_client.auth.token.create(policies=["default"])["auth"]
    with pytest.raises(exceptions.Forbidden):
        as_token(auth["accessor"]).auth.token.lookup_self()
    root_client.auth.token.revoke_accessor(auth["accessor"])
    with pytest.raises(exceptions.Forbidden):
        as_token(auth["client_token"]).auth.token.lookup_self()


def test_num_uses_one_works_exactly_once(root_client: hvac.Client, as_token: AsToken) -> None:
    token = root_client.auth.token.create(policies=["default"], num_uses=1)["auth"]["client_token"]
    client = as_token(token)
    assert client.auth.token.lookup_self()["data"]["num_uses"] == 0
    with pytest.raises(exceptions.Forbidden):
        client.auth.token.lookup_self()


def test_revoking_a_parent_revokes_the_tree(root_client: hvac.Client, as_token: AsToken) -> None:
    parent = creator_token(root_client)
    child = as_token(parent).auth.token.create(policies=["creator"])["auth"]
    grandchild = as_token(child["client_token"]).auth.token.create(policies=["default"])
    orphan = root_client.auth.token.create_orphan(policies=["default"])["auth"]
    assert orphan["orphan"]
    root_client.auth.token.revoke(parent)
    for token in (parent, child["client_token"], grandchild["auth"]["client_token"]):
        with pytest.raises(exceptions.Forbidden):
            as_token(token).auth.token.lookup_self()
    assert as_token(orphan["client_token"]).auth.token.lookup_self()


def test_revoke_orphan_keeps_children(root_client: hvac.Client, as_token: AsToken) -> None:
    parent = creator_token(root_client)
    child = as_token(parent).auth.token.create(policies=["default"])["auth"]["client_token"]
    root_client.auth.token.revoke_and_orphan_children(parent)
    assert as_token(child).auth.token.lookup_self()["data"]["orphan"]


def test_policies_must_be_a_subset(root_client: hvac.Client, as_token: AsToken) -> None:
    client = as_token(creator_token(root_client))
    assert client.auth.token.create(policies=["creator"])["auth"]["policies"] == [
        "creator",
        "default",
    ]
    with pytest.raises(exceptions.InvalidRequest):
        client.auth.token.create(policies=["root"])
    with pytest.raises(exceptions.InvalidRequest):
        client.auth.token.create(policies=["creator", "other"])


def test_roles_and_tidy(root_client: hvac.Client, server: RunningServer) -> None:
    root_client.sys.create_or_update_acl_policy("app", 'path "x" { capabilities = ["read"] }')
    root_client.auth.token.create_or_update_role("app-role", allowed_policies=["app"], orphan=True)
    assert "app-role" in root_client.auth.token.list_roles()["data"]["keys"]
    assert root_client.auth.token.read_role("app-role")["data"]["orphan"] is True
    created = root_client.auth.token.create(policies=["app"], role_name="app-role")["auth"]
    assert created["orphan"] and "app" in created["policies"]
    with pytest.raises(exceptions.InvalidRequest):
        root_client.auth.token.create(policies=["other"], role_name="app-role")
    root_client.auth.token.delete_role("app-role")
    root_client.auth.token.tidy()


def test_batch_tokens(root_client: hvac.Client, as_token: AsToken) -> None:
    batch = root_client.auth.token.create(policies=["default"], type="batch", ttl="10m")["auth"]
    assert batch["client_token"].startswith("hvb.") and batch["token_type"] == "batch"
    data = as_token(batch["client_token"]).auth.token.lookup_self()["data"]
    assert data["type"] == "batch"
    with pytest.raises(exceptions.InvalidRequest):
        root_client.auth.token.renew(batch["client_token"])


def test_bad_and_expired_tokens_are_403_everywhere(
    root_client: hvac.Client, as_token: AsToken
) -> None:
    bad = as_token("hvs.AAAAAAAAAAAAAAAAAAAAAAAA")
    for call in (
        bad.auth.token.lookup_self,
        bad.sys.list_mounted_secrets_engines,
        lambda: bad.read("secret/anything"),
        lambda: bad.read("not-mounted/at/all"),
    ):
        with pytest.raises(exceptions.Forbidden):
            call()


def test_tuning_the_token_mount_sets_token_ttls(root_client: hvac.Client) -> None:
    root_client.sys.tune_auth_method("token", default_lease_ttl="2h", max_lease_ttl="4h")
    assert root_client.auth.token.create(policies=["default"])["auth"]["lease_duration"] == 7200
    capped = root_client.auth.token.create(policies=["default"], ttl="10h")["auth"]
    assert capped["lease_duration"] == 4 * 3600


def test_reserved_policy_names_cannot_be_written(root_client: hvac.Client) -> None:
    for name in ("response-wrapping", "control-group"):
        with pytest.raises(exceptions.InvalidRequest):
            root_client.sys.create_or_update_acl_policy(
                name, 'path "x" { capabilities = ["read"] }'
            )
