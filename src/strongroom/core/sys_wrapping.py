"""sys/wrapping/wrap, unwrap, lookup and rewrap."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strongroom.errors import BadRequest
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

if TYPE_CHECKING:
    from strongroom.core.core import Core

TOKEN_FIELD = {"token": Field(FieldType.STRING, "the wrapping token", default="")}


def wrapping_paths(core: Core) -> list[PathSpec]:
    def wrapping_token(request: Request, data: FieldData) -> str:
        # The body names the wrapping token; without one, the request's own token is it.
        return str(data.get("token") or request.client_token)

    async def wrap(request: Request, data: FieldData) -> Response:
        if not request.wrap_ttl:
            raise BadRequest("wrapping requires a TTL: set the X-Vault-Wrap-TTL header")
        # The pipeline wraps this response: its data is the request's body.
        return Response(dict(request.data))

    async def unwrap(request: Request, data: FieldData) -> Response:
        return await core.wrapper.unwrap(wrapping_token(request, data))

    async def lookup(request: Request, data: FieldData) -> Response:
        return Response(await core.wrapper.lookup(wrapping_token(request, data)))

    async def rewrap(request: Request, data: FieldData) -> Response:
        return await core.wrapper.rewrap(wrapping_token(request, data))

    update = Operation.UPDATE
    return [
        PathSpec("wrapping/wrap", {update: wrap}, help="Wrap the request body."),
        PathSpec("wrapping/unwrap", {update: unwrap}, TOKEN_FIELD, unauthenticated=True),
        PathSpec(
            "wrapping/lookup",
            {update: lookup, Operation.READ: lookup},
            TOKEN_FIELD,
            unauthenticated=True,
        ),
        # The wrapping token authenticates these itself (it has no policy of its own).
        PathSpec("wrapping/rewrap", {update: rewrap}, TOKEN_FIELD, unauthenticated=True),
    ]
