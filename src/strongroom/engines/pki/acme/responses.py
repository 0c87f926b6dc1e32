"""ACME responses: JSON (not Vault's envelope) or a problem document, each with a fresh
Replay-Nonce and a Link to its directory (RFC 8555 6.5, 7.1). `Cache-Control: no-store` comes
from the HTTP layer, which sends it on every response. The mount must be tuned with
`allowed_response_headers` Replay-Nonce, Link and Location, as in Vault."""

from __future__ import annotations

from typing import Any

import orjson

from strongroom.engines.pki.acme.problems import Problem
from strongroom.logical import Response

JSON = "application/json"
PROBLEM = "application/problem+json"
PEM_CHAIN = "application/pem-certificate-chain"


def acme_headers(nonce: str, directory_url: str) -> dict[str, str]:
    headers = {"Replay-Nonce": nonce}
    if directory_url:
        headers["Link"] = f'<{directory_url}>;rel="index"'
    return headers


def json_response(
    document: dict[str, Any],
    headers: dict[str, str],
    status: int = 200,
    location: str = "",
    links: tuple[str, ...] = (),
) -> Response:
    """A JSON resource; `location` for created (201) or looked-up resources, `links` extra
    Link values (`<url>;rel="up"`) joined after the index."""
    headers = dict(headers)
    if location:
        headers["Location"] = location
    if links:
        headers["Link"] = ", ".join(filter(None, (headers.get("Link", ""), *links)))
    return Response(
        raw_body=orjson.dumps(document), content_type=JSON, status=status, headers=headers
    )


def empty_response(headers: dict[str, str], status: int) -> Response:
    return Response(raw_body=b"", status=status, headers=headers)


def problem_response(problem: Problem, headers: dict[str, str]) -> Response:
    if problem.location:
        headers = {**headers, "Location": problem.location}
    return Response(
        raw_body=orjson.dumps(problem.document()),
        content_type=PROBLEM,
        status=problem.status,
        headers=headers,
    )
