"""Vault's response envelope around a logical response."""

from __future__ import annotations

from typing import Any

from strongroom.logical import Response


def envelope(response: Response, request_id: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "request_id": request_id,
        "lease_id": "",
        "renewable": False,
        "lease_duration": 0,
        "data": response.data,
        "wrap_info": None,
        "warnings": response.warnings or None,
        "auth": None,
    }
    if response.top_level_copy and response.data:
        # Legacy sys routes: older clients read e.g. resp["term"] instead of resp["data"]["term"].
        document = {**response.data, **document}
    return document
