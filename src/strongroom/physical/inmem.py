"""In-memory storage: the reference backend and the fast test double. Nothing survives `close()`.

Every operation runs to completion without awaiting, so on one event loop each is atomic and a
transaction needs no lock.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from sortedcontainers import SortedList

from strongroom.physical.base import (
    Put,
    TxnOp,
    closed_error,
    list_children,
    validate_key,
    validate_ops,
    validate_prefix,
)


class InmemBackend:
    """A dict of values plus a sorted list of keys, so listing is a range scan as in SQLite."""

    def __init__(self) -> None:
        self._values: dict[str, bytes] = {}
        # A sorted list with logarithmic inserts: listing is a range scan, as in SQLite.
        self._keys: SortedList = SortedList()
        self._closed = False

    async def get(self, key: str) -> bytes | None:
        self._check(key)
        return self._values.get(key)

    async def put(self, key: str, value: bytes) -> None:
        self._check(key)
        self._put(key, value)

    async def delete(self, key: str) -> None:
        self._check(key)
        self._delete(key)

    async def transaction(self, ops: Sequence[TxnOp]) -> None:
        self._check_open()
        validate_ops(ops)
        for op in ops:
            if isinstance(op, Put):
                self._put(op.key, op.value)
            else:
                self._delete(op.key)

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> builtins.list[str]:
        self._check_open()
        validate_prefix(prefix)
        return list_children(self._scan, prefix, after, limit)

    async def close(self) -> None:
        self._closed = True
        self._values.clear()
        self._keys.clear()

    def _put(self, key: str, value: bytes) -> None:
        if key not in self._values:
            self._keys.add(key)
        self._values[key] = bytes(value)  # a caller's bytearray must not change what we stored

    def _delete(self, key: str) -> None:
        if self._values.pop(key, None) is not None:
            self._keys.remove(key)

    def _scan(self, low: str, inclusive: bool, high: str | None, count: int) -> Sequence[str]:
        keys = self._keys
        start = keys.bisect_left(low) if inclusive else keys.bisect_right(low)
        stop = len(keys) if high is None else keys.bisect_left(high)
        found: list[str] = keys[start : min(stop, start + count)]
        return found

    def _check(self, key: str) -> None:
        self._check_open()
        validate_key(key)

    def _check_open(self) -> None:
        if self._closed:
            raise closed_error()
