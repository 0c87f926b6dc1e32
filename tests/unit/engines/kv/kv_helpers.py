"""Drive KV backends the way the pipeline does: hand-built logical requests, paths relative to
the mount, POST/PUT turned into create when the existence check says the target is absent."""

from __future__ import annotations

from typing import Any

from strongroom.engines.kv.v2.render import rfc3339_nano
from strongroom.engines.kv.v2.store import now_ns
from strongroom.errors import StrongroomError
from strongroom.framework import FrameworkBackend
from strongroom.logical import Operation, Request, Response
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock

START = 1_800_000_000.0  # FakeClock's default start: 2027-01-15T08:00:00Z
START_TEXT = "2027-01-15T08:00:00Z"


class KV:
    def __init__(self, backend: FrameworkBackend, storage: InmemBackend, clock: FakeClock) -> None:
        self.backend = backend
        self.storage = storage
        self.clock = clock

    async def __call__(
        self, operation: Operation, path: str, data: dict[str, Any] | None = None
    ) -> Response | None:
        if operation is Operation.LIST and path and not path.endswith("/"):
            path += "/"
        request = Request(operation, path, dict(data or {}), mount_point="kv/")
        if operation is Operation.UPDATE and await self.backend.exists(request) is False:
            request.operation = Operation.CREATE
        return await self.backend.handle(request)

    async def ok(self, operation: Operation, path: str, **data: Any) -> dict[str, Any]:
        """A response that must be a 200 with data."""
        response = await self(operation, path, data)
        assert response is not None and response.status is None, response
        assert response.data is not None
        return response.data

    async def none(self, operation: Operation, path: str, **data: Any) -> None:
        """A response that must be a 204."""
        response = await self(operation, path, data)
        assert response is None or (response.is_empty and response.status is None), response

    async def fails(self, operation: Operation, path: str, **data: Any) -> StrongroomError:
        try:
            response = await self(operation, path, data)
        except StrongroomError as exc:
            return exc
        raise AssertionError(f"expected an error, got {response!r}")

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
