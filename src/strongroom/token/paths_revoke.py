"""auth/token/revoke, revoke-self, revoke-accessor and revoke-orphan."""

from __future__ import annotations

from strongroom.errors import BadRequest
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.token.responses import required
from strongroom.token.store import TokenStore

TOKEN_FIELD = {"token": Field(FieldType.STRING, "the token to revoke", default="")}
ACCESSOR_FIELD = {"accessor": Field(FieldType.STRING, "accessor of the token", default="")}


def revoke_paths(store: TokenStore) -> list[PathSpec]:
    async def revoke(request: Request, data: FieldData) -> None:
        await _revoke_tree(store, required(data, "token", "missing token ID"))

    async def revoke_self(request: Request, data: FieldData) -> None:
        await _revoke_tree(store, request.client_token)

    async def revoke_accessor(request: Request, data: FieldData) -> Response | None:
        accessor = required(data, "accessor", "missing accessor")
        if not await store.revoke_accessor(accessor):
            return Response(warnings=["No token found with this accessor"])
        return None

    async def revoke_orphan(request: Request, data: FieldData) -> None:
        token_id = required(data, "token", "missing token ID")
        if not request.root_privileges:
            raise BadRequest("root or sudo privileges required to revoke and orphan")
        ref = await store.resolve(token_id)
        if ref is None:
            raise BadRequest("token to revoke not found")
        if ref.entry.is_batch:
            raise BadRequest("batch tokens cannot be revoked")
        await store.revoke_orphan(ref.token_hash)

    return [
        PathSpec(
            "revoke",
            {Operation.UPDATE: revoke},
            TOKEN_FIELD,
            help="Revoke a token, its children and their leases.",
        ),
        PathSpec("revoke-self", {Operation.UPDATE: revoke_self}, help="Revoke the calling token."),
        PathSpec(
            "revoke-accessor",
            {Operation.UPDATE: revoke_accessor},
            ACCESSOR_FIELD,
            help="Revoke a token (and its children) by its accessor.",
        ),
        PathSpec(
            "revoke-orphan",
            {Operation.UPDATE: revoke_orphan},
            TOKEN_FIELD,
            sudo=True,
            help="Revoke a token but not its children, which become orphans.",
        ),
    ]


async def _revoke_tree(store: TokenStore, token_id: str) -> None:
    ref = await store.resolve(token_id)
    if ref is None:
        return  # already gone: revoking is idempotent
    if ref.entry.is_batch:
        raise BadRequest("batch tokens cannot be revoked")
    await store.revoke_hash(ref.token_hash)
