"""What the lease manager needs from the rest of the server, injected by the core."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from strongroom.logical import Secret

if TYPE_CHECKING:
    from strongroom.lease.entry import LeaseEntry


class Revoker(Protocol):
    async def revoke_secret(self, entry: LeaseEntry) -> None:
        """Route a REVOKE for `entry.secret` to the engine mounted at `entry.mount_point`."""
        ...

    async def renew_secret(self, entry: LeaseEntry, increment: int) -> Secret | None:
        """Route a RENEW to the engine; None when the engine does not renew this secret."""
        ...

    async def revoke_token(self, token_hash: str) -> None:
        """Have the token store revoke that token and its children. Must accept a token that
        is already gone: a token's lease may outlive the token."""
        ...
