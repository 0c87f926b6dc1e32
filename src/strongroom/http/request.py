"""Turning an ASGI scope and body into a logical Request."""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from typing import Any

from strongroom.errors import BadRequest, UnsupportedMediaType, UnsupportedOperation
from strongroom.http.body import JSONLimits, Receive, decode_body, decode_query, read_body
from strongroom.http.paths import normalize
from strongroom.logical import Operation, Request
from strongroom.logical.values import parse_bool, parse_duration

# Methods whose query string becomes request data (their bodies are ignored).
_QUERY_METHODS = frozenset({"GET", "DELETE", "LIST", "HEAD"})
_METHOD_OPERATIONS = {
    "GET": Operation.READ,
    "POST": Operation.UPDATE,
    "PUT": Operation.UPDATE,
    "DELETE": Operation.DELETE,
    "LIST": Operation.LIST,
    "PATCH": Operation.PATCH,
    "HEAD": Operation.HEADER,
}
_MERGE_PATCH = "application/merge-patch+json"
# Request headers a backend or the pipeline may act on.
_FORWARDED_HEADERS = frozenset({"x-vault-wrap-ttl", "x-vault-wrap-format", "x-vault-request"})


# The request headers Strongroom reads; others are never decoded.
_READ_HEADERS = frozenset(
    {b"x-vault-token", b"authorization", b"content-type"} | {h.encode() for h in _FORWARDED_HEADERS}
)


def header_map(scope: Mapping[str, Any], also: frozenset[bytes] = frozenset()) -> dict[str, str]:
    """The headers Strongroom reads (and those in `also`), by lower-case name."""
    wanted = _READ_HEADERS | also if also else _READ_HEADERS
    return {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in scope["headers"]
        if name in wanted
    }


# Request IDs: a random per-process prefix and a counter, in UUID form. They need to be unique
# and opaque, not secret: no system call per request.
_ID_PREFIX = os.urandom(8).hex()
_id_counter = itertools.count(1)


def new_request_id() -> str:
    h = _ID_PREFIX + f"{next(_id_counter) & 0xFFFFFFFFFFFFFFFF:016x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def client_token(headers: Mapping[str, str]) -> str:
    token = headers.get("x-vault-token", "")
    if not token:
        authorization = headers.get("authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer":
            token = credentials.strip()
    return token


def remote_address(scope: Mapping[str, Any]) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


async def build_request(
    scope: Mapping[str, Any],
    receive: Receive,
    *,
    max_body: int | None,
    json_limits: JSONLimits,
    audited_headers: frozenset[str] = frozenset(),
) -> Request:
    """`audited_headers` (lower-case names) are carried into the request for the audit log."""
    method: str = scope["method"]
    operation = _METHOD_OPERATIONS.get(method)
    if operation is None:
        raise UnsupportedOperation(f"unsupported method {method}")
    path = normalize(scope["path"])
    audited = frozenset(name.encode("latin-1") for name in audited_headers)
    headers = header_map(scope, audited)
    if method in _QUERY_METHODS:
        data = decode_query(scope.get("query_string", b""))
    else:
        if operation is Operation.PATCH and not headers.get("content-type", "").startswith(
            _MERGE_PATCH
        ):
            raise UnsupportedMediaType()
        body = await read_body(receive, max_body)
        data = decode_body(body, headers.get("content-type", ""), json_limits)
    if method == "GET" and "list" in data and _flag(data.pop("list"), "list"):
        operation = Operation.LIST
    if operation is Operation.LIST and not path.endswith("/"):
        path += "/"
    return Request(
        operation=operation,
        path=path,
        data=data,
        client_token=client_token(headers),
        request_id=new_request_id(),
        remote_address=remote_address(scope),
        headers={
            k: v for k, v in headers.items() if k in _FORWARDED_HEADERS or k in audited_headers
        },
        wrap_ttl=_wrap_ttl(headers.get("x-vault-wrap-ttl", "")),
    )


def _wrap_ttl(value: str) -> int:
    if not value:
        return 0
    try:
        ttl = parse_duration(value)
    except ValueError:
        raise BadRequest("invalid X-Vault-Wrap-TTL header: expected a duration") from None
    if ttl <= 0:
        raise BadRequest("invalid X-Vault-Wrap-TTL header: the TTL must be positive")
    return ttl


def _flag(value: Any, name: str) -> bool:
    try:
        return parse_bool(value)
    except ValueError:
        raise BadRequest(f"invalid value for parameter {name!r}: expected a boolean") from None
