"""The physical storage protocol every backend implements.

Keys are printable UTF-8 strings with `/` as the folder separator. `list(prefix)` answers the
immediate children of `prefix`: keys, and folders with a trailing `/`, sorted, optionally starting
strictly after `after` and at most `limit` long (Vault's `ListPage`; a `limit` of 0 or less means
no limit). Writes to one key issued on one event loop apply in call order, so the last call wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from strongroom.errors import StorageError

MAX_KEY_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Put:
    key: str
    value: bytes


@dataclass(frozen=True, slots=True)
class Delete:
    key: str


TxnOp = Put | Delete


@runtime_checkable
class Backend(Protocol):
    """Required operations. Every method may raise `StorageError`."""

    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, value: bytes) -> None: ...

    async def delete(self, key: str) -> None:
        """Delete `key`; deleting an absent key is not an error."""
        ...

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> list[str]: ...

    async def close(self) -> None: ...


@runtime_checkable
class TransactionalBackend(Backend, Protocol):
    """Optional capability: apply several puts and deletes atomically, all or nothing."""

    async def transaction(self, ops: Sequence[TxnOp]) -> None: ...


def validate_key(key: str) -> None:
    """Refuse keys no backend may store: empty, non-printable, over-long, relative, or with an
    empty segment (a leading, trailing or doubled `/`)."""
    if not key or len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise StorageError("invalid storage key")
    if not key.isprintable() or key.startswith("/") or key.endswith("/") or "//" in key:
        raise StorageError("invalid storage key")
    if any(part in (".", "..") for part in key.split("/")):
        raise StorageError("invalid storage key")


def validate_prefix(prefix: str) -> None:
    """Refuse list prefixes other than the root `""` or a valid key followed by `/`."""
    if not prefix:
        return
    if not prefix.endswith("/"):
        raise StorageError("invalid storage prefix")
    validate_key(prefix[:-1])


def validate_ops(ops: Sequence[TxnOp]) -> None:
    """Check every key of a transaction before applying any of it."""
    for op in ops:
        validate_key(op.key)


def closed_error() -> StorageError:
    return StorageError("storage backend is closed")


def child_name(prefix: str, key: str) -> str:
    """The immediate child of `prefix` that `key` lies in: a leaf name or a `folder/` name."""
    rest = key[len(prefix) :]
    slash = rest.find("/")
    return rest if slash < 0 else rest[: slash + 1]


def subtree_end(folder: str) -> str:
    """The smallest string above every key under `folder` (which ends in `/`): `0` follows `/`."""
    return folder[:-1] + "0"


def page(names: list[str], after: str | None, limit: int | None) -> list[str]:
    """Apply `after` (exclusive) and `limit` to sorted child names."""
    if after is not None:
        names = [name for name in names if name > after]
    if limit is not None and limit > 0:
        names = names[:limit]
    return names


Scan = Callable[[str, bool, str | None, int], Sequence[str]]
"""`scan(low, inclusive, high, count)`: up to `count` sorted keys above `low` (or equal to it when
`inclusive`) and below `high` (unbounded when None)."""


def list_children(
    scan: Scan, prefix: str, after: str | None = None, limit: int | None = None, batch: int = 1000
) -> list[str]:
    """`list()` for backends with sorted keys, reading keys only, one `batch` at a time.

    A folder's keys are contiguous, so once a scan meets a folder the next one starts past its
    whole subtree: a listing reads every leaf child but at most one batch of any folder's keys.
    """
    high = subtree_end(prefix) if prefix else None
    low, inclusive = _list_start(prefix, after)
    names: list[str] = []
    while True:
        keys = scan(low, inclusive, high, batch)
        folder: str | None = None
        for key in keys:
            if folder is not None and key.startswith(folder):
                continue
            name = child_name(prefix, key)
            folder = prefix + name if name.endswith("/") else None
            if after is None or name > after:
                names.append(name)
                if limit is not None and 0 < limit == len(names):
                    return names
        if len(keys) < batch:
            return names
        if folder is not None and keys[-1].startswith(folder):
            low, inclusive = subtree_end(folder), True
        else:
            low, inclusive = keys[-1], False


def _list_start(prefix: str, after: str | None) -> tuple[str, bool]:
    if after is None:
        return prefix, True
    if after.endswith("/"):
        return subtree_end(prefix + after), True
    return prefix + after, False
