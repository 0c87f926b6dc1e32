"""The sealed-state endpoints over HTTP: init, seal-status, unseal, health, leader."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import pytest

from strongroom.core import Core
from strongroom.http import VaultApp
from strongroom.physical.inmem import InmemBackend


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=VaultApp(Core(InmemBackend())))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def init(
    client: httpx.AsyncClient, shares: int = 3, threshold: int = 2
) -> dict[str, list[str] | str]:
    response = await client.put(
        "/v1/sys/init", json={"secret_shares": shares, "secret_threshold": threshold}
    )
    assert response.status_code == 200
    body: dict[str, list[str] | str] = response.json()
    return body


async def test_uninitialised_state(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/sys/init")).json() == {"initialized": False}
    status = (await client.get("/v1/sys/seal-status")).json()
    assert status["initialized"] is False and status["sealed"] is True
    assert (status["t"], status["n"], status["type"]) == (0, 0, "shamir")
    assert status["version"].startswith("1.")
    assert (await client.get("/v1/sys/health")).status_code == 501
    response = await client.put("/v1/sys/unseal", json={"key": "00"})
    assert response.status_code == 400


async def test_init_then_unseal_with_hex_and_base64(client: httpx.AsyncClient) -> None:
    body = await init(client)
    assert len(body["keys"]) == len(body["keys_base64"]) == 3
    assert (await client.get("/v1/sys/init")).json() == {"initialized": True}
    assert (await client.get("/v1/sys/health")).status_code == 503
    status = (await client.put("/v1/sys/unseal", json={"key": body["keys"][0]})).json()
    assert status["sealed"] and status["progress"] == 1 and status["nonce"]
    status = (await client.post("/v1/sys/unseal", json={"key": body["keys_base64"][1]})).json()
    assert not status["sealed"] and status["progress"] == 0
    assert status["cluster_name"] and status["cluster_id"]
    # Unseal on an unsealed server answers the status.
    again = await client.put("/v1/sys/unseal", json={"key": body["keys"][2]})
    assert again.status_code == 200 and not again.json()["sealed"]
    assert (await client.put("/v1/sys/unseal", json={"reset": True})).status_code == 400
    response = await client.put("/v1/sys/init", json={"secret_shares": 1, "secret_threshold": 1})
    assert response.status_code == 400


async def test_wrong_key_resets_progress(client: httpx.AsyncClient) -> None:
    body = await init(client)
    await client.put("/v1/sys/unseal", json={"key": body["keys"][0]})
    wrong = base64.b64encode(bytes(33)).decode()
    response = await client.put("/v1/sys/unseal", json={"key": wrong})
    assert response.status_code == 400
    status = (await client.get("/v1/sys/seal-status")).json()
    assert status["progress"] == 0 and status["sealed"]


async def test_bad_encoding_reset_and_missing_key(client: httpx.AsyncClient) -> None:
    body = await init(client)
    assert (await client.put("/v1/sys/unseal", json={"key": "not-a-key!"})).status_code == 400
    assert (await client.put("/v1/sys/unseal", json={})).status_code == 400
    assert (await client.put("/v1/sys/unseal", json={"migrate": True})).status_code == 400
    await client.put("/v1/sys/unseal", json={"key": body["keys"][0]})
    status = (await client.put("/v1/sys/unseal", json={"reset": True})).json()
    assert status["progress"] == 0


async def test_init_rejects_unsupported_and_invalid_input(client: httpx.AsyncClient) -> None:
    for payload in (
        {"secret_shares": 3, "secret_threshold": 2, "pgp_keys": ["abc"]},
        {"secret_shares": 3, "secret_threshold": 2, "recovery_shares": 1},
        {"secret_shares": 3, "secret_threshold": 4},
        {"secret_shares": "three", "secret_threshold": 2},
        {"secret_threshold": 2},
    ):
        response = await client.put("/v1/sys/init", json=payload)
        assert response.status_code == 400, payload
        assert response.json()["errors"]


@pytest.mark.parametrize(
    ("query", "state", "expected"),
    [
        ("", "uninitialized", 501),
        ("uninitcode=200", "uninitialized", 200),
        ("", "sealed", 503),
        ("sealedcode=299", "sealed", 299),
        ("", "active", 200),
        ("activecode=204", "active", 204),
        ("standbyok=true&standbycode=200", "active", 200),
    ],
)
async def test_health_codes(
    client: httpx.AsyncClient, query: str, state: str, expected: int
) -> None:
    if state != "uninitialized":
        body = await init(client, 1, 1)
        if state == "active":
            await client.put("/v1/sys/unseal", json={"key": body["keys"][0]})
    response = await client.get(f"/v1/sys/health?{query}")
    assert response.status_code == expected
    if expected != 204:
        health = response.json()
        assert health["initialized"] == (state != "uninitialized")
        assert health["sealed"] == (state != "active")
        assert health["standby"] is False
        assert isinstance(health["server_time_utc"], int)


async def test_health_head_and_bad_codes(client: httpx.AsyncClient) -> None:
    response = await client.head("/v1/sys/health")
    assert response.status_code == 501 and response.content == b""
    assert (await client.get("/v1/sys/health?uninitcode=abc")).status_code == 400
    assert (await client.get("/v1/sys/health?uninitcode=999")).status_code == 400


async def test_leader_works_while_sealed(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/sys/leader")
    assert response.status_code == 200
    assert response.json()["ha_enabled"] is False
