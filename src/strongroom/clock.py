"""Injected time: code that reads the time takes a Clock, so tests can advance a fake one."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock time in seconds since the epoch."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards, for intervals."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


def rfc3339(timestamp: float) -> str:
    """Format a Unix time the way Vault does in JSON (UTC, nanosecond-free RFC 3339)."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")
