"""Wire-format helpers: JSON encoding and the static response headers."""

from __future__ import annotations

from typing import Any

import orjson

# Exactly "application/json": some clients compare the whole string.
JSON_HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
EMPTY_HEADERS = [(b"cache-control", b"no-store")]


def json_response(document: Any) -> bytes:
    return orjson.dumps(document)


def raw_headers(content_type: str) -> list[tuple[bytes, bytes]]:
    """The headers of a raw (non-JSON) body: its own content type, never cached."""
    if not content_type:
        return EMPTY_HEADERS
    return [(b"content-type", content_type.encode("latin-1")), (b"cache-control", b"no-store")]


def extra_headers(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """A backend's own headers (already filtered by the core), as the wire carries them."""
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]
