"""Drive the transit backend the way the pipeline does: logical requests relative to the mount,
POST/PUT turned into create when the existence check says the target is absent."""

from __future__ import annotations

import base64
from typing import Any

from strongroom.engines.transit import TransitBackend
from strongroom.errors import StrongroomError
from strongroom.logical import Operation
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.backend_driver import BackendDriver
from strongroom.testing.clock import FakeClock


def b64(raw: bytes | str) -> str:
    return base64.b64encode(raw.encode() if isinstance(raw, str) else raw).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


class Transit(BackendDriver):
    def __init__(self, backend: TransitBackend, storage: InmemBackend, clock: FakeClock) -> None:
        super().__init__(backend, storage, clock, "transit/")

    async def ok(self, path: str, operation: Operation = Operation.UPDATE, **data: Any) -> Any:
        return await self.data_of(operation, path, data)

    async def none(self, path: str, operation: Operation = Operation.UPDATE, **data: Any) -> None:
        await self.no_content(operation, path, data)

    async def read(self, path: str, **data: Any) -> Any:
        return await self.ok(path, Operation.READ, **data)

    async def fails(
        self, path: str, operation: Operation = Operation.UPDATE, **data: Any
    ) -> StrongroomError:
        return await self.error_of(operation, path, data)

    async def create(self, name: str, **settings: Any) -> dict[str, Any]:
        data: dict[str, Any] = await self.ok(f"keys/{name}", **settings)
        return data

    async def encrypt(self, name: str, plaintext: bytes | str, **extra: Any) -> str:
        data = await self.ok(f"encrypt/{name}", plaintext=b64(plaintext), **extra)
        ciphertext: str = data["ciphertext"]
        return ciphertext

    async def decrypt(self, name: str, ciphertext: str, **extra: Any) -> bytes:
        data = await self.ok(f"decrypt/{name}", ciphertext=ciphertext, **extra)
        return unb64(data["plaintext"])

    async def export(self, kind: str, name: str, version: str = "", **query: Any) -> Any:
        path = f"export/{kind}/{name}" + (f"/{version}" if version else "")
        return (await self.read(path, **query))["keys"]
