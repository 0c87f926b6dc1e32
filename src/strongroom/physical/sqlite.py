"""SQLite storage, the embedded default: durable on acknowledgement, with group commit.

One dedicated thread owns the connection and runs every statement, so the event loop never waits
on disk and SQLite needs no locking between our own calls. The database runs in WAL mode with
`synchronous=FULL`: a commit returns only after the WAL is fsynced, so an acknowledged write
survives kill -9 and power loss.

Group commit: writes queue on the event loop; the writes that arrive while one batch commits wait,
then commit together as the next batch, in one transaction and one fsync. Each caller is
acknowledged only after its own batch has committed, so durability is unchanged while throughput
grows with the number of concurrent writers.
"""

from __future__ import annotations

import asyncio
import builtins
import os
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from strongroom.errors import StorageError
from strongroom.physical.base import (
    Delete,
    Put,
    TxnOp,
    closed_error,
    list_children,
    validate_key,
    validate_ops,
    validate_prefix,
)

T = TypeVar("T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID"
)
_GET = "SELECT value FROM entries WHERE key = ?"
_PUT = (
    "INSERT INTO entries (key, value) VALUES (?, ?)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_DELETE = "DELETE FROM entries WHERE key = ?"
# (inclusive low bound, has a high bound) -> keys-only range query on the primary key.
_SCAN = {
    (True, True): "SELECT key FROM entries WHERE key >= ? AND key < ? ORDER BY key LIMIT ?",
    (False, True): "SELECT key FROM entries WHERE key > ? AND key < ? ORDER BY key LIMIT ?",
    (True, False): "SELECT key FROM entries WHERE key >= ? ORDER BY key LIMIT ?",
    (False, False): "SELECT key FROM entries WHERE key > ? ORDER BY key LIMIT ?",
}

_Write = tuple[Sequence[TxnOp], asyncio.Future[None]]


class SqliteBackend:
    def __init__(self, path: str) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="strongroom-sqlite")
        self._db: sqlite3.Connection | None = None  # used only on the executor's thread
        self._pending: list[_Write] = []
        self._committer: asyncio.Task[None] | None = None
        self._closed = False
        try:
            # Opening happens once, at start-up, so waiting here is fine and surfaces errors early.
            self._executor.submit(self._open, path).result()
        except (OSError, sqlite3.Error) as exc:
            self._executor.shutdown()
            raise StorageError("cannot open the SQLite database") from exc

    async def get(self, key: str) -> bytes | None:
        validate_key(key)
        return await self._call(self._get, key)

    async def put(self, key: str, value: bytes) -> None:
        validate_key(key)
        await self._write([Put(key, value)])

    async def delete(self, key: str) -> None:
        validate_key(key)
        await self._write([Delete(key)])

    async def transaction(self, ops: Sequence[TxnOp]) -> None:
        validate_ops(ops)
        if ops:
            await self._write(tuple(ops))  # the caller may reuse its list before we commit

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> builtins.list[str]:
        validate_prefix(prefix)
        return await self._call(list_children, self._scan, prefix, after, limit)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._committer is not None:
            await asyncio.wait([self._committer])  # acknowledge what was already queued
        try:
            await self._call_unchecked(self._close)
        finally:
            await asyncio.to_thread(self._executor.shutdown, wait=True)

    # --- event loop side -------------------------------------------------------------------------

    async def _call(self, fn: Callable[..., T], *args: object) -> T:
        if self._closed:
            raise closed_error()
        return await self._call_unchecked(fn, *args)

    async def _call_unchecked(self, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, fn, *args)
        except sqlite3.Error as exc:
            raise StorageError() from exc

    async def _write(self, ops: Sequence[TxnOp]) -> None:
        if self._closed:
            raise closed_error()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((ops, done))
        if self._committer is None:
            self._committer = asyncio.create_task(self._commit_pending())
        await done

    async def _commit_pending(self) -> None:
        """Commit queued writes batch after batch until the queue is empty."""
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                errors: builtins.list[Exception | None]
                try:
                    errors = await loop.run_in_executor(
                        self._executor, self._commit, [ops for ops, _ in batch]
                    )
                except Exception as exc:  # the batch as a whole failed: fail every write in it
                    errors = [exc] * len(batch)
                for (_, done), error in zip(batch, errors, strict=True):
                    _settle(done, error)
        finally:
            self._committer = None

    # --- connection thread side ------------------------------------------------------------------

    def _open(self, path: str) -> None:
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, mode=0o700, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # SQLite's -wal/-shm copy this mode
        db = sqlite3.connect(path, isolation_level=None)  # autocommit: we write BEGIN/COMMIT
        try:
            (mode,) = db.execute("PRAGMA journal_mode = WAL").fetchone()
            if mode != "wal":
                raise sqlite3.OperationalError(f"journal_mode is {mode}, not wal")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA busy_timeout = 5000")  # another process may hold the write lock
            db.execute(_SCHEMA)
        except BaseException:
            db.close()
            raise
        self._db = db

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise sqlite3.ProgrammingError("connection is closed")
        return self._db

    def _get(self, key: str) -> bytes | None:
        row = self._conn().execute(_GET, (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def _scan(self, low: str, inclusive: bool, high: str | None, count: int) -> builtins.list[str]:
        args = (low, count) if high is None else (low, high, count)
        return [key for (key,) in self._conn().execute(_SCAN[inclusive, high is not None], args)]

    def _commit(self, batch: builtins.list[Sequence[TxnOp]]) -> builtins.list[Exception | None]:
        """Commit a batch of writes in one transaction. If that fails, retry each write in its own
        transaction so that only the failing one reports the error."""
        try:
            self._apply([op for ops in batch for op in ops])
            return [None] * len(batch)
        except sqlite3.Error as exc:
            if len(batch) == 1:
                return [exc]
        return [self._apply_alone(ops) for ops in batch]

    def _apply_alone(self, ops: Sequence[TxnOp]) -> Exception | None:
        try:
            self._apply(ops)
        except sqlite3.Error as exc:
            return exc
        return None

    def _apply(self, ops: Sequence[TxnOp]) -> None:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            for op in ops:
                if isinstance(op, Put):
                    db.execute(_PUT, (op.key, op.value))
                else:
                    db.execute(_DELETE, (op.key,))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


def _settle(done: asyncio.Future[None], error: Exception | None) -> None:
    if done.done():  # the caller was cancelled; the write may still have committed
        return
    if error is None:
        done.set_result(None)
    else:
        failure = StorageError()
        failure.__cause__ = error
        done.set_exception(failure)
