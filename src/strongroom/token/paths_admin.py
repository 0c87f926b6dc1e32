"""auth/token/accessors (sudo) and auth/token/tidy."""

from __future__ import annotations

from dataclasses import asdict

from strongroom.framework import FieldData, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.token.responses import list_response
from strongroom.token.store import TokenStore


def admin_paths(store: TokenStore) -> list[PathSpec]:
    async def list_accessors(request: Request, data: FieldData) -> Response:
        return list_response(await store.list_accessors())

    async def tidy(request: Request, data: FieldData) -> Response:
        result = await store.tidy()
        return Response(asdict(result), warnings=["Tidy operation successfully completed."])

    return [
        PathSpec(
            "accessors/?",
            {Operation.LIST: list_accessors},
            sudo=True,
            help="List the accessors of every stored token.",
        ),
        PathSpec(
            "tidy",
            {Operation.UPDATE: tidy},
            help="Remove dangling index entries, orphan children of lost parents, revoke expired "
            "tokens.",
        ),
    ]
