"""Response wrapping, cubbyhole and sys/tools through hvac, against a real server over TLS."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import hvac
import pytest
from hvac import exceptions

from strongroom.testing.server import RunningServer

AsToken = Callable[[str], hvac.Client]


def test_wrap_lookup_rewrap_unwrap(
    root_client: hvac.Client, server: RunningServer, as_token: AsToken
) -> None:
    wrapped = root_client.sys.wrap(payload={"secret": "hunter2"}, ttl="5m")["wrap_info"]
    assert wrapped["ttl"] == 300 and wrapped["creation_path"] == "sys/wrapping/wrap"
    lookup = server.client().post("/v1/sys/wrapping/lookup", json={"token": wrapped["token"]})
    assert lookup.json()["data"]["creation_ttl"] == 300
    rewrapped = root_client.adapter.post(
        "/v1/sys/wrapping/rewrap", json={"token": wrapped["token"]}
    )["wrap_info"]
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.unwrap(wrapped["token"])  # rewrap invalidated the old token
    unwrapped = as_token(rewrapped["token"]).sys.unwrap()
    assert unwrapped["data"] == {"secret": "hunter2"}
    with pytest.raises(exceptions.InvalidRequest):
        root_client.sys.unwrap(rewrapped["token"])  # single use


def test_wrap_ttl_header_on_any_request(root_client: hvac.Client, as_token: AsToken) -> None:
    root_client.sys.enable_secrets_engine("kv", path="kv")
    root_client.write("kv/app", password="s3cret")
    wrapped = root_client.read("kv/app", wrap_ttl="60s")
    assert wrapped["data"] is None and wrapped["wrap_info"]["creation_path"] == "kv/app"
    assert root_client.sys.unwrap(wrapped["wrap_info"]["token"])["data"] == {"password": "s3cret"}
    token = root_client.auth.token.create(policies=["default"], wrap_ttl="60s")
    wrapped_accessor = token["wrap_info"]["wrapped_accessor"]
    unwrapped = root_client.sys.unwrap(token["wrap_info"]["token"])
    assert unwrapped["auth"]["accessor"] == wrapped_accessor
    assert as_token(unwrapped["auth"]["client_token"]).auth.token.lookup_self()


def test_wrap_without_ttl_is_refused(root_client: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest):
        root_client.adapter.post("/v1/sys/wrapping/wrap", json={"a": "b"})


def test_cubbyhole_is_private_to_each_token(root_client: hvac.Client, as_token: AsToken) -> None:
    first = as_token(root_client.auth.token.create(policies=["default"])["auth"]["client_token"])
    second = as_token(root_client.auth.token.create(policies=["default"])["auth"]["client_token"])
    first.write("cubbyhole/note", text="mine")
    assert first.read("cubbyhole/note")["data"] == {"text": "mine"}
    assert first.list("cubbyhole/")["data"]["keys"] == ["note"]
    assert second.read("cubbyhole/note") is None
    first.delete("cubbyhole/note")
    assert first.read("cubbyhole/note") is None


def test_random_and_hash_tools(root_client: hvac.Client) -> None:
    adapter = root_client.adapter
    assert len(base64.b64decode(adapter.post("/v1/sys/tools/random")["data"]["random_bytes"])) == 32
    hex_bytes = adapter.post("/v1/sys/tools/random/16", json={"format": "hex"})["data"]
    assert len(bytes.fromhex(hex_bytes["random_bytes"])) == 16
    sourced = adapter.post("/v1/sys/tools/random/platform/8")["data"]["random_bytes"]
    assert len(base64.b64decode(sourced)) == 8
    with pytest.raises(exceptions.InvalidRequest):
        adapter.post("/v1/sys/tools/random", json={"bytes": 10**9})
    data = base64.b64encode(b"strongroom").decode()
    digest = adapter.post("/v1/sys/tools/hash", json={"input": data})["data"]["sum"]
    assert digest == hashlib.sha256(b"strongroom").hexdigest()
    sha3 = adapter.post("/v1/sys/tools/hash/sha3-512", json={"input": data, "format": "base64"})
    assert base64.b64decode(sha3["data"]["sum"]) == hashlib.sha3_512(b"strongroom").digest()
    with pytest.raises(exceptions.InvalidRequest):
        adapter.post("/v1/sys/tools/hash/md5", json={"input": data})
