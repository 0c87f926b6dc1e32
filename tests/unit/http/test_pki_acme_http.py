"""ACME through the HTTP layer and the core: HEAD, `application/jose+json` bodies, and the
response headers a backend sets, kept only when the mount's `allowed_response_headers` names
them (as Vault does)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import orjson
import pytest
from joserfc import jws
from joserfc.jwk import ECKey
from joserfc.registry import HeaderParameter

from strongroom.http import VaultApp
from strongroom.testing.core import UnsealedCore, unsealed_core

MOUNT_URL = "http://testserver/v1/pki"
ACME_HEADERS = ["Replay-Nonce", "Link", "Location"]


@dataclass
class Bench:
    client: httpx.AsyncClient
    token: str


@pytest.fixture
async def bench() -> AsyncIterator[Bench]:
    """A PKI mount with a root, the cluster path and ACME on; requests carry no token."""
    setup: UnsealedCore = await unsealed_core()
    transport = httpx.ASGITransport(app=VaultApp(setup.core))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        token = {"X-Vault-Token": setup.root_token}
        for path, body in (
            ("sys/mounts/pki", {"type": "pki"}),
            ("pki/root/generate/internal", {"common_name": "Root", "key_type": "ec"}),
            ("pki/config/cluster", {"path": MOUNT_URL}),
            ("pki/config/acme", {"enabled": True}),
        ):
            response = await client.post(f"/v1/{path}", json=body, headers=token)
            assert response.status_code in (200, 204)
        yield Bench(client, setup.root_token)


def signed_new_account(nonce: str, key: ECKey) -> bytes:
    registry = jws.JWSRegistry(
        header_registry={"nonce": HeaderParameter("", "str"), "url": HeaderParameter("", "str")}
    )
    header = {
        "alg": "ES256",
        "jwk": key.as_dict(private=False),
        "nonce": nonce,
        "url": f"{MOUNT_URL}/acme/new-account",
    }
    return orjson.dumps(jws.serialize_json({"protected": header}, b"{}", key, registry=registry))


async def tune(client: httpx.AsyncClient, token: str, headers: list[str]) -> None:
    response = await client.post(
        "/v1/sys/mounts/pki/tune",
        json={"allowed_response_headers": headers},
        headers={"X-Vault-Token": token},
    )
    assert response.status_code == 204


async def test_headers_are_filtered_until_the_mount_allows_them(bench: Bench) -> None:
    head = await bench.client.head("/v1/pki/acme/new-nonce")
    assert head.status_code == 200 and head.content == b""
    assert "replay-nonce" not in head.headers  # the mount was not tuned
    assert head.headers["cache-control"] == "no-store"


async def test_acme_over_http(bench: Bench) -> None:
    client = bench.client
    await tune(client, bench.token, ACME_HEADERS)
    head = await client.head("/v1/pki/acme/new-nonce")
    assert head.status_code == 200 and head.headers["replay-nonce"]
    assert head.headers["link"] == f'<{MOUNT_URL}/acme/directory>;rel="index"'
    get = await client.get("/v1/pki/acme/new-nonce")
    assert get.status_code == 204 and get.headers["replay-nonce"]

    key = ECKey.generate_key("P-256")
    jose = {"Content-Type": "application/jose+json"}
    body = signed_new_account(head.headers["replay-nonce"], key)
    created = await client.post("/v1/pki/acme/new-account", content=body, headers=jose)
    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == "application/json"
    assert created.headers["location"].startswith(f"{MOUNT_URL}/acme/account/")
    assert created.headers["cache-control"] == "no-store"

    replayed = await client.post("/v1/pki/acme/new-account", content=body, headers=jose)
    assert replayed.status_code == 400
    assert replayed.headers["content-type"] == "application/problem+json"
    assert replayed.json()["type"] == "urn:ietf:params:acme:error:badNonce"
    assert replayed.headers["replay-nonce"] != head.headers["replay-nonce"]


async def test_head_elsewhere(bench: Bench) -> None:
    # A path without a HEAD handler refuses it (405), as in Vault; where a token is needed,
    # HEAD needs `read` like GET.
    assert (await bench.client.head("/v1/pki/ca/pem")).status_code == 405
    assert (await bench.client.head("/v1/pki/roles/x")).status_code == 403


async def test_new_eab_needs_a_token(bench: Bench) -> None:
    # The ACME resources need no token; making an EAB key, listing and deleting them do.
    for path in ("pki/acme/new-eab", "pki/roles/x/acme/new-eab", "pki/issuer/default/acme/new-eab"):
        assert (await bench.client.post(f"/v1/{path}", json={})).status_code == 403, path
    assert (await bench.client.request("LIST", "/v1/pki/eab")).status_code == 403
    made = await bench.client.post(
        "/v1/pki/acme/new-eab", json={}, headers={"X-Vault-Token": bench.token}
    )
    assert made.status_code == 200 and made.json()["data"]["private_key"]
