"""How long a token lives: Vault's `framework.CalculateTTL`, plus the parent's remaining life.

A token's lifetime is bounded three ways: the system (or mount) maximum, its explicit max TTL,
and — unless it is an orphan — its parent's remaining life, so a child never outlives its parent
even when nobody revokes it in time. A periodic token renews to its period forever, bounded only
by an explicit max TTL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from strongroom.errors import BadRequest
from strongroom.token.entry import TokenEntry

DEFAULT_TTL = 768 * 3600


@dataclass(frozen=True, slots=True)
class TokenStoreConfig:
    # The auth/token/ mount's default and maximum lease TTLs (the system's unless tuned).
    default_ttl: int = DEFAULT_TTL
    max_ttl: int = DEFAULT_TTL


@dataclass(frozen=True, slots=True)
class Lifetime:
    """What a TTL calculation asks for. `start` is when the token was issued."""

    start: float
    increment: int = 0
    base_ttl: int = 0
    period: int = 0
    explicit_max_ttl: int = 0


def calculate_ttl(config: TokenStoreConfig, life: Lifetime, now: float) -> tuple[int, list[str]]:
    """The TTL to grant now, and warnings when a request was capped.

    Raises BadRequest when the token is already at (or within a second of) its maximum life: a
    grant of 0 seconds would read as "never expires" (CVE-2021-32923).
    """
    max_ttl = config.max_ttl
    if 0 < life.explicit_max_ttl < max_ttl:
        max_ttl = life.explicit_max_ttl
    warnings: list[str] = []
    if life.period:
        ttl = life.period
        if ttl > max_ttl:
            warnings.append(
                f"period of {ttl}s exceeded the effective max_ttl; capped to {max_ttl}s"
            )
            ttl = max_ttl
        limit = life.start + life.explicit_max_ttl if life.explicit_max_ttl else None
    else:
        ttl = life.increment or life.base_ttl or config.default_ttl
        limit = life.start + max_ttl
    if limit is not None:
        ttl = _cap(ttl, limit - now, warnings)
    return ttl, warnings


def stricter(first: int, second: int) -> int:
    """The stricter of two limits where 0 means "no limit"."""
    if not first or not second:
        return first or second
    return min(first, second)


def cap_to_parent(ttl: int, parent: TokenEntry, now: float, warnings: list[str]) -> int:
    """Cap a child's TTL so it never outlives its parent."""
    if not parent.expire_time:
        return ttl
    return _cap(ttl, parent.expire_time - now, warnings, "the parent token's remaining life")


def _cap(ttl: int, seconds_left: float, warnings: list[str], what: str = "the max TTL") -> int:
    allowed = math.floor(seconds_left)
    if allowed < 1:
        raise BadRequest(f"past {what}, cannot create or renew the token")
    if ttl > allowed:
        warnings.append(f"TTL of {ttl}s exceeded {what}; capped to {allowed}s")
        return allowed
    return ttl
