"""The storage a backend gets: a view of the barrier chrooted to its own prefix."""

from __future__ import annotations

from typing import Protocol


class Storage(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, value: bytes) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> list[str]: ...


async def delete_tree(storage: Storage, prefix: str = "") -> None:
    """Delete every key under `prefix` (which ends in `/` or is empty), folders depth-first."""
    for name in await storage.list(prefix):
        if name.endswith("/"):
            await delete_tree(storage, prefix + name)
        else:
            await storage.delete(prefix + name)
