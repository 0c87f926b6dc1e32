"""The callbacks the core injects into siblings that may not import each other.

The token store tells us when tokens are created, renewed or revoked (leases and cubbyholes
follow), and asks, before it renews a login's token, what the token's auth method allows now.
The lease manager asks us to revoke or renew what an engine issued, by mount and secret type,
so it works the same after a restart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strongroom.core.logins import renewal_terms
from strongroom.lease import LeaseEntry
from strongroom.logical import Operation, Request, Secret
from strongroom.token import RenewalTerms
from strongroom.token.entry import TokenEntry

if TYPE_CHECKING:
    from strongroom.core.core import Core


class TokenLifecycle:
    """TokenHooks: a token's lease, the leases it created and its cubbyhole follow it."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def token_created(self, token_hash: str, entry: TokenEntry) -> None:
        if entry.expire_time:
            await self._core.leases.register_token(
                entry.path,
                token_hash,
                round(entry.expire_time - self._core.clock.now()),
                _hard_limit(entry),
                entry.renewable,
            )

    async def token_renewed(self, token_hash: str, entry: TokenEntry) -> None:
        if entry.expire_time:
            ttl = round(entry.expire_time - self._core.clock.now())
            await self._core.leases.renew_token(token_hash, ttl)

    async def renewal_terms(self, entry: TokenEntry) -> RenewalTerms | None:
        return await renewal_terms(self._core, entry)

    async def token_revoked(self, token_hash: str, entry: TokenEntry) -> None:
        await self._core.leases.revoke_by_token(token_hash)
        await self._core.leases.forget_token(token_hash)
        if entry.accessor and self._core.cubbyhole is not None:
            await self._core.cubbyhole.destroy(entry.accessor)


def _hard_limit(entry: TokenEntry) -> float | None:
    """The time past which no renewal can carry a token: its explicit max TTL, if any.
    (Periods and the mount's max are applied by the token store at each renewal.)"""
    return entry.creation_time + entry.explicit_max_ttl if entry.explicit_max_ttl else None


class EngineRevoker:
    """Revoker: lease expiry and revocation call back into the issuing engine."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def _request(self, operation: Operation, entry: LeaseEntry) -> Request | None:
        mounted = self._core.router.get(entry.mount_point)
        if mounted is None:
            return None  # the mount is gone, and its secrets with it
        mount, _ = mounted
        return Request(
            operation,
            entry.path[len(entry.mount_point) :],
            mount_point=entry.mount_point,
            mount_type=mount.type,
            mount_accessor=mount.accessor,
            secret=entry.secret,
        )

    async def revoke_secret(self, entry: LeaseEntry) -> None:
        request = self._request(Operation.REVOKE, entry)
        mounted = self._core.router.get(entry.mount_point)
        if request is not None and mounted is not None:
            await mounted[1].handle(request)

    async def renew_secret(self, entry: LeaseEntry, increment: int) -> Secret | None:
        request = self._request(Operation.RENEW, entry)
        mounted = self._core.router.get(entry.mount_point)
        if request is None or mounted is None:
            return None
        request.data = {"increment": increment}
        response = await mounted[1].handle(request)
        return response.secret if response is not None else None

    async def revoke_token(self, token_hash: str) -> None:
        await self._core.tokens.revoke_hash(token_hash)
