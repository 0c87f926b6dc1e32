"""The in-memory sink: the reference implementation of the extension point, for tests.

It behaves like a file that is never rotated away: it keeps every byte written, and
`last_line` returns the last complete line it holds, so chain resumption can be tested too.
"""

from __future__ import annotations

import threading

from strongroom.audit.sinks.base import closed_error, split_lines


class MemorySink:
    """Keeps the written bytes; safe to read from another thread while the device writes."""

    def __init__(self, initial: bytes = b"") -> None:
        self._data = bytearray(initial)
        self._lock = threading.Lock()
        self._open = False
        self.opens = 0
        self.reopens = 0

    @property
    def data(self) -> bytes:
        with self._lock:
            return bytes(self._data)

    def lines(self) -> list[bytes]:
        """The complete lines written so far, each with its ``\\n``."""
        return [line for line in split_lines(self.data) if line.endswith(b"\n")]

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        self._open = True
        self.opens += 1

    def write(self, data: bytes) -> None:
        if not self._open:
            raise closed_error()
        with self._lock:
            self._data += data

    def reopen(self) -> None:
        self.reopens += 1
        self.open()

    def close(self) -> None:
        self._open = False

    def last_line(self) -> bytes | None:
        with self._lock:
            end = self._data.rfind(b"\n")
            if end < 0:
                return None
            return bytes(self._data[self._data.rfind(b"\n", 0, end) + 1 : end + 1])
