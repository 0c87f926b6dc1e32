"""What the token store asks of the rest of the server, injected by the core.

The token store may not import the lease manager or the cubbyhole engine (they are siblings in
layer 5), so the core hands it an object with these callbacks. Each is awaited; an exception
aborts the operation (a revocation then leaves the token unusable but stored, so it can be
retried, as Vault does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from strongroom.token.entry import TokenEntry


@dataclass(frozen=True, slots=True)
class RenewalTerms:
    """What the auth method that issued a token allows for it now (its role's current
    settings); 0 means "not set": the store's own default or limit applies."""

    ttl: int = 0
    max_ttl: int = 0
    period: int = 0


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

    async def renewal_terms(self, entry: TokenEntry) -> RenewalTerms | None:
        """A token from a login is about to be renewed: ask its auth method (which raises to
        refuse, e.g. the user was deleted or its policies changed). None: not from a login."""
        ...


class NoHooks:
    """Hooks that do nothing: for tests, and for a core that has no lease manager yet."""

    async def token_created(self, token_hash: str, entry: TokenEntry) -> None:
        return None

    async def token_renewed(self, token_hash: str, entry: TokenEntry) -> None:
        return None

    async def token_revoked(self, token_hash: str, entry: TokenEntry) -> None:
        return None

    async def renewal_terms(self, entry: TokenEntry) -> RenewalTerms | None:
        return None
