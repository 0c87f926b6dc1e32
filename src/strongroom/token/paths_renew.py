"""auth/token/renew, renew-self and renew-accessor."""

from __future__ import annotations

from strongroom.errors import BadRequest
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.token.entry import TokenRef
from strongroom.token.responses import auth_block, required
from strongroom.token.store import TokenStore

INCREMENT = Field(FieldType.DURATION, "seconds to extend the token by (0: its TTL)", default=0)
TOKEN_FIELDS = {"token": Field(FieldType.STRING, "the token", default=""), "increment": INCREMENT}
ACCESSOR_FIELDS = {
    "accessor": Field(FieldType.STRING, "accessor of the token", default=""),
    "increment": INCREMENT,
}


def renew_paths(store: TokenStore) -> list[PathSpec]:
    async def renew(request: Request, data: FieldData) -> Response:
        return await _renew_token(store, required(data, "token", "missing token ID"), data)

    async def renew_self(request: Request, data: FieldData) -> Response:
        return await _renew_token(store, request.client_token, data)

    async def renew_accessor(request: Request, data: FieldData) -> Response:
        accessor = required(data, "accessor", "missing accessor")
        ref = await store.resolve_accessor(accessor)
        if ref is None:
            raise BadRequest("invalid accessor")
        # The accessor's holder learns the new lease, never the token.
        return await _renew(store, ref, "", data)

    return [
        PathSpec("renew", {Operation.UPDATE: renew}, TOKEN_FIELDS, help="Renew a token."),
        PathSpec(
            "renew-self", {Operation.UPDATE: renew_self}, TOKEN_FIELDS, help="Renew the caller."
        ),
        PathSpec(
            "renew-accessor",
            {Operation.UPDATE: renew_accessor},
            ACCESSOR_FIELDS,
            help="Renew a token by its accessor.",
        ),
    ]


async def _renew_token(store: TokenStore, token_id: str, data: FieldData) -> Response:
    ref = await store.resolve(token_id)
    if ref is None:
        raise BadRequest("token not found")
    return await _renew(store, ref, token_id, data)


async def _renew(store: TokenStore, ref: TokenRef, token_id: str, data: FieldData) -> Response:
    entry, warnings = await store.renew(ref, data.get("increment"))
    return Response(auth=auth_block(token_id, entry, store.clock.now()), warnings=warnings)
