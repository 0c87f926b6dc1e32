"""One request, after the seal check: route → token → create/update → ACL → backend → lease →
wrap. The token is checked before anything else looks at the path, so a caller without a valid
token learns nothing about what is mounted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strongroom.errors import PermissionDenied, UnsupportedPath
from strongroom.logical import Operation, PathProperties, Request, Response
from strongroom.routing import Routed
from strongroom.token.entry import TokenEntry

if TYPE_CHECKING:
    from strongroom.core.core import Core
    from strongroom.policy.acl import ACL

_GUARDED = PathProperties()


class Pipeline:
    def __init__(self, core: Core) -> None:
        self._core = core

    def invalidate(self) -> None:
        self._core.policies.invalidate()

    async def handle(self, request: Request) -> Response:
        core = self._core
        full_path = request.path
        routed = core.router.route(full_path)
        properties = routed.backend.properties(routed.relative_path) if routed else _GUARDED
        entry = await self._resolve_token(request, properties)
        try:
            if routed is not None:
                await self._decide_create(request, routed)
            await self._authorize(request, properties, full_path, entry)
            if routed is None:
                raise UnsupportedPath(f'no handler for route "{full_path}". route entry not found.')
            self._enter_mount(request, routed)
            response = await routed.backend.handle(request) or Response()
            if response.secret is not None and not response.secret.lease_id:
                await self._register_lease(request, routed, response, entry)
            # A policy's min_wrapping_ttl was enforced by the ACL: it refuses unwrapped requests.
            if request.wrap_ttl and not response.is_empty and response.wrap_info is None:
                response = await core.wrapper.wrap(response, request.wrap_ttl, full_path)
            return response
        finally:
            if entry is not None and entry.spent:
                # The last permitted use of a use-limited token: it dies with this request.
                await core.tokens.revoke(request.client_token)

    async def _resolve_token(
        self, request: Request, properties: PathProperties
    ) -> TokenEntry | None:
        """The caller's token: spent by one use on guarded paths (403 when it is not valid),
        only looked up on unauthenticated ones."""
        tokens = self._core.tokens
        if properties.unauthenticated:
            entry = await tokens.lookup(request.client_token, request.remote_address)
        else:
            entry = await tokens.use(request.client_token, request.remote_address)
            if entry is None:
                raise PermissionDenied()
        if entry is not None:
            request.policies = entry.policies
            request.client_token_accessor = entry.accessor
            request.display_name = entry.display_name
            request.entity_id = entry.entity_id
        return entry if not properties.unauthenticated else None

    async def _decide_create(self, request: Request, routed: Routed) -> None:
        """POST/PUT is `create` when the target does not exist yet, else `update`."""
        if request.operation is not Operation.UPDATE:
            return
        probe = Request(
            Operation.UPDATE,
            routed.relative_path,
            data=request.data,
            client_token=request.client_token,
            mount_point=routed.mount.route,
            client_token_accessor=request.client_token_accessor,
        )
        if await routed.backend.exists(probe) is False:
            request.operation = Operation.CREATE

    async def _authorize(
        self,
        request: Request,
        properties: PathProperties,
        full_path: str,
        entry: TokenEntry | None,
    ) -> None:
        if not request.policies:
            return  # an unauthenticated path without a (valid) token
        acl = await self._core.policies.acl_for(request.policies)
        result = acl.check(request.operation, full_path, request.data, request.wrap_ttl)
        request.root_privileges = result.root_privileges
        if properties.unauthenticated:
            return  # served anyway; root_privileges may grant more (cancelling a rekey)
        if not result.allowed or (properties.sudo and not result.root_privileges):
            raise PermissionDenied()

    @staticmethod
    def _enter_mount(request: Request, routed: Routed) -> None:
        request.mount_point = routed.mount.route
        request.mount_type = routed.mount.type
        request.mount_accessor = routed.mount.accessor
        request.path = routed.relative_path

    async def _register_lease(
        self, request: Request, routed: Routed, response: Response, entry: TokenEntry | None
    ) -> None:
        secret = response.secret
        assert secret is not None
        default_ttl, max_ttl = self._core.mount_ttls(routed.mount)
        secret.ttl = min(secret.ttl or default_ttl, max_ttl)
        secret.max_ttl = min(secret.max_ttl or max_ttl, max_ttl)
        owner = ""
        if entry is not None:
            owner = await self._core.tokens.owner_hash(request.client_token, entry)
        lease = await self._core.leases.register_secret(
            request.full_path, routed.mount.route, secret, owner
        )
        secret.lease_id = lease.lease_id

    async def caller_acl(self, request: Request) -> ACL | None:
        entry = await self._core.tokens.lookup(request.client_token, request.remote_address)
        return None if entry is None else await self._core.policies.acl_for(entry.policies)
