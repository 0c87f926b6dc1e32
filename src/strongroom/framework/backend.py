"""A backend built from a path table. Patterns must not overlap: order never decides a match."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from strongroom.errors import BadRequest, UnsupportedOperation, UnsupportedPath
from strongroom.framework.fields import FieldData
from strongroom.framework.path import PathSpec, SecretType
from strongroom.logical import Operation, PathProperties, Request, Response

# Matches of recently seen paths: a request is matched up to three times (properties, existence,
# handling) and hot paths repeat, so matching costs one dict lookup most of the time.
_MATCH_CACHE_SIZE = 4096
_LITERAL = re.compile(r"[^\\^$.|?*+()\[\]{}]*")

Matched = tuple[PathSpec, dict[str, str]]
AuthRenew = Callable[[Request], Awaitable[Response]]


class FrameworkBackend:
    def __init__(
        self,
        paths: Sequence[PathSpec],
        secret_types: Sequence[SecretType] = (),
        auth_renew: AuthRenew | None = None,
    ) -> None:
        self.paths = tuple(paths)
        self.secret_types = {secret.name: secret for secret in secret_types}
        # An auth method's answer to a renewal of a token its login created (`request.auth`).
        self.auth_renew = auth_renew
        # Each pattern's literal prefix: only patterns whose prefix a path starts with are tried.
        self._candidates = [(_literal_prefix(spec.pattern), spec) for spec in self.paths]
        self._cache: OrderedDict[str, Matched | None] = OrderedDict()

    def match(self, path: str) -> Matched:
        found = self._cached_match(path)
        if found is None:
            raise UnsupportedPath(f"unsupported path: {path!r}")
        return found

    def _cached_match(self, path: str) -> Matched | None:
        cache = self._cache
        if path in cache:
            cache.move_to_end(path)
            return cache[path]
        found = self._find(path)
        cache[path] = found
        if len(cache) > _MATCH_CACHE_SIZE:
            cache.popitem(last=False)
        return found

    def _find(self, path: str) -> Matched | None:
        found = [
            (spec, m)
            for prefix, spec in self._candidates
            if path.startswith(prefix) and (m := spec.regex.fullmatch(path))
        ]
        if len(found) > 1:
            patterns = ", ".join(spec.pattern for spec, _ in found)
            raise AssertionError(f"overlapping path patterns: {patterns}")
        if not found:
            return None
        spec, m = found[0]
        return spec, {k: v for k, v in m.groupdict().items() if v is not None}

    def properties(self, path: str) -> PathProperties:
        found = self._cached_match(path)
        return found[0].properties if found else PathProperties()

    async def exists(self, request: Request) -> bool | None:
        found = self._cached_match(request.path)
        if found is None or found[0].existence_check is None:
            return None
        spec, captured = found
        assert spec.existence_check is not None
        return await spec.existence_check(request, _field_data(request, spec, captured))

    async def handle(self, request: Request) -> Response | None:
        if request.operation in (Operation.REVOKE, Operation.RENEW):
            return await self._handle_secret(request)
        spec, captured = self.match(request.path)
        handler = spec.operations.get(request.operation)
        if handler is None and request.operation is Operation.CREATE:
            # Without a create handler of its own, a path handles creation as an update.
            handler = spec.operations.get(Operation.UPDATE)
        if handler is None:
            raise UnsupportedOperation()
        return await handler(request, _field_data(request, spec, captured))

    async def _handle_secret(self, request: Request) -> Response | None:
        if request.auth is not None and request.operation is Operation.RENEW:
            if self.auth_renew is None:
                raise BadRequest("this auth method does not renew tokens")
            return await self.auth_renew(request)
        secret = request.secret
        secret_type = self.secret_types.get(secret.secret_type) if secret else None
        if secret_type is None:
            raise BadRequest("unknown secret type for this mount")
        if request.operation is Operation.REVOKE:
            return await secret_type.revoke(request)
        if secret_type.renew is None:
            raise BadRequest("lease is not renewable")
        return await secret_type.renew(request)


def _literal_prefix(pattern: str) -> str:
    """The characters every match starts with (up to the first regex metacharacter)."""
    literal = _LITERAL.match(pattern)
    prefix = literal.group(0) if literal else ""
    # A quantifier applies to the character before it, which is then not certain.
    rest = pattern[len(prefix) : len(prefix) + 1]
    return prefix[:-1] if rest in ("?", "*", "{") and prefix else prefix


def _field_data(request: Request, spec: PathSpec, captured: dict[str, str]) -> FieldData:
    return FieldData({**request.data, **captured} if captured else request.data, spec.fields)
