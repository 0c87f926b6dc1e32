"""The cubbyhole engine: KV version 1 semantics, scoped to the calling token's accessor.

Keys are `<accessor>/<path>`: a token ID never appears in storage, and revocation (which knows
the accessor, not the ID) can destroy the whole cubbyhole.
"""

from __future__ import annotations

from strongroom.engines.kv.documents import document_paths
from strongroom.errors import InvalidParameter
from strongroom.framework import FrameworkBackend
from strongroom.logical import Request, Storage
from strongroom.logical.storage import delete_tree


class Cubbyhole:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self.backend = FrameworkBackend(document_paths(storage, self._scope, ttl_is_advisory=False))

    @staticmethod
    def _scope(request: Request) -> str:
        if not request.client_token_accessor:
            raise InvalidParameter("cubbyhole is not available to this token (batch token?)")
        return f"{request.client_token_accessor}/"

    async def put(self, accessor: str, key: str, value: bytes) -> None:
        await self._storage.put(f"{accessor}/{key}", value)

    async def get(self, accessor: str, key: str) -> bytes | None:
        return await self._storage.get(f"{accessor}/{key}")

    async def destroy(self, accessor: str) -> None:
        """Delete everything in the cubbyhole of the token with this accessor."""
        await delete_tree(self._storage, f"{accessor}/")
