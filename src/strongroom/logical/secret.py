"""A response's lease: how long the secret lives and what its engine needs to revoke it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Secret:
    # The engine's name for this kind of secret; revocation is dispatched on it, so a lease can
    # be revoked after a restart without any closure surviving in memory.
    secret_type: str
    ttl: int = 0
    max_ttl: int = 0
    renewable: bool = True
    # Kept with the lease for the engine's revoke/renew handlers; never sent to the client.
    internal: dict[str, Any] = field(default_factory=dict)
    # Set by the core when the lease is registered.
    lease_id: str = ""
