"""Policies, capabilities and mounts through hvac, against a real server over TLS."""

from __future__ import annotations

from collections.abc import Callable

import hvac
import pytest
from hvac import exceptions

from strongroom.testing.server import RunningServer

AsToken = Callable[[str], hvac.Client]

READER = """
path "kv/data/*" { capabilities = ["read", "list"] }
path "kv/data/secret" { capabilities = ["deny"] }
path "kv/+/shared" { capabilities = ["read"] }
"""


def test_acl_policy_crud(root_client: hvac.Client) -> None:
    root_client.sys.create_or_update_acl_policy("reader", READER)
    assert "reader" in root_client.sys.list_acl_policies()["data"]["keys"]
    policy = root_client.sys.read_acl_policy("reader")["data"]
    assert policy["name"] == "reader" and "kv/data/*" in policy["policy"]
    legacy = root_client.sys.read_policy("reader")
    assert legacy["rules"] == policy["policy"]
    assert "root" in root_client.sys.list_policies()["policies"]
    root_client.sys.create_or_update_policy("legacy", 'path "a" { policy = "read" }')
    root_client.sys.delete_acl_policy("reader")
    root_client.sys.delete_policy("legacy")
    root_client.sys.delete_acl_policy("never-existed")
    with pytest.raises(exceptions.InvalidPath):
        root_client.sys.read_acl_policy("reader")


def test_policy_errors(root_client: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.create_or_update_acl_policy("bad", "path {{ nonsense")
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.create_or_update_acl_policy("root", 'path "x" { capabilities = ["read"] }')
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.delete_acl_policy("default")


def test_capabilities(root_client: hvac.Client, as_token: AsToken) -> None:
    root_client.sys.create_or_update_acl_policy("reader", READER)
    auth = root_client.auth.token.create(policies=["reader"])["auth"]
    token = auth["client_token"]
    caps = root_client.sys.get_capabilities(["kv/data/a", "kv/data/secret", "kv/x/shared"], token)
    assert caps["kv/data/a"] == ["list", "read"]
    assert caps["kv/data/secret"] == ["deny"]
    assert caps["kv/x/shared"] == ["read"]
    by_accessor = root_client.sys.get_capabilities(["kv/data/a"], accessor=auth["accessor"])
    assert by_accessor["capabilities"] == ["list", "read"]
    own = as_token(token).sys.get_capabilities(["kv/data/a", "sys/mounts"])
    assert own["sys/mounts"] == ["deny"]
    assert root_client.sys.get_capabilities(["anything"])["capabilities"] == ["root"]
    resultant = as_token(token).adapter.get("/v1/sys/internal/ui/resultant-acl")
    assert "kv/data/secret" in resultant["data"]["exact_paths"]


def test_policies_are_enforced_with_odd_paths(
    root_client: hvac.Client, server: RunningServer, as_token: AsToken
) -> None:
    root_client.sys.enable_secrets_engine("kv", path="kv")
    for path in ("data/a", "data/secret", "data/Secret", "private/x"):
        root_client.write(f"kv/{path}", value=path)
    root_client.sys.create_or_update_acl_policy("reader", READER)
    reader = as_token(root_client.auth.token.create(policies=["reader"])["auth"]["client_token"])
    assert reader.read("kv/data/a")["data"]["value"] == "data/a"
    assert reader.list("kv/data/")["data"]["keys"]
    for path in ("kv/data/secret", "kv/private/x", "kv/data/a/../secret"):
        with pytest.raises((exceptions.Forbidden, exceptions.InvalidRequest)):
            reader.read(path)
    with pytest.raises(exceptions.Forbidden):
        reader.write("kv/data/a", value="overwrite")
    with pytest.raises(exceptions.Forbidden):
        reader.list("kv/private/")
    # The path string is matched literally: other case or an encoded slash is another path.
    with pytest.raises(exceptions.Forbidden):
        reader.read("kv/Data/a")
    http = server.client()
    headers = {"X-Vault-Token": reader.token}
    assert http.get("/v1/kv/data%2Fsecret", headers=headers).status_code in (403, 404)
    assert http.get("/v1/kv//data/secret", headers=headers).status_code == 403
    # A trailing slash names another key ("secret/"), which KV refuses to read: nothing leaks.
    assert http.get("/v1/kv/data/secret/", headers=headers).status_code in (400, 403, 404)
    # httpx resolves "./" before sending (the raw form is a unit test): refused either way.
    assert http.get("/v1/kv/data/./secret", headers=headers).status_code in (400, 403)


def test_secrets_engines(root_client: hvac.Client) -> None:
    root_client.sys.enable_secrets_engine(
        "kv", path="team", description="team secrets", config={"default_lease_ttl": "1h"}
    )
    mounts = root_client.sys.list_mounted_secrets_engines()["data"]
    assert {"sys/", "cubbyhole/", "identity/", "team/"} <= set(mounts)
    assert mounts["team/"]["description"] == "team secrets"
    assert mounts["team/"]["config"]["default_lease_ttl"] == 3600
    assert root_client.sys.read_mount_configuration("team")["data"]["default_lease_ttl"] == 3600
    root_client.sys.tune_mount_configuration("team", max_lease_ttl="2h", description="tuned")
    tuned = root_client.sys.read_mount_configuration("team")["data"]
    assert tuned["max_lease_ttl"] == 7200 and tuned["description"] == "tuned"
    root_client.write("team/app", password="s3cret")
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.enable_secrets_engine("kv", path="team")
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.enable_secrets_engine("no-such-engine", path="x")
    for reserved in ("sys/x", "cubbyhole", "auth/x"):
        with pytest.raises(exceptions.InvalidRequest):
            root_client.sys.enable_secrets_engine("kv", path=reserved)
    root_client.sys.move_backend("team", "moved")
    assert root_client.read("moved/app")["data"]["password"] == "s3cret"
    root_client.sys.disable_secrets_engine("moved")
    root_client.sys.disable_secrets_engine("moved")  # already gone: fine
    assert "moved/" not in root_client.sys.list_mounted_secrets_engines()["data"]
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.disable_secrets_engine("cubbyhole")
    root_client.sys.enable_secrets_engine("kv", path="moved")
    assert root_client.read("moved/app") is None  # disabling deleted the data (hvac: 404 → None)


def test_auth_methods_table(root_client: hvac.Client) -> None:
    methods = root_client.sys.list_auth_methods()["data"]
    assert methods["token/"]["type"] == "token"
    tune = root_client.sys.read_auth_method_tuning("token")["data"]
    assert tune["default_lease_ttl"] == 768 * 3600
    root_client.sys.tune_auth_method("token", default_lease_ttl="12h")
    assert root_client.sys.read_auth_method_tuning("token")["data"]["default_lease_ttl"] == 43200
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.enable_auth_method("no-such-method", path="x")
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.disable_auth_method("token")


def test_internal_ui_mounts(root_client: hvac.Client, server: RunningServer) -> None:
    root_client.sys.enable_secrets_engine("kv", path="apps", options={"version": "1"})
    mount = root_client.adapter.get("/v1/sys/internal/ui/mounts/apps/deep/path")["data"]
    assert mount["path"] == "apps/" and mount["type"] == "kv"
    assert mount["options"] == {"version": "1"}
    listing = root_client.adapter.get("/v1/sys/internal/ui/mounts")["data"]
    assert "apps/" in listing["secret"] and "token/" in listing["auth"]
    anonymous = server.client()
    assert anonymous.get("/v1/sys/internal/ui/mounts/apps/x").status_code == 403
    assert anonymous.get("/v1/sys/internal/ui/mounts").json()["data"]["secret"] == {}
    no_access = root_client.auth.token.create(policies=["default"])["auth"]["client_token"]
    response = anonymous.get(
        "/v1/sys/internal/ui/mounts/apps/x", headers={"X-Vault-Token": no_access}
    )
    assert response.status_code == 403


def test_tune_leaves_empty_values_alone_and_accepts_system(root_client: hvac.Client) -> None:
    root_client.sys.enable_secrets_engine("kv", path="t", config={"default_lease_ttl": "1h"})
    # What the bao CLI sends for `secrets tune -max-lease-ttl=10h t`.
    root_client.adapter.post(
        "/v1/sys/mounts/t/tune",
        json={"options": None, "default_lease_ttl": "", "max_lease_ttl": "10h0m0s"},
    )
    tuned = root_client.sys.read_mount_configuration("t")["data"]
    assert (tuned["default_lease_ttl"], tuned["max_lease_ttl"]) == (3600, 36000)
    root_client.sys.tune_mount_configuration("t", default_lease_ttl="system")
    assert root_client.sys.read_mount_configuration("t")["data"]["default_lease_ttl"] == 36000
    root_client.sys.tune_mount_configuration("t", options={"version": "1", "extra": "x"})
    assert root_client.sys.read_mount_configuration("t")["data"]["options"]["extra"] == "x"


def test_anonymous_callers_cannot_probe_mounts(
    root_client: hvac.Client, server: RunningServer
) -> None:
    root_client.sys.enable_secrets_engine("kv", path="hidden")
    anonymous = server.client()
    for path in ("/v1/hidden/", "/v1/hidden/x", "/v1/cubbyhole/", "/v1/not-mounted/x"):
        assert anonymous.post(path, json={"a": "b"}).status_code == 403, path


def test_capabilities_normalise_the_path(root_client: hvac.Client) -> None:
    root_client.sys.create_or_update_acl_policy("r", 'path "kv/a" { capabilities = ["read"] }')
    token = root_client.auth.token.create(policies=["r"])["auth"]["client_token"]
    caps = root_client.sys.get_capabilities(["/kv//a"], token)
    assert caps["capabilities"] == ["read"]
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.get_capabilities(["kv/x/../a"], token)
