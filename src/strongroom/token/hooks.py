"""What the token store asks of the rest of the server, injected by the core.

The token store may not import the lease manager or the cubbyhole engine (they are siblings in
layer 5), so the core hands it an object with these callbacks. Each is awaited; an exception
aborts the operation (a revocation then leaves the token unusable but stored, so it can be
retried, as Vault does).
"""

from __future__ import annotations

from typing import Protocol

from strongroom.token.entry import TokenEntry


class TokenHooks(Protocol):
    async def token_created(self, token_hash: str, entry: TokenEntry) -> None:
        """A service token was stored: register its lease if it has a TTL (entry.expire_time)."""
        ...

    async def token_renewed(self, token_hash: str, entry: TokenEntry) -> None:
        """A token was renewed: move its lease's expiry to entry.expire_time."""
        ...

    async def token_revoked(self, token_hash: str, entry: TokenEntry) -> None:
        """A token is being revoked: revoke every lease it created and delete its cubbyhole."""
        ...


class NoHooks:
    """Hooks that do nothing: for tests, and for a core that has no lease manager yet."""

    async def token_created(self, token_hash: str, entry: TokenEntry) -> None:
        return None

    async def token_renewed(self, token_hash: str, entry: TokenEntry) -> None:
        return None

    async def token_revoked(self, token_hash: str, entry: TokenEntry) -> None:
        return None
