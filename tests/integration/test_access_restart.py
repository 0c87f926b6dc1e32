"""Access-control state lives in storage: after a restart and unseal, it is all still there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hvac
import pytest
from hvac import exceptions


def connect(server: Any, token: str = "") -> hvac.Client:
    return hvac.Client(url=server.address, verify=server.ca_file, token=token)


def test_mounts_policies_tokens_and_data_survive_a_restart(
    server_factory: Any, tmp_path: Path
) -> None:
    storage = {"sqlite": {"path": str(tmp_path / "db")}}
    with server_factory(storage) as server:
        root = connect(server)
        init = root.sys.initialize(1, 1)
        root.sys.submit_unseal_keys(init["keys"])
        root.token = init["root_token"]
        root.sys.enable_secrets_engine("kv", path="team", description="kept")
        root.write("team/app", password="s3cret")
        root.sys.create_or_update_acl_policy("reader", 'path "team/*" { capabilities = ["read"] }')
        reader = root.auth.token.create(policies=["reader"], ttl="1h")["auth"]["client_token"]
        revoked = root.auth.token.create(policies=["reader"])["auth"]["client_token"]
        root.auth.token.revoke(revoked)
        connect(server, reader).write("cubbyhole/note", text="private")
    with server_factory(storage) as server:
        root = connect(server)
        root.sys.submit_unseal_keys(init["keys"])
        root.token = init["root_token"]
        assert root.sys.list_mounted_secrets_engines()["data"]["team/"]["description"] == "kept"
        assert "reader" in root.sys.list_acl_policies()["data"]["keys"]
        client = connect(server, reader)
        assert client.read("team/app")["data"] == {"password": "s3cret"}
        assert client.read("cubbyhole/note")["data"] == {"text": "private"}
        assert 0 < client.auth.token.lookup_self()["data"]["ttl"] <= 3600
        with pytest.raises(exceptions.Forbidden):
            client.write("team/app", password="changed")
        with pytest.raises(exceptions.Forbidden):
            connect(server, revoked).auth.token.lookup_self()
        token_leases = root.sys.list_leases("auth/token/create/")["data"]["keys"]
        assert len(token_leases) == 1
