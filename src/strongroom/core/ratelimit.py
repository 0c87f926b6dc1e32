"""A token bucket per client address, for endpoints anyone can call (rekey, generate-root)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from strongroom.clock import Clock
from strongroom.errors import RateLimited


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self, clock: Clock, rate: float = 5.0, burst: int = 20, max_clients: int = 10_000
    ) -> None:
        self._clock = clock
        self._rate = rate
        self._burst = burst
        self._max_clients = max_clients
        # Least recently seen first, so the table stays bounded under an address flood.
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, client: str) -> None:
        """Take one token for `client`, or raise RateLimited (429) when its bucket is empty."""
        now = self._clock.monotonic()
        bucket = self._buckets.pop(client, None) or _Bucket(float(self._burst), now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets[client] = bucket
        if len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1:
            raise RateLimited()
        bucket.tokens -= 1
