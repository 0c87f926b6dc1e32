"""Replay-Nonce values (RFC 8555 6.5): issued freely, each accepted once, within its lifetime.

They live in this node's memory, not in storage: a nonce is worth a few seconds of a client's
time, and writing one per request would double the writes of every ACME exchange. The cost:
a restart, or a nonce fetched from one node and spent on another (a standby forwards POSTs to
the active node), is answered with `badNonce`, which carries a fresh nonce from the node that
refused it; RFC 8555 clients retry once with it, and certbot does.
"""

from __future__ import annotations

from strongroom.clock import Clock
from strongroom.crypto.random_ids import random_base62

NONCE_LIFETIME = 15 * 60  # seconds
MAX_OUTSTANDING = 100_000  # past this, the oldest are forgotten (they would fail as stale)
NONCE_LENGTH = 24  # base62 characters: about 143 bits


class NonceStore:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._expiry: dict[str, float] = {}  # insertion order is issue order

    def issue(self) -> str:
        now = self._clock.now()
        self._forget_expired(now)
        while len(self._expiry) >= MAX_OUTSTANDING:
            del self._expiry[next(iter(self._expiry))]
        nonce = random_base62(NONCE_LENGTH)
        self._expiry[nonce] = now + NONCE_LIFETIME
        return nonce

    def redeem(self, nonce: str) -> bool:
        """True once for a nonce this store issued and that has not expired."""
        expiry = self._expiry.pop(nonce, None)
        return expiry is not None and expiry > self._clock.now()

    def _forget_expired(self, now: float) -> None:
        for nonce, expiry in list(self._expiry.items()):
            if expiry > now:
                break  # later ones were issued later and expire later
            del self._expiry[nonce]
