"""Drive KV backends the way the pipeline does: hand-built logical requests, paths relative to
the mount, POST/PUT turned into create when the existence check says the target is absent."""

from __future__ import annotations

from typing import Any

from strongroom.engines.kv.v2.render import rfc3339_nano
from strongroom.engines.kv.v2.store import now_ns
from strongroom.errors import StrongroomError
from strongroom.framework import FrameworkBackend
from strongroom.logical import Operation
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.backend_driver import BackendDriver
from strongroom.testing.clock import FakeClock

START = 1_800_000_000.0  # FakeClock's default start: 2027-01-15T08:00:00Z
START_TEXT = "2027-01-15T08:00:00Z"


class KV(BackendDriver):
    def __init__(self, backend: FrameworkBackend, storage: InmemBackend, clock: FakeClock) -> None:
        super().__init__(backend, storage, clock, "kv/")

    async def ok(self, operation: Operation, path: str, **data: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self.data_of(operation, path, data)
        return result

    async def none(self, operation: Operation, path: str, **data: Any) -> None:
        await self.no_content(operation, path, data)

    async def fails(self, operation: Operation, path: str, **data: Any) -> StrongroomError:
        return await self.error_of(operation, path, data)

    async def put(self, path: str, secret: dict[str, Any], **options: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"data": secret}
        if options:
            body["options"] = options
        return await self.ok(Operation.UPDATE, f"data/{path}", **body)

    async def read(self, path: str, **query: Any) -> dict[str, Any]:
        return await self.ok(Operation.READ, f"data/{path}", **query)

    async def metadata(self, path: str) -> dict[str, Any]:
        return await self.ok(Operation.READ, f"metadata/{path}")

    async def status(self, operation: Operation, path: str, **data: Any) -> tuple[int, Any]:
        """(status, data) of a response or of the error it raised."""
        try:
            response = await self(operation, path, data)
        except StrongroomError as exc:
            return exc.status, exc.errors
        if response is None or response.is_empty:
            return (response.status if response and response.status else 204), None
        return response.status or 200, response.data


def rfc(seconds_after_start: float) -> str:
    """The RFC 3339 rendering of START + seconds (whole or fractional)."""
    return rfc3339_nano(now_ns(FakeClock(START + seconds_after_start)))
