"""Constant-time comparison: the one helper every secret comparison goes through."""

from __future__ import annotations

import hmac


def constant_time_equal(left: bytes | str, right: bytes | str) -> bool:
    """Compare two secrets without leaking, through timing, where they first differ."""
    if isinstance(left, str):
        left = left.encode()
    if isinstance(right, str):
        right = right.encode()
    return hmac.compare_digest(left, right)
