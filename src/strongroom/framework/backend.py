"""A backend built from a path table. Patterns must not overlap: order never decides a match."""

from __future__ import annotations

import re
from collections.abc import Sequence

from strongroom.errors import UnsupportedOperation, UnsupportedPath
from strongroom.framework.fields import FieldData
from strongroom.framework.path import PathSpec
from strongroom.logical import Operation, PathProperties, Request, Response


class FrameworkBackend:
    def __init__(self, paths: Sequence[PathSpec]) -> None:
        self.paths = tuple(paths)

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

    async def handle(self, request: Request) -> Response | None:
        spec, match = self.match(request.path)
        handler = spec.operations.get(request.operation)
        if handler is None and request.operation is Operation.CREATE:
            # Without a create handler of its own, a path handles creation as an update.
            handler = spec.operations.get(Operation.UPDATE)
        if handler is None:
            raise UnsupportedOperation()
        raw = {**request.data, **{k: v for k, v in match.groupdict().items() if v is not None}}
        return await handler(request, FieldData(raw, spec.fields))
