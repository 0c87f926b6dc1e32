"""Leases end to end: a leasing engine behind the real pipeline, HTTP, TLS and hvac.

The server runs in-process (real granian, real TLS) so the test can mount a leasing engine and
drive expiry with a fake clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import hvac
import pytest
from hvac import exceptions

from strongroom.testing.clock import FakeClock
from strongroom.testing.engines import leasing_engine, noop_auth_method
from strongroom.testing.inprocess import InProcessServer, in_process_server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def node(tls: dict[str, str], clock: FakeClock) -> Iterator[InProcessServer]:
    with in_process_server(tls, engines={"leasing": leasing_engine}, clock=clock) as running:
        yield running


@pytest.fixture
def as_token(node: InProcessServer, tls: dict[str, str]) -> Callable[[str], hvac.Client]:
    return lambda token: hvac.Client(url=node.address, verify=tls["ca"], token=token)


@pytest.fixture
def root(as_token: Callable[[str], hvac.Client]) -> hvac.Client:
    client = as_token("")
    result = client.sys.initialize(1, 1)
    client.sys.submit_unseal_keys(result["keys"])
    client.token = result["root_token"]
    client.sys.enable_secrets_engine("leasing", path="db")
    return client


def issue(client: hvac.Client, ttl: str = "1h") -> dict[str, Any]:
    response: dict[str, Any] = client.adapter.get("/v1/db/creds/app", params={"ttl": ttl})
    assert response["lease_id"].startswith("db/creds/app/")
    return response


def revoked(client: hvac.Client, credential: str) -> bool:
    return bool(client.read(f"db/revoked/{credential}")["data"]["revoked"])


def test_lookup_renew_revoke(root: hvac.Client) -> None:
    secret = issue(root)
    lease_id = secret["lease_id"]
    assert secret["lease_duration"] == 3600 and secret["renewable"]
    lease = root.sys.read_lease(lease_id)["data"]
    assert lease["id"] == lease_id and lease["ttl"] == 3600
    renewed = root.sys.renew_lease(lease_id, increment=600)
    assert renewed["lease_id"] == lease_id and renewed["lease_duration"] == 600
    assert root.sys.list_leases("db/creds/app/")["data"]["keys"]
    root.sys.revoke_lease(lease_id)
    assert revoked(root, secret["data"]["credential"])
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.read_lease(lease_id)


def test_revoke_prefix_and_force(root: hvac.Client) -> None:
    first, second = issue(root), issue(root)
    root.sys.revoke_prefix("db/creds/")
    assert revoked(root, first["data"]["credential"])
    assert revoked(root, second["data"]["credential"])
    third = issue(root)
    root.sys.revoke_force("db/creds/app")
    assert revoked(root, third["data"]["credential"])


def test_mount_ttl_caps_the_lease(root: hvac.Client) -> None:
    root.sys.tune_mount_configuration("db", max_lease_ttl="30m")
    assert issue(root, ttl="10h")["lease_duration"] == 1800


def test_revoking_a_parent_revokes_its_childrens_leases(
    root: hvac.Client, as_token: Callable[[str], hvac.Client]
) -> None:
    root.sys.create_or_update_acl_policy(
        "app",
        'path "db/creds/*" { capabilities = ["read"] }\n'
        'path "auth/token/create" { capabilities = ["update"] }',
    )
    parent = root.auth.token.create(policies=["app"])["auth"]["client_token"]
    as_parent = as_token(parent)
    child = as_parent.auth.token.create(policies=["app"])["auth"]["client_token"]
    as_child = as_token(child)
    secrets = [issue(as_parent), issue(as_child)]
    root.auth.token.revoke(parent)
    for secret in secrets:
        assert revoked(root, secret["data"]["credential"])


def test_leases_expire_on_schedule(
    root: hvac.Client, node: InProcessServer, clock: FakeClock
) -> None:
    short, long = issue(root, ttl="10m"), issue(root, ttl="2h")
    clock.advance(9 * 60)
    node.run(node.core.leases.expire_due)
    assert not revoked(root, short["data"]["credential"])
    clock.advance(61)
    node.run(node.core.leases.expire_due)
    assert revoked(root, short["data"]["credential"])
    assert not revoked(root, long["data"]["credential"])


def test_token_leases_expire_the_token(
    root: hvac.Client,
    node: InProcessServer,
    clock: FakeClock,
    as_token: Callable[[str], hvac.Client],
) -> None:
    auth = root.auth.token.create(policies=["default"], ttl="5m")["auth"]
    client = as_token(auth["client_token"])
    assert client.auth.token.lookup_self()
    clock.advance(301)
    # The expiry loop revokes the token itself (not just a lazy check on its next use).
    assert node.run(node.core.leases.expire_due) == 1
    assert auth["accessor"] not in root.auth.token.list_accessors()["data"]["keys"]
    with pytest.raises(exceptions.Forbidden):
        client.auth.token.lookup_self()


def test_renewed_tokens_outlive_their_first_expiry(
    root: hvac.Client,
    node: InProcessServer,
    clock: FakeClock,
    as_token: Callable[[str], hvac.Client],
) -> None:
    client = as_token(
        root.auth.token.create(policies=["default"], ttl="10m")["auth"]["client_token"]
    )
    clock.advance(8 * 60)
    client.auth.token.renew_self(increment="10m")
    clock.advance(5 * 60)  # past the first expiry, within the renewed one
    node.run(node.core.leases.expire_due)
    assert client.auth.token.lookup_self()["data"]["ttl"] > 0


def test_auth_methods_enable_tune_disable(tls: dict[str, str]) -> None:
    with in_process_server(tls, auth_methods={"noop": noop_auth_method}) as node:
        client = hvac.Client(url=node.address, verify=tls["ca"])
        result = client.sys.initialize(1, 1)
        client.sys.submit_unseal_keys(result["keys"])
        client.token = result["root_token"]
        client.sys.enable_auth_method("noop", path="ext", description="external")
        methods = client.sys.list_auth_methods()["data"]
        assert methods["ext/"]["type"] == "noop"
        assert methods["ext/"]["description"] == "external"
        assert methods["ext/"]["accessor"].startswith("auth_noop_")
        client.write("auth/ext/config", value="kept")
        assert client.read("auth/ext/config")["data"]["stored"] == "kept"
        client.sys.tune_auth_method("ext", default_lease_ttl="1h", token_type="batch")
        tuning = client.sys.read_auth_method_tuning("ext")["data"]
        assert (tuning["default_lease_ttl"], tuning["token_type"]) == (3600, "batch")
        with pytest.raises(exceptions.InvalidRequest):
            client.sys.enable_auth_method("noop", path="ext")
        client.sys.disable_auth_method("ext")
        assert "ext/" not in client.sys.list_auth_methods()["data"]
        with pytest.raises(exceptions.Forbidden):
            hvac.Client(url=node.address, verify=tls["ca"]).read("auth/ext/config")
