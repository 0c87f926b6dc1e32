"""Vault's response envelope around a logical response."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from strongroom.logical import Auth, Response


def auth_block(auth: Auth) -> dict[str, Any]:
    return {
        "client_token": auth.client_token,
        "accessor": auth.accessor,
        "policies": auth.policies,
        "token_policies": sorted(auth.token_policies),
        "identity_policies": sorted(auth.identity_policies) or None,
        "metadata": auth.metadata or None,
        "lease_duration": auth.lease_duration,
        "renewable": auth.renewable,
        "entity_id": auth.entity_id,
        "token_type": auth.token_type or "service",
        "orphan": auth.orphan,
        "mfa_requirement": None,
        "num_uses": auth.num_uses,
    }


def envelope(response: Response, request_id: str) -> dict[str, Any]:
    secret = response.secret
    document: dict[str, Any] = {
        "request_id": request_id,
        "lease_id": secret.lease_id if secret else "",
        "renewable": secret.renewable if secret else False,
        "lease_duration": secret.ttl if secret else response.advisory_ttl,
        "data": response.data,
        "wrap_info": asdict(response.wrap_info) if response.wrap_info else None,
        "warnings": response.warnings or None,
        "auth": auth_block(response.auth) if response.auth else None,
    }
    if response.top_level_copy and response.data:
        # Legacy sys routes: older clients read e.g. resp["term"] instead of resp["data"]["term"].
        document = {**response.data, **document}
    return document
