"""The Sink protocol: where one audit device's bytes go, and the option helpers sinks share.

A device formats its entries into complete ``\\n``-terminated lines and hands them, a batch at a
time, to its sink from one dedicated writer thread. Sinks therefore block, are never called
concurrently, and report every failure as `OSError`, so the device can fail closed.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from strongroom.errors import InvalidParameter
from strongroom.logical.values import parse_bool


@runtime_checkable
class Sink(Protocol):
    """Where one audit device's lines go. Blocking methods, called only from that device's
    single writer thread (never from the event loop, never concurrently)."""

    def open(self) -> None:
        """Create or connect; raise `OSError` on failure."""

    def write(self, data: bytes) -> None:
        """Deliver one batch of complete ``\\n``-terminated lines; raise `OSError` on failure."""

    def reopen(self) -> None:
        """Log rotation (SIGHUP): close and open the destination again."""

    def close(self) -> None:
        """Release the destination. Idempotent."""

    def last_line(self) -> bytes | None:
        """The last complete line already at the destination, with its ``\\n``, if it keeps one."""


def closed_error() -> OSError:
    return OSError(errno.EBADF, "audit sink is closed")


def text_option(options: Mapping[str, str], name: str, default: str) -> str:
    """An option's string, `default` when absent or empty (Vault's zero value means unset)."""
    value = options.get(name, "")
    return value if value != "" else default


def flag_option(options: Mapping[str, str], name: str, default: bool) -> bool:
    value = options.get(name, "")
    if value == "":
        return default
    try:
        return parse_bool(value)
    except ValueError:
        raise InvalidParameter(f"{name}: expected a boolean (true or false)") from None


def split_lines(data: bytes) -> list[bytes]:
    """The lines of a batch, each with its ``\\n`` (only ``\\n`` ends a line, never ``\\r``)."""
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:  # a batch should end with a newline; keep a stray tail rather than drop it
        lines.append(parts[-1])
    return lines
