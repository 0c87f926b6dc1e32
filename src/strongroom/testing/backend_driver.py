"""Drive a mounted backend the way the pipeline does, for engine unit tests: logical requests
relative to the mount, POST/PUT turned into create when the existence check says the target is
absent, and the three outcomes a test checks (data, no content, an error)."""

from __future__ import annotations

from typing import Any

from strongroom.errors import StrongroomError
from strongroom.logical import Backend, Operation, Request, Response
from strongroom.physical import Backend as PhysicalBackend
from strongroom.testing.clock import FakeClock


class BackendDriver:
    def __init__(
        self, backend: Backend, storage: PhysicalBackend, clock: FakeClock, mount_point: str
    ) -> None:
        self.backend = backend
        self.storage = storage
        self.clock = clock
        self.mount_point = mount_point

    async def __call__(
        self, operation: Operation, path: str, data: dict[str, Any] | None = None
    ) -> Response | None:
        if operation is Operation.LIST and path and not path.endswith("/"):
            path += "/"
        request = Request(operation, path, dict(data or {}), mount_point=self.mount_point)
        if operation is Operation.UPDATE and await self.backend.exists(request) is False:
            request.operation = Operation.CREATE
        return await self.backend.handle(request)

    async def data_of(self, operation: Operation, path: str, data: dict[str, Any]) -> Any:
        """The data of a response that must be a 200 with data."""
        response = await self(operation, path, data)
        assert response is not None and response.status is None, response
        assert response.data is not None
        return response.data

    async def no_content(self, operation: Operation, path: str, data: dict[str, Any]) -> None:
        """A response that must be a 204."""
        response = await self(operation, path, data)
        assert response is None or (response.is_empty and response.status is None), response

    async def error_of(
        self, operation: Operation, path: str, data: dict[str, Any]
    ) -> StrongroomError:
        """The error a request must raise."""
        try:
            response = await self(operation, path, data)
        except StrongroomError as exc:
            return exc
        raise AssertionError(f"expected an error, got {response!r}")
