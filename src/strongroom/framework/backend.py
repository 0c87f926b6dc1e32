"""A backend built from a path table. Patterns must not overlap: order never decides a match."""

from __future__ import annotations

import re
from collections.abc import Sequence

from strongroom.errors import BadRequest, UnsupportedOperation, UnsupportedPath
from strongroom.framework.fields import FieldData
from strongroom.framework.path import PathSpec, SecretType
from strongroom.logical import Operation, PathProperties, Request, Response


class FrameworkBackend:
    def __init__(self, paths: Sequence[PathSpec], secret_types: Sequence[SecretType] = ()) -> None:
        self.paths = tuple(paths)
        self.secret_types = {secret.name: secret for secret in secret_types}

    def match(self, path: str) -> tuple[PathSpec, re.Match[str]]:
        found = [(spec, m) for spec in self.paths if (m := spec.regex.fullmatch(path))]
        if not found:
            raise UnsupportedPath(f"unsupported path: {path!r}")
        if len(found) > 1:
            patterns = ", ".join(spec.pattern for spec, _ in found)
            raise AssertionError(f"overlapping path patterns: {patterns}")
        return found[0]

    def properties(self, path: str) -> PathProperties:
        try:
            spec, _ = self.match(path)
        except UnsupportedPath:
            return PathProperties()
        return spec.properties

    async def exists(self, request: Request) -> bool | None:
        try:
            spec, match = self.match(request.path)
        except UnsupportedPath:
            return None
        if spec.existence_check is None:
            return None
        return await spec.existence_check(request, _field_data(request, spec, match))

    async def handle(self, request: Request) -> Response | None:
        if request.operation in (Operation.REVOKE, Operation.RENEW):
            return await self._handle_secret(request)
        spec, match = self.match(request.path)
        handler = spec.operations.get(request.operation)
        if handler is None and request.operation is Operation.CREATE:
            # Without a create handler of its own, a path handles creation as an update.
            handler = spec.operations.get(Operation.UPDATE)
        if handler is None:
            raise UnsupportedOperation()
        return await handler(request, _field_data(request, spec, match))

    async def _handle_secret(self, request: Request) -> Response | None:
        secret = request.secret
        secret_type = self.secret_types.get(secret.secret_type) if secret else None
        if secret_type is None:
            raise BadRequest("unknown secret type for this mount")
        if request.operation is Operation.REVOKE:
            return await secret_type.revoke(request)
        if secret_type.renew is None:
            raise BadRequest("lease is not renewable")
        return await secret_type.renew(request)


def _field_data(request: Request, spec: PathSpec, match: re.Match[str]) -> FieldData:
    captured = {k: v for k, v in match.groupdict().items() if v is not None}
    return FieldData({**request.data, **captured}, spec.fields)
