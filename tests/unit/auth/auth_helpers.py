"""A backend driver for auth methods: requests may come from a given address."""

from __future__ import annotations

from typing import Any

from strongroom.errors import StrongroomError
from strongroom.logical import Auth, Operation, Request, Response
from strongroom.testing.backend_driver import BackendDriver

R, U, D, L = Operation.READ, Operation.UPDATE, Operation.DELETE, Operation.LIST


class AuthDriver(BackendDriver):
    async def __call__(
        self,
        operation: Operation,
        path: str,
        data: dict[str, Any] | None = None,
        remote_address: str = "127.0.0.1",
    ) -> Response | None:
        if operation is Operation.LIST and path and not path.endswith("/"):
            path += "/"
        request = Request(
            operation,
            path,
            dict(data or {}),
            mount_point=self.mount_point,
            remote_address=remote_address,
        )
        if operation is Operation.UPDATE and await self.backend.exists(request) is False:
            request.operation = Operation.CREATE
        return await self.backend.handle(request)

    async def read(self, path: str, **data: Any) -> Any:
        return await self.data_of(R, path, data)

    async def write(self, path: str, **data: Any) -> Response | None:
        return await self(U, path, data)

    async def fails(self, operation: Operation, path: str, **data: Any) -> StrongroomError:
        return await self.error_of(operation, path, data)

    async def login(self, path: str, remote_address: str = "127.0.0.1", **data: Any) -> Auth:
        response = await self(U, path, data, remote_address)
        assert response is not None and response.auth is not None, response
        return response.auth

    async def login_error(
        self, path: str, remote_address: str = "127.0.0.1", **data: Any
    ) -> StrongroomError:
        try:
            response = await self(U, path, data, remote_address)
        except StrongroomError as exc:
            return exc
        raise AssertionError(f"expected an error, got {response!r}")
