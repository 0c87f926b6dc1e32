"""The application: a catch-all under /v1/ plus the sealed-state endpoints, served over RSGI
(the listeners) and ASGI (tests and any ASGI server)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from strongroom.core import Core
from strongroom.errors import RequestTooLarge
from strongroom.http.body import JSONLimits, Receive
from strongroom.http.deadlines import Deadlines
from strongroom.http.envelope import envelope
from strongroom.http.errors import render_error
from strongroom.http.request import build_request
from strongroom.http.rsgi import RSGIProtocol, RSGIScope, asgi_scope, body_receiver, str_headers
from strongroom.http.sys_seal import SealEndpoints
from strongroom.http.wire import (
    EMPTY_HEADERS,
    JSON_HEADERS,
    extra_headers,
    json_response,
    raw_headers,
)
from strongroom.logical import Response

Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Rendered = tuple[int, bytes, list[tuple[bytes, bytes]]]
DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class HTTPLimits:
    max_request_size: int | None = DEFAULT_MAX_REQUEST_SIZE  # None = no limit
    max_request_duration: float = 90.0
    json: JSONLimits = field(default_factory=JSONLimits)


class VaultApp:
    def __init__(self, core: Core, limits: HTTPLimits | None = None) -> None:
        self._core = core
        self._limits = limits or HTTPLimits()
        self._native = SealEndpoints(core, self._limits.max_request_size, self._limits.json).routes
        self._deadlines = Deadlines(self._limits.max_request_duration)

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await _lifespan(receive, send)

    async def __rsgi__(self, scope: RSGIScope, protocol: RSGIProtocol) -> None:
        """Granian's RSGI entry point (what the listeners serve); see `http/rsgi.py`."""
        receive = body_receiver(scope, protocol, self._limits.max_request_size)
        status, body, headers = await self._render(asgi_scope(scope), receive)
        protocol.response_bytes(status, str_headers(headers), body)

    async def _http(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        status, body, headers = await self._render(scope, receive)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _render(self, scope: MutableMapping[str, Any], receive: Receive) -> Rendered:
        try:
            status, body, headers = await self._dispatch(scope, receive)
            if scope["method"] == "HEAD":
                body = b""  # a HEAD answer carries the headers only
        except Exception as exc:  # every error is rendered in one place
            status, body = render_error(exc)
            headers = JSON_HEADERS
        if status == RequestTooLarge.status:
            # The rest of the body was never read: this connection cannot carry another request.
            headers = [*headers, (b"connection", b"close")]
        return status, body, headers

    async def _dispatch(self, scope: MutableMapping[str, Any], receive: Receive) -> Rendered:
        native = self._native.get(scope["path"])
        if native is not None:
            return _json(*await native(scope, receive))
        with self._deadlines.track():
            request = await build_request(
                scope,
                receive,
                max_body=self._limits.max_request_size,
                json_limits=self._limits.json,
                audited_headers=self._core.audit.broker.audited_names,
            )
            response = await self._core.handle(request)
        status, body, headers = _rendered(response, request.request_id)
        if response.headers:
            headers = headers + extra_headers(response.headers)
        return status, body, headers


def _rendered(response: Response, request_id: str) -> Rendered:
    if response.raw_body is not None:
        return response.status or 200, response.raw_body, raw_headers(response.content_type)
    if response.bare:
        return _json(response.status or 200, response.data)
    if response.is_empty:
        return _json(response.status or 204, None)
    return _json(response.status or 200, envelope(response, request_id))


def _json(status: int, document: Any) -> Rendered:
    body = b"" if document is None else json_response(document)
    return status, body, JSON_HEADERS if body else EMPTY_HEADERS


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
