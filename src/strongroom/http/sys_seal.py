"""The HTTP-native sealed-state endpoints: sys/init, seal-status, unseal, health and leader.

They work while sealed, answer plain JSON without the envelope, and are not audited.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from strongroom.core import Core
from strongroom.core import status as core_status
from strongroom.errors import BadRequest, InvalidParameter, UnsupportedOperation
from strongroom.framework import Field, FieldData, FieldType
from strongroom.http.body import JSONLimits, Receive, decode_body, decode_query, read_body
from strongroom.http.request import header_map
from strongroom.seal.shares import decode_share

# (status, JSON document or None for an empty body)
NativeResult = tuple[int, Any]
NativeHandler = Callable[[Mapping[str, Any], Receive], Awaitable[NativeResult]]

INIT_FIELDS = {
    "secret_shares": Field(FieldType.INT, "number of key shares", required=True),
    "secret_threshold": Field(FieldType.INT, "shares needed to unseal", required=True),
    "pgp_keys": Field(FieldType.STRING_LIST, "not supported"),
    "root_token_pgp_key": Field(FieldType.STRING, "not supported", default=""),
    "stored_shares": Field(FieldType.INT, "auto-unseal only", default=0),
    "recovery_shares": Field(FieldType.INT, "auto-unseal only", default=0),
    "recovery_threshold": Field(FieldType.INT, "auto-unseal only", default=0),
    "recovery_pgp_keys": Field(FieldType.STRING_LIST, "auto-unseal only"),
}
UNSEAL_FIELDS = {
    "key": Field(FieldType.STRING, "one key share, hex or base64", default=""),
    "reset": Field(FieldType.BOOL, "discard the shares entered so far", default=False),
    "migrate": Field(FieldType.BOOL, "seal migration (not supported)", default=False),
}


class SealEndpoints:
    def __init__(self, core: Core, max_body: int | None, json_limits: JSONLimits) -> None:
        self._core = core
        self._max_body = max_body
        self._json_limits = json_limits
        self.routes: dict[str, NativeHandler] = {
            "/v1/sys/init": self.init,
            "/v1/sys/seal-status": self.seal_status,
            "/v1/sys/unseal": self.unseal,
            "/v1/sys/health": self.health,
            "/v1/sys/leader": self.leader,
        }

    async def _body(self, scope: Mapping[str, Any], receive: Receive) -> dict[str, Any]:
        body = await read_body(receive, self._max_body)
        return decode_body(body, header_map(scope).get("content-type", ""), self._json_limits)

    async def init(self, scope: Mapping[str, Any], receive: Receive) -> NativeResult:
        method = scope["method"]
        if method == "GET":
            return 200, {"initialized": await self._core.initialized()}
        _require(method, "PUT", "POST")
        data = FieldData(await self._body(scope, receive), INIT_FIELDS)
        if data.get("pgp_keys") or data.get("root_token_pgp_key"):
            raise InvalidParameter("PGP-encrypted key shares are not supported")
        if data.get("recovery_shares") or data.get("stored_shares"):
            raise InvalidParameter("recovery keys and stored shares need an auto-unseal seal")
        result = await self._core.initialize(
            data.get("secret_shares"), data.get("secret_threshold")
        )
        return 200, {
            "keys": [share.hex() for share in result.shares],
            "keys_base64": [base64.b64encode(share).decode() for share in result.shares],
            "root_token": result.root_token,
        }

    async def seal_status(self, scope: Mapping[str, Any], receive: Receive) -> NativeResult:
        _require(scope["method"], "GET")
        return 200, await core_status.seal_status(self._core)

    async def unseal(self, scope: Mapping[str, Any], receive: Receive) -> NativeResult:
        _require(scope["method"], "PUT", "POST")
        data = FieldData(await self._body(scope, receive), UNSEAL_FIELDS)
        if data.get("migrate"):
            raise InvalidParameter("seal migration is not supported")
        if data.get("reset"):
            if not self._core.sealed:
                raise BadRequest("vault is unsealed")
            self._core.reset_unseal_progress()
        elif self._core.sealed:
            if not data.get("key"):
                raise InvalidParameter(
                    "'key' must be specified in request body as JSON, or 'reset' set to true"
                )
            await self._core.submit_unseal_share(decode_share(data.get("key")))
        return 200, await core_status.seal_status(self._core)

    async def health(self, scope: Mapping[str, Any], receive: Receive) -> NativeResult:
        method = scope["method"]
        _require(method, "GET", "HEAD")
        status, body = await core_status.health(
            self._core, decode_query(scope.get("query_string", b""))
        )
        return status, None if method == "HEAD" else body

    async def leader(self, scope: Mapping[str, Any], receive: Receive) -> NativeResult:
        _require(scope["method"], "GET")
        return 200, core_status.leader(self._core)


def _require(method: str, *allowed: str) -> None:
    if method not in allowed:
        raise UnsupportedOperation()
