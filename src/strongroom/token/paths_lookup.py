"""auth/token/lookup, lookup-self and lookup-accessor."""

from __future__ import annotations

from strongroom.errors import BadRequest, PermissionDenied
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.token.responses import lookup_data, required
from strongroom.token.store import TokenStore

TOKEN_FIELD = {"token": Field(FieldType.STRING, "the token to look up", default="")}
ACCESSOR_FIELD = {"accessor": Field(FieldType.STRING, "accessor of the token", default="")}


def lookup_paths(store: TokenStore) -> list[PathSpec]:
    async def lookup(request: Request, data: FieldData) -> Response:
        # Without a `token` parameter, Vault looks up the calling token.
        return await _lookup(store, data.get("token") or request.client_token)

    async def lookup_self(request: Request, data: FieldData) -> Response:
        return await _lookup(store, request.client_token)

    async def lookup_accessor(request: Request, data: FieldData) -> Response:
        accessor = required(data, "accessor", "missing accessor")
        ref = await store.resolve_accessor(accessor, include_spent=True)
        if ref is None:
            raise BadRequest("invalid accessor")
        return Response(lookup_data("", ref.entry, store.clock.now()))

    both = {Operation.READ: lookup, Operation.UPDATE: lookup}
    both_self = {Operation.READ: lookup_self, Operation.UPDATE: lookup_self}
    return [
        PathSpec("lookup", both, TOKEN_FIELD, help="Look up a token's properties."),
        PathSpec("lookup-self", both_self, TOKEN_FIELD, help="Look up the calling token."),
        PathSpec(
            "lookup-accessor",
            {Operation.UPDATE: lookup_accessor},
            ACCESSOR_FIELD,
            help="Look up a token by its accessor (the token itself is not returned).",
        ),
    ]


async def _lookup(store: TokenStore, token_id: str) -> Response:
    if not token_id:
        raise BadRequest("missing token ID")
    # A token on its last use can still look itself up during that use.
    ref = await store.resolve(token_id, include_spent=True)
    if ref is None:
        raise PermissionDenied("bad token")
    return Response(lookup_data(token_id, ref.entry, store.clock.now()))
