"""One request, after the seal check: route → token → create/update → ACL → audit → backend →
login token → lease → wrap → audit. The token is checked before anything else looks at the
path, so a caller without a valid token learns nothing about what is mounted."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from strongroom.audit import NO_KEYS, AuditBroker, AuthInfo, MountAuditKeys
from strongroom.clock import rfc3339
from strongroom.core.logins import complete_login
from strongroom.errors import PermissionDenied, StrongroomError, UnsupportedPath
from strongroom.logical import Operation, PathProperties, Request, Response
from strongroom.routing import AUTH_TABLE, Routed
from strongroom.token.entry import TokenEntry

if TYPE_CHECKING:
    from strongroom.core.core import Core
    from strongroom.policy.acl import ACL, ACLResult

_GUARDED = PathProperties()


@dataclass(slots=True)
class _Caller:
    """What admission learned about the caller: its token entry and the ACL's verdict."""

    entry: TokenEntry | None = None
    acl: ACLResult | None = None
    # The request spent one use of the token (guarded paths; unauthenticated ones only look).
    used: bool = False


class Pipeline:
    def __init__(self, core: Core) -> None:
        self._core = core

    def invalidate(self) -> None:
        self._core.policies.invalidate()

    async def handle(self, request: Request) -> Response:
        broker = self._core.audit.broker
        caller = _Caller()
        try:
            if broker.active:
                return await self._audited(request, caller, broker)
            routed = await self._admit(request, caller)
            return await self._execute(request, routed, caller)
        finally:
            if caller.used and caller.entry is not None and caller.entry.spent:
                # The last permitted use of a use-limited token: it dies with this request.
                await self._core.tokens.revoke(request.client_token)

    async def _audited(self, request: Request, caller: _Caller, broker: AuditBroker) -> Response:
        """Fail closed: the backend runs only once the request is recorded, and the response
        reaches the client only once it is recorded too."""
        try:
            routed = await self._admit(request, caller)
        except Exception as exc:
            auth, error = _auth_info(request, caller), _error_text(exc)
            logged = await broker.log_request(request, auth, error)
            await broker.log_response(request, None, auth, error, logged=logged)
            raise
        auth, keys = _auth_info(request, caller), _audit_keys(routed)
        logged = await broker.log_request(request, auth, "", keys)
        try:
            response = await self._execute(request, routed, caller)
        except Exception as exc:
            await broker.log_response(request, None, auth, _error_text(exc), keys, logged)
            raise
        await broker.log_response(request, response, auth, "", keys, logged)
        return response

    async def _admit(self, request: Request, caller: _Caller) -> Routed:
        """Route, then token, then the create/update decision, then the ACL."""
        full_path = request.path
        routed = self._core.router.route(full_path)
        properties = routed.backend.properties(routed.relative_path) if routed else _GUARDED
        caller.entry = await self._resolve_token(request, properties)
        caller.used = not properties.unauthenticated
        if routed is not None:
            self._enter_mount(request, routed)  # the path is now relative to the mount
            await self._decide_create(request, routed)
        caller.acl = await self._authorize(request, properties, full_path)
        if routed is None:
            raise UnsupportedPath(f'no handler for route "{full_path}". route entry not found.')
        return routed

    async def _execute(self, request: Request, routed: Routed, caller: _Caller) -> Response:
        """The backend, then a login's token, then lease registration, then wrapping."""
        response = await self._handle(request, routed) or Response()
        if response.headers:  # as Vault: only the headers the mount was tuned to let through
            allowed = {name.lower() for name in routed.mount.config.allowed_response_headers}
            response.headers = {k: v for k, v in response.headers.items() if k.lower() in allowed}
        auth = response.auth
        if auth is not None and not auth.client_token and routed.mount.table == AUTH_TABLE:
            await complete_login(self._core, request, routed.mount, auth)
        if response.secret is not None and not response.secret.lease_id:
            owner = caller.entry if caller.used else None
            await self._register_lease(request, routed, response, owner)
        # A policy's min_wrapping_ttl was enforced by the ACL: it refuses unwrapped requests.
        if request.wrap_ttl and not response.is_empty and response.wrap_info is None:
            response = await self._core.wrapper.wrap(response, request.wrap_ttl, request.full_path)
        return response

    async def _handle(self, request: Request, routed: Routed) -> Response | None:
        backend, mount = routed.backend, routed.mount
        # A LoginBackend; getattr, not isinstance: a runtime protocol check costs microseconds.
        login_alias = getattr(backend, "login_alias", None) if mount.table == AUTH_TABLE else None
        if login_alias is not None:
            alias = login_alias(request)
            if alias is not None:  # a login: refused while locked, failures counted
                return await self._core.lockout.run_login(
                    mount, alias, lambda: backend.handle(request)
                )
        return await backend.handle(request)

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
        return entry

    @staticmethod
    async def _decide_create(request: Request, routed: Routed) -> None:
        """POST/PUT is `create` when the target does not exist yet, else `update`."""
        if request.operation is Operation.UPDATE and await routed.backend.exists(request) is False:
            request.operation = Operation.CREATE

    async def _authorize(
        self, request: Request, properties: PathProperties, full_path: str
    ) -> ACLResult | None:
        if not request.policies:
            return None  # an unauthenticated path without a (valid) token
        acl = await self._core.policies.acl_for(request.policies)
        result = acl.check(request.operation, full_path, request.data, request.wrap_ttl)
        request.root_privileges = result.root_privileges
        if properties.unauthenticated:
            return result  # served anyway; root_privileges may grant more (cancelling a rekey)
        if not result.allowed or (properties.sudo and not result.root_privileges):
            raise PermissionDenied()
        return result

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


def _auth_info(request: Request, caller: _Caller) -> AuthInfo | None:
    entry, acl = caller.entry, caller.acl
    if entry is None:
        # An invalid token is still recorded (hashed): who tried matters.
        return AuthInfo(client_token=request.client_token) if request.client_token else None
    return AuthInfo(
        client_token=request.client_token,
        accessor=entry.accessor,
        display_name=entry.display_name,
        policies=entry.policies,
        token_policies=entry.policies,
        metadata=tuple(entry.meta.items()),
        entity_id=entry.entity_id,
        token_type=entry.type,
        token_ttl=entry.ttl,
        token_issue_time=_issue_time(entry.creation_time),
        granting_policies=tuple(acl.granting_policies) if acl is not None else (),
        allowed=acl.allowed if acl is not None else False,
    )


@functools.lru_cache(maxsize=4096)
def _issue_time(creation_time: float) -> str:
    return rfc3339(creation_time)  # the same few tokens call again and again


def _audit_keys(routed: Routed) -> MountAuditKeys:
    config = routed.mount.config
    if not (config.audit_non_hmac_request_keys or config.audit_non_hmac_response_keys):
        return NO_KEYS
    return MountAuditKeys(
        frozenset(config.audit_non_hmac_request_keys),
        frozenset(config.audit_non_hmac_response_keys),
    )


def _error_text(exc: Exception) -> str:
    # Error messages are public by construction; an unknown error's text never is.
    return exc.message if isinstance(exc, StrongroomError) else "internal error"
