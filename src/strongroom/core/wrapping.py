"""Response wrapping: a response stored in the cubbyhole of a single-use token.

The wrapped response is kept as the logical response it was (data, auth, lease), so unwrapping
returns it exactly as the original request would have.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from strongroom.clock import rfc3339
from strongroom.errors import BadRequest
from strongroom.logical import Auth, Response, Secret, WrapInfo
from strongroom.token.policies import WRAPPING_POLICY

if TYPE_CHECKING:
    from strongroom.core.core import Core

RESPONSE_KEY = "response"
INFO_KEY = "wrap-info"
INVALID = "wrapping token is not valid or does not exist"


def _serialize(response: Response) -> bytes:
    document: dict[str, Any] = {
        "data": response.data,
        "warnings": response.warnings,
        "auth": asdict(response.auth) if response.auth else None,
        "secret": asdict(response.secret) if response.secret else None,
        "advisory_ttl": response.advisory_ttl,
    }
    return json.dumps(document).encode()


def _deserialize(raw: bytes) -> Response:
    document = json.loads(raw)
    return Response(
        data=document["data"],
        warnings=document["warnings"],
        auth=Auth(**document["auth"]) if document["auth"] else None,
        secret=Secret(**document["secret"]) if document["secret"] else None,
        advisory_ttl=document["advisory_ttl"],
    )


class Wrapper:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def wrap(self, response: Response, ttl: int, creation_path: str) -> Response:
        created = await self._core.tokens.create_wrapping_token(ttl, creation_path)
        accessor = created.entry.accessor
        info = WrapInfo(
            token=created.token_id,
            accessor=accessor,
            ttl=ttl,
            creation_time=rfc3339(created.entry.creation_time),
            creation_path=creation_path,
            wrapped_accessor=response.auth.accessor if response.auth else "",
        )
        cubbyhole = self._core.require_cubbyhole()
        await cubbyhole.put(accessor, RESPONSE_KEY, _serialize(response))
        await cubbyhole.put(accessor, INFO_KEY, json.dumps(asdict(info) | {"token": ""}).encode())
        return Response(wrap_info=info)

    async def _wrapping_entry(self, token: str) -> tuple[str, dict[str, Any]]:
        ref = await self._core.tokens.resolve(token)
        if ref is None or ref.entry.policies != (WRAPPING_POLICY,):
            raise BadRequest(INVALID)
        raw = await self._core.require_cubbyhole().get(ref.entry.accessor, INFO_KEY)
        if raw is None:
            raise BadRequest(INVALID)
        return ref.entry.accessor, json.loads(raw)

    async def lookup(self, token: str) -> dict[str, Any]:
        _, info = await self._wrapping_entry(token)
        return {
            "creation_path": info["creation_path"],
            "creation_time": info["creation_time"],
            "creation_ttl": info["ttl"],
        }

    async def unwrap(self, token: str) -> Response:
        accessor, _ = await self._wrapping_entry(token)
        raw = await self._core.require_cubbyhole().get(accessor, RESPONSE_KEY)
        # Single use: revoke first, so a second unwrap fails even if this one is interrupted.
        await self._core.tokens.revoke(token)
        if raw is None:
            raise BadRequest(INVALID)
        return _deserialize(raw)

    async def rewrap(self, token: str) -> Response:
        accessor, info = await self._wrapping_entry(token)
        raw = await self._core.require_cubbyhole().get(accessor, RESPONSE_KEY)
        await self._core.tokens.revoke(token)
        if raw is None:
            raise BadRequest(INVALID)
        return await self.wrap(_deserialize(raw), int(info["ttl"]), info["creation_path"])
