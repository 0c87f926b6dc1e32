"""The RSGI entry point: the same answers as ASGI, bodies read once, the size limit enforced."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest

from strongroom.http import VaultApp
from strongroom.http.app import HTTPLimits
from strongroom.testing.core import unsealed_core


class FakeHeaders:
    def __init__(self, headers: dict[str, str]) -> None:
        self._headers = headers

    def items(self) -> Any:
        return self._headers.items()

    def get(self, key: str, default: Any = None) -> Any:
        return self._headers.get(key, default)


@dataclass
class FakeScope:
    method: str
    path: str
    headers: FakeHeaders
    query_string: str = ""
    client: str = "127.0.0.1:40000"


@dataclass
class FakeProtocol:
    chunks: list[bytes] = field(default_factory=list)
    whole_reads: int = 0
    sent: tuple[int, list[tuple[str, str]], bytes] | None = None

    async def __call__(self) -> bytes:
        self.whole_reads += 1
        return b"".join(self.chunks)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.sent = (status, headers, body)


async def call(app: VaultApp, scope: FakeScope, protocol: FakeProtocol) -> tuple[int, Any]:
    await app.__rsgi__(scope, protocol)  # type: ignore[arg-type]
    assert protocol.sent is not None
    status, headers, body = protocol.sent
    assert all(isinstance(name, str) and isinstance(value, str) for name, value in headers)
    return status, orjson.loads(body) if body else None


@pytest.fixture
async def setup() -> Any:
    unsealed = await unsealed_core()
    app = VaultApp(unsealed.core, HTTPLimits(max_request_size=1024))
    yield app, unsealed.root_token
    await unsealed.core.close()


async def test_a_write_and_a_read_with_a_query(setup: Any) -> None:
    app, token = setup
    body = orjson.dumps({"type": "kv"})
    headers = {"x-vault-token": token, "content-length": str(len(body))}
    protocol = FakeProtocol([body])
    status, _ = await call(
        app, FakeScope("POST", "/v1/sys/mounts/kv", FakeHeaders(headers)), protocol
    )
    assert status == 204 and protocol.whole_reads == 1
    listing = FakeScope(
        "GET", "/v1/sys/mounts", FakeHeaders({"x-vault-token": token}), query_string="list=false"
    )
    status, document = await call(app, listing, FakeProtocol())
    assert status == 200 and "kv/" in document["data"]


async def test_an_announced_body_over_the_limit_is_refused_unread(setup: Any) -> None:
    app, token = setup
    headers = {"x-vault-token": token, "content-length": "5000"}
    protocol = FakeProtocol([b"x" * 5000])
    status, document = await call(
        app, FakeScope("POST", "/v1/sys/mounts/kv", FakeHeaders(headers)), protocol
    )
    assert document == {"errors": ["http: request body too large"]}
    assert status == 413 and protocol.whole_reads == 0
    assert protocol.sent is not None and ("connection", "close") in protocol.sent[1]


async def test_a_chunked_body_is_counted_as_it_arrives(setup: Any) -> None:
    app, token = setup
    too_big = FakeProtocol([b"{" + b" " * 600, b" " * 600 + b"}"])
    scope = FakeScope("POST", "/v1/sys/mounts/kv", FakeHeaders({"x-vault-token": token}))
    assert (await call(app, scope, too_big))[0] == 413
    fits = FakeProtocol([b'{"type":', b'"kv"}'])
    assert (await call(app, scope, fits))[0] == 204
