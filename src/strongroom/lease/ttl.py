"""How far a lease may live: the requested TTL, cut by every maximum that applies."""

from __future__ import annotations

from collections.abc import Iterable


def cap_after(start: float, seconds: int) -> float | None:
    """The moment `seconds` after `start`; None (no cap) when `seconds` is 0 or less."""
    return start + seconds if seconds > 0 else None


def capped_expiry(now: float, ttl: float, caps: Iterable[float | None]) -> float:
    """`now + ttl`, but no later than any cap.

    The answer is always a finite moment: a TTL of 0 means "now", and a cap already passed
    gives a moment in the past, so the lease expires at once. Nothing here turns "no time
    left" into "no expiry" (the CVE-2021-32923 class of bug).
    """
    return min([now + max(0.0, ttl), *(cap for cap in caps if cap is not None)])
