"""The shapes Vault answers with: the `auth` block of create/renew and the `data` of lookup."""

from __future__ import annotations

from typing import Any

from strongroom.clock import rfc3339
from strongroom.errors import BadRequest, NotFound
from strongroom.framework import FieldData
from strongroom.logical import Auth, Response
from strongroom.token.entry import TokenEntry


def auth_block(token_id: str, entry: TokenEntry, now: float) -> Auth:
    return Auth(
        client_token=token_id,
        accessor=entry.accessor,
        token_policies=list(entry.policies),
        metadata=dict(entry.meta),
        lease_duration=entry.remaining(now),
        renewable=entry.renewable,
        entity_id=entry.entity_id,
        token_type=entry.type,
        orphan=entry.orphan,
        num_uses=max(entry.num_uses, 0),  # a spent token (-1) has no uses left
    )


def lookup_data(token_id: str, entry: TokenEntry, now: float) -> dict[str, Any]:
    """`data` of lookup, lookup-self and lookup-accessor (`token_id` "" for the latter)."""
    data: dict[str, Any] = {
        "accessor": entry.accessor,
        "creation_time": int(entry.creation_time),
        "creation_ttl": entry.ttl,
        "display_name": entry.display_name,
        "entity_id": entry.entity_id,
        "expire_time": rfc3339(entry.expire_time) if entry.expire_time else None,
        "explicit_max_ttl": entry.explicit_max_ttl,
        "id": token_id,
        "issue_time": rfc3339(entry.creation_time),
        "meta": dict(entry.meta) or None,
        "num_uses": max(entry.num_uses, 0),
        "orphan": entry.orphan,
        "path": entry.path,
        "policies": list(entry.policies),
        "renewable": entry.renewable and not entry.expired(now),
        "ttl": entry.remaining(now),
        "type": entry.type,
    }
    if entry.role:
        data["role"] = entry.role
    if entry.period:
        data["period"] = entry.period
    if entry.bound_cidrs:
        data["bound_cidrs"] = list(entry.bound_cidrs)
    if entry.last_renewal_time:
        data["last_renewal_time"] = int(entry.last_renewal_time)
        data["last_renewal"] = rfc3339(entry.last_renewal_time)
    return data


def list_response(keys: list[str]) -> Response:
    """A LIST answer; an empty list is a 404, as in Vault."""
    if not keys:
        raise NotFound()
    return Response({"keys": keys})


def required(data: FieldData, name: str, message: str) -> str:
    """A string parameter that must be present (the message never repeats its value)."""
    value: str = data.get(name) or ""
    if not value:
        raise BadRequest(message)
    return value
