"""One request, after the seal check: resolve token → ACL → route → backend."""

from __future__ import annotations

from strongroom.errors import PermissionDenied, UnsupportedPath
from strongroom.logical import PathProperties, Request, Response
from strongroom.policy.acl import ACL
from strongroom.routing import Router
from strongroom.token.store import TokenStore

_GUARDED = PathProperties()


class Pipeline:
    def __init__(self, router: Router, tokens: TokenStore) -> None:
        self._router = router
        self._tokens = tokens
        # Compiled ACLs per policy set; dropped whenever a policy may have changed.
        self._acls: dict[tuple[str, ...], ACL] = {}

    def invalidate(self) -> None:
        self._acls.clear()

    def acl_for(self, policies: tuple[str, ...]) -> ACL:
        acl = self._acls.get(policies)
        if acl is None:
            acl = self._acls[policies] = ACL(policies)
        return acl

    async def handle(self, request: Request) -> Response:
        routed = self._router.route(request.path)
        properties = routed.mount.backend.properties(routed.relative_path) if routed else _GUARDED
        # A token is resolved whenever one is sent: unauthenticated paths may still grant more
        # to a privileged caller (cancelling a rekey without its nonce, for one).
        entry = await self._tokens.lookup(request.client_token)
        if entry is not None:
            request.policies = entry.policies
        if not properties.unauthenticated:
            if entry is None:
                raise PermissionDenied()
            acl = self.acl_for(entry.policies)
            if not acl.allows(request.operation, request.path, sudo=properties.sudo):
                raise PermissionDenied()
        if routed is None:
            raise UnsupportedPath(f'no handler for route "{request.path}". route entry not found.')
        request.mount_point = routed.mount.path
        request.path = routed.relative_path
        response = await routed.mount.backend.handle(request)
        return response if response is not None else Response()

    def is_privileged(self, request: Request) -> bool:
        """Whether the caller's token may use sudo paths (root, for now)."""
        return bool(request.policies) and self.acl_for(request.policies).allows(
            request.operation, request.mount_point + request.path, sudo=True
        )
