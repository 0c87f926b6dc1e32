"""The ASGI app in-process: wire format, limits, methods and error rendering."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from strongroom.core import Core
from strongroom.http import HTTPLimits, VaultApp
from strongroom.http.body import JSONLimits
from strongroom.testing.core import UnsealedCore, unsealed_core


@pytest.fixture
async def setup() -> UnsealedCore:
    return await unsealed_core(shares=3, threshold=2)


def client_for(core: Core, limits: HTTPLimits | None = None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=VaultApp(core, limits))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client(setup: UnsealedCore) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(setup.core) as client:
        client.headers["X-Vault-Token"] = setup.root_token
        yield client


async def test_envelope_and_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/sys/key-status")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    for key in (
        "request_id",
        "lease_id",
        "renewable",
        "lease_duration",
        "data",
        "wrap_info",
        "warnings",
        "auth",
    ):
        assert key in body
    assert body["data"]["term"] == body["term"] == 1


async def test_no_content_and_bearer_token(setup: UnsealedCore) -> None:
    async with client_for(setup.core) as client:
        response = await client.put(
            "/v1/sys/rotate", headers={"Authorization": f"Bearer {setup.root_token}"}
        )
        assert response.status_code == 204
        assert response.content == b""
        assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("token", ["", "hvs.wrongwrongwrongwrongwron"])
async def test_missing_or_bad_token_is_403_even_on_unknown_paths(
    setup: UnsealedCore, token: str
) -> None:
    async with client_for(setup.core) as client:
        for path in ("/v1/sys/key-status", "/v1/nowhere/at/all", "/v1/sys/rotate"):
            response = await client.get(path, headers={"X-Vault-Token": token})
            assert response.status_code == 403
            assert response.json() == {"errors": ["permission denied"]}


async def test_unknown_path_with_a_good_token_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nowhere")
    assert response.status_code == 404
    assert response.json()["errors"]


async def test_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/sys/unseal")).status_code == 405
    assert (await client.delete("/v1/sys/key-status")).status_code == 405
    assert (await client.request("BREW", "/v1/sys/key-status")).status_code == 405
    assert (await client.post("/v1/sys/seal-status")).status_code == 405


async def test_list_method_and_list_query(client: httpx.AsyncClient) -> None:
    # sys has no list paths yet: both forms reach routing as a LIST of "sys/rotate/", which
    # no path pattern serves.
    for response in (
        await client.request("LIST", "/v1/sys/rotate"),
        await client.get("/v1/sys/rotate", params={"list": "true"}),
    ):
        assert response.status_code == 404
        assert "rotate/" in response.json()["errors"][0]
    response = await client.get("/v1/sys/key-status", params={"list": "maybe"})
    assert response.status_code == 400


async def test_outside_v1_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/ui/")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


async def raw_request(
    app: VaultApp,
    method: str,
    path: str,
    body: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> tuple[int, bytes]:
    """Drive the ASGI app directly, so the path reaches it exactly as sent."""
    sent: list[dict[str, Any]] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": headers or [],
        "client": ("127.0.0.1", 5000),
    }
    await app(scope, receive, send)
    return sent[0]["status"], sent[1]["body"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/v1/sys/../sys/key-status", b"relative paths not supported"),
        ("/v1/sys/./key-status", b"relative paths not supported"),
        ("/v1/sys/key\x00status", b"non-printable"),
        ("/v1/sys/key\nstatus", b"non-printable"),
    ],
)
async def test_odd_paths_are_400(setup: UnsealedCore, path: str, message: bytes) -> None:
    status, body = await raw_request(VaultApp(setup.core), "GET", path)
    assert status == 400
    assert message in body


async def test_double_slashes_are_collapsed(setup: UnsealedCore) -> None:
    headers = [(b"x-vault-token", setup.root_token.encode())]
    status, _ = await raw_request(
        VaultApp(setup.core), "GET", "/v1/sys//key-status", headers=headers
    )
    assert status == 200


async def test_body_limits(setup: UnsealedCore) -> None:
    limits = HTTPLimits(max_request_size=1024, json=JSONLimits(max_depth=5, max_array_elements=3))
    async with client_for(setup.core, limits) as client:
        client.headers["X-Vault-Token"] = setup.root_token
        big = await client.put("/v1/sys/rotate/config", content=b"{" + b" " * 2000 + b"}")
        assert big.status_code == 413
        deep = await client.put("/v1/sys/rotate/config", content=b'{"a":' * 6 + b"1" + b"}" * 6)
        assert deep.status_code == 400
        wide = await client.put("/v1/sys/rotate/config", json={"a": [1, 2, 3, 4]})
        assert wide.status_code == 400
        native = await client.put("/v1/sys/unseal", content=b"{" + b" " * 2000 + b"}")
        assert native.status_code == 413


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'"text"', b'{"max_operations": "many"}']
)
async def test_malformed_bodies_are_400(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.put("/v1/sys/rotate/config", content=body)
    assert response.status_code == 400
    assert response.json()["errors"]
    assert b"many" not in response.content  # the error names the field, never the value


async def test_null_and_form_bodies(client: httpx.AsyncClient) -> None:
    assert (await client.put("/v1/sys/rotate/config", content=b"null")).status_code == 204
    response = await client.put(
        "/v1/sys/rotate/config",
        content=b"max_operations=2000000",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 204
    config = (await client.get("/v1/sys/rotate/config")).json()["data"]
    assert config["max_operations"] == 2_000_000


async def test_patch_needs_merge_patch_content_type(client: httpx.AsyncClient) -> None:
    response = await client.patch("/v1/sys/rotate/config", json={})
    assert response.status_code == 415
    response = await client.patch(
        "/v1/sys/rotate/config",
        content=b"{}",
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 405


async def test_sealed_server_answers_503(setup: UnsealedCore, client: httpx.AsyncClient) -> None:
    assert (await client.put("/v1/sys/seal")).status_code == 204
    response = await client.get("/v1/sys/key-status")
    assert response.status_code == 503
    assert response.json() == {"errors": ["Vault is sealed"]}
    assert (await client.get("/v1/secret/anything")).status_code == 503


async def test_unknown_errors_become_a_generic_500(setup: UnsealedCore) -> None:
    class Exploding(VaultApp):
        async def _dispatch(self, scope: Any, receive: Any) -> tuple[int, Any]:
            raise RuntimeError("secret value hunter2")

    status, body = await raw_request(Exploding(setup.core), "GET", "/v1/sys/key-status")
    assert status == 500
    assert body == b'{"errors":["internal error"]}'


async def test_lifespan_is_acknowledged(setup: UnsealedCore) -> None:
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await VaultApp(setup.core)({"type": "lifespan"}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
