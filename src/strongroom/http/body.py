"""Reading and decoding request bodies, with every limit applied before the work it protects."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson

from strongroom.errors import InvalidJSON, RequestTooLarge

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]

# Bodies that are not JSON, passed to the backend as they came: the whole body, as `bytes`, is
# the request data's only entry, under RAW_BODY_FIELD (Vault's `logical.HTTPRawBody`). The size
# limit still applies (`read_body`); no JSON limit does, since nothing is parsed.
RAW_BODY_FIELD = "http_raw_body"
RAW_CONTENT_TYPES = ("application/ocsp-request",)  # a DER OCSP request (RFC 6960, A.1)


@dataclass(frozen=True, slots=True)
class JSONLimits:
    """Vault's JSON complexity limits: checked right after parsing, before any use of the data."""

    max_depth: int = 500
    max_string_length: int = 1024 * 1024
    max_object_entries: int = 10_000
    max_array_elements: int = 10_000


async def read_body(receive: Receive, limit: int | None) -> bytes:
    """The whole body, refusing (413) as soon as it grows past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if limit is not None and size > limit:
                raise RequestTooLarge()
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def decode_body(body: bytes, content_type: str, limits: JSONLimits) -> dict[str, Any]:
    """A JSON object (or a form-encoded body) as request data; empty or `null` means `{}`.
    A body of one of RAW_CONTENT_TYPES is not decoded: `{RAW_BODY_FIELD: body}`."""
    if content_type.startswith(RAW_CONTENT_TYPES) and body:
        return {RAW_BODY_FIELD: body}
    if not body.strip():
        return {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidJSON() from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise InvalidJSON("failed to parse JSON input: the body must be a JSON object")
    check_complexity(document, limits)
    return document


def check_complexity(document: Any, limits: JSONLimits) -> None:
    """Walk the parsed document iteratively (no recursion limit to hit) and enforce the limits."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            _check_container(depth, len(value), limits.max_object_entries, "object", limits)
            for key, item in value.items():
                _check_string(key, limits)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            _check_container(depth, len(value), limits.max_array_elements, "array", limits)
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_string(value, limits)


def _check_container(depth: int, size: int, limit: int, kind: str, limits: JSONLimits) -> None:
    if depth > limits.max_depth:
        raise InvalidJSON(f"JSON input exceeded the maximum nesting depth of {limits.max_depth}")
    if size > limit:
        raise InvalidJSON(f"JSON input exceeded the maximum of {limit} entries in one {kind}")


def _check_string(value: str, limits: JSONLimits) -> None:
    if len(value) > limits.max_string_length:
        raise InvalidJSON(
            f"JSON input exceeded the maximum string length of {limits.max_string_length}"
        )


def decode_query(query_string: bytes) -> dict[str, Any]:
    if not query_string:
        return {}
    return dict(parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True))
