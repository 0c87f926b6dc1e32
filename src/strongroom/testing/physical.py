"""The storage conformance suite every physical backend passes, and a kill -9 durability check.

Use it by subclassing::

    class TestSqlite(BackendConformance):
        persistent = True

        async def make_backend(self, directory: Path) -> Backend:
            return SqliteBackend(str(directory / "db"))

Each test gets a fresh temporary `directory`; `reopen()` closes a backend and opens the same
storage again (by default: `make_backend(directory)` again, when `persistent`).
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Iterable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from strongroom.errors import StorageError
from strongroom.physical.base import Backend, Delete, Put, TransactionalBackend, TxnOp

INVALID_KEYS = [
    "",
    "a\nb",
    "tab\there",
    "nul\x00",
    "..",
    "../escape",
    "a/../b",
    "a/./b",
    ".",
    "/leading",
    "trailing/",
    "a//b",
    "x" * 5000,
]
UNICODE_KEYS = ["ключ/значение", "日本/語の鍵", "emoji/🔑", "mixed/Ünïcödé key"]
BIG_LISTING = 10_000
WRITER_SECONDS = 20.0  # bound on the kill -9 test's wait for acknowledgements


def value_for(key: str) -> bytes:
    """A deterministic value for `key`, so a reader can check what a writer wrote."""
    return hashlib.sha256(key.encode()).digest() * 2


async def put_all(
    backend: Backend, items: Iterable[tuple[str, bytes]], concurrency: int = 64
) -> None:
    """Write many keys concurrently, at most `concurrency` at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(key: str, value: bytes) -> None:
        async with gate:
            await backend.put(key, value)

    await asyncio.gather(*(one(key, value) for key, value in items))


async def list_all(backend: Backend, prefix: str, page_size: int) -> list[str]:
    """Walk a listing page by page with `after`/`limit`."""
    names: list[str] = []
    while True:
        chunk = await backend.list(prefix, after=names[-1] if names else None, limit=page_size)
        assert len(chunk) <= page_size
        names += chunk
        if len(chunk) < page_size:
            return names


class BackendConformance:
    """Mixin of tests for `Backend` (and `TransactionalBackend` when a backend implements it)."""

    persistent: ClassVar[bool] = False

    async def make_backend(self, directory: Path) -> Backend:
        """A backend storing under `directory`; subclasses implement it."""
        raise NotImplementedError

    async def reopen(self, backend: Backend, directory: Path) -> Backend:
        """Close `backend` and open its storage again."""
        await backend.close()
        if not self.persistent:
            pytest.skip("backend does not persist across close")
        return await self.make_backend(directory)

    @pytest.fixture
    async def backend(self, tmp_path: Path) -> AsyncIterator[Backend]:
        store = await self.make_backend(tmp_path)
        yield store
        await store.close()

    @pytest.fixture
    def transactional(self, backend: Backend) -> TransactionalBackend:
        if not isinstance(backend, TransactionalBackend):
            pytest.skip("backend has no transactions")
        return backend

    # --- get / put / delete ----------------------------------------------------------------------

    async def test_get_missing_is_none(self, backend: Backend) -> None:
        assert await backend.get("missing") is None
        assert await backend.get("missing/nested") is None

    @pytest.mark.parametrize(
        "value",
        [b"", b"\x00", bytes(range(256)), os.urandom(1024 * 1024)],
        ids=["empty", "nul", "all-bytes", "1MiB"],
    )
    async def test_put_get_roundtrip(self, backend: Backend, value: bytes) -> None:
        await backend.put("secret/value", value)
        assert await backend.get("secret/value") == value

    async def test_overwrite(self, backend: Backend) -> None:
        await backend.put("k", b"one")
        await backend.put("k", b"two")
        assert await backend.get("k") == b"two"
        assert await backend.list("") == ["k"]

    async def test_delete(self, backend: Backend) -> None:
        await backend.put("a/b/c", b"1")
        await backend.put("a/x", b"2")
        await backend.delete("a/b/c")
        assert await backend.get("a/b/c") is None
        assert await backend.get("a/x") == b"2"
        assert await backend.list("a/") == ["x"]  # the emptied folder is gone too
        await backend.delete("a/x")
        assert await backend.list("") == []

    async def test_delete_missing_is_fine(self, backend: Backend) -> None:
        await backend.delete("never/written")
        await backend.put("k", b"v")
        await backend.delete("k")
        await backend.delete("k")
        assert await backend.get("k") is None

    # --- list ------------------------------------------------------------------------------------

    async def test_list_immediate_children(self, backend: Backend) -> None:
        for key in ["a", "b/c", "b/d/e", "b/d/f/g", "c"]:
            await backend.put(key, b"v")
        assert await backend.list("") == ["a", "b/", "c"]
        assert await backend.list("b/") == ["c", "d/"]
        assert await backend.list("b/d/") == ["e", "f/"]
        assert await backend.list("b/d/f/") == ["g"]
        assert await backend.list("missing/") == []
        assert await backend.list("a/") == []  # a leaf is not a folder

    async def test_key_and_folder_with_the_same_name(self, backend: Backend) -> None:
        await backend.put("a", b"leaf")
        await backend.put("a/b", b"nested")
        assert await backend.list("") == ["a", "a/"]
        assert await backend.get("a") == b"leaf"
        await backend.delete("a")
        assert await backend.list("") == ["a/"]
        assert await backend.get("a/b") == b"nested"

    async def test_list_is_sorted(self, backend: Backend) -> None:
        keys = ["b", "a-b", "a.b", "a/c", "a0", "A", "_", "~", "é", "日", "a b", "Z/y", "%41"]
        for key in reversed(keys):
            await backend.put(key, b"v")
        expected = sorted({key.split("/")[0] + ("/" if "/" in key else "") for key in keys})
        assert await backend.list("") == expected

    async def test_list_pagination_walks_everything(self, backend: Backend) -> None:
        for i in range(23):
            await backend.put(f"p/key{i:02}", b"v")
            if i % 4 == 0:
                await backend.put(f"p/key{i:02}/child", b"v")
        everything = await backend.list("p/")
        assert len(everything) == 29
        for size in (1, 3, 7, 100):
            assert await list_all(backend, "p/", size) == everything

    async def test_list_after_and_limit(self, backend: Backend) -> None:
        for key in ["p/a", "p/b/x", "p/b/y", "p/b-c", "p/c"]:
            await backend.put(key, b"v")
        assert await backend.list("p/") == ["a", "b-c", "b/", "c"]
        assert await backend.list("p/", after="a") == ["b-c", "b/", "c"]
        assert await backend.list("p/", after="b-c") == ["b/", "c"]
        assert await backend.list("p/", after="b/") == ["c"]
        assert await backend.list("p/", after="b/x") == ["c"]  # not a child name: still exclusive
        assert await backend.list("p/", after="0") == ["a", "b-c", "b/", "c"]
        assert await backend.list("p/", after="c") == []
        assert await backend.list("p/", limit=2) == ["a", "b-c"]
        assert await backend.list("p/", after="a", limit=2) == ["b-c", "b/"]
        assert await backend.list("p/", limit=0) == ["a", "b-c", "b/", "c"]  # 0: no limit

    async def test_big_listing(self, backend: Backend) -> None:
        keys = [f"big/{i:05}" for i in range(BIG_LISTING)]
        folders = [f"big/f{i}/deep/er" for i in range(50)]
        await put_all(backend, ((key, b"v") for key in keys + folders))
        expected = sorted(key[len("big/") :] for key in keys) + [f"f{i}/" for i in range(50)]
        expected.sort()
        assert await backend.list("big/") == expected
        assert await list_all(backend, "big/", 997) == expected
        assert await backend.list("") == ["big/"]

    # --- keys ------------------------------------------------------------------------------------

    @pytest.mark.parametrize("key", INVALID_KEYS)
    @pytest.mark.parametrize("operation", ["get", "put", "delete"])
    async def test_invalid_keys_are_rejected(
        self, backend: Backend, key: str, operation: str
    ) -> None:
        call: Awaitable[Any] = (
            backend.put(key, b"v") if operation == "put" else getattr(backend, operation)(key)
        )
        with pytest.raises(StorageError):
            await call
        assert await backend.list("") == []

    @pytest.mark.parametrize("prefix", ["/", "a", "/a/", "a//", "../", "a/../", "x\n/"])
    async def test_invalid_prefixes_are_rejected(self, backend: Backend, prefix: str) -> None:
        with pytest.raises(StorageError):
            await backend.list(prefix)

    async def test_unicode_keys(self, backend: Backend) -> None:
        for key in UNICODE_KEYS:
            await backend.put(key, key.encode())
        for key in UNICODE_KEYS:
            assert await backend.get(key) == key.encode()
        assert await backend.list("") == sorted(key.split("/")[0] + "/" for key in UNICODE_KEYS)
        assert await backend.list("日本/") == ["語の鍵"]

    async def test_case_matters(self, backend: Backend) -> None:
        await backend.put("Key", b"upper")
        await backend.put("key", b"lower")
        assert await backend.get("Key") == b"upper"
        assert await backend.get("key") == b"lower"
        assert await backend.list("") == ["Key", "key"]

    # --- concurrency -----------------------------------------------------------------------------

    async def test_concurrent_writers(self, backend: Backend) -> None:
        tasks, writes, shared = 50, 20, 5

        async def writer(task: int) -> None:
            for i in range(writes):
                own = f"own/{task}/{i}"
                await backend.put(own, value_for(own))
                assert await backend.get(own) == value_for(own)  # readable once acknowledged
                await backend.put(f"shared/{i % shared}", f"{task}:{i}".encode())

        await asyncio.gather(*(writer(task) for task in range(tasks)))
        for task in range(tasks):
            for i in range(writes):
                assert await backend.get(f"own/{task}/{i}") == value_for(f"own/{task}/{i}")
        assert await backend.list("own/") == sorted(f"{task}/" for task in range(tasks))
        written = {f"{task}:{i}".encode() for task in range(tasks) for i in range(writes)}
        for s in range(shared):
            assert await backend.get(f"shared/{s}") in written

    async def test_same_key_writes_apply_in_order(self, backend: Backend) -> None:
        """Writes to one key issued without waiting land in order: the last one wins."""
        await asyncio.gather(*(backend.put("k", str(i).encode()) for i in range(100)))
        assert await backend.get("k") == b"99"
        await asyncio.gather(backend.put("k", b"again"), backend.delete("k"))
        assert await backend.get("k") is None

    # --- transactions ----------------------------------------------------------------------------

    async def test_transaction_applies_puts_and_deletes(
        self, transactional: TransactionalBackend
    ) -> None:
        await transactional.put("old", b"1")
        await transactional.transaction([Put("new", b"2"), Delete("old"), Put("x/y", b"3")])
        assert await transactional.get("old") is None
        assert await transactional.get("new") == b"2"
        assert await transactional.list("") == ["new", "x/"]

    async def test_transaction_is_all_or_nothing(self, transactional: TransactionalBackend) -> None:
        await transactional.put("keep", b"1")
        ops: list[TxnOp] = [Put("a", b"1"), Delete("keep"), Put("../bad", b"2")]
        with pytest.raises(StorageError):
            await transactional.transaction(ops)
        assert await transactional.get("a") is None
        assert await transactional.get("keep") == b"1"

    async def test_transaction_ops_apply_in_order(
        self, transactional: TransactionalBackend
    ) -> None:
        await transactional.transaction([Put("k", b"1"), Put("k", b"2"), Put("gone", b"x")])
        await transactional.transaction([Delete("gone"), Put("gone2", b"y"), Delete("gone2")])
        assert await transactional.get("k") == b"2"
        assert await transactional.list("") == ["k"]
        await transactional.transaction([])

    async def test_concurrent_transactions(self, transactional: TransactionalBackend) -> None:
        async def move(i: int) -> None:
            await transactional.put(f"from/{i}", b"v")
            await transactional.transaction([Delete(f"from/{i}"), Put(f"to/{i}", b"v")])

        await asyncio.gather(*(move(i) for i in range(50)))
        assert await transactional.list("from/") == []
        assert len(await transactional.list("to/")) == 50

    # --- lifecycle -------------------------------------------------------------------------------

    async def test_persists_across_reopen(self, backend: Backend, tmp_path: Path) -> None:
        await backend.put("a/b", b"1")
        await backend.put("a/c", b"")
        await backend.put("gone", b"x")
        await backend.delete("gone")
        reopened = await self.reopen(backend, tmp_path)
        try:
            assert await reopened.get("a/b") == b"1"
            assert await reopened.get("a/c") == b""
            assert await reopened.get("gone") is None
            assert await reopened.list("") == ["a/"]
        finally:
            await reopened.close()

    async def test_closed_backend_refuses_operations(self, backend: Backend) -> None:
        await backend.put("k", b"v")
        await backend.close()
        await backend.close()  # closing twice is fine
        with pytest.raises(StorageError):
            await backend.get("k")
        with pytest.raises(StorageError):
            await backend.put("k", b"v")
        with pytest.raises(StorageError):
            await backend.list("")


# --- kill -9 durability ----------------------------------------------------------------------


async def check_acknowledged_writes_survive_sigkill(
    backend_class: str, path: str, *, acknowledged: int = 300
) -> int:
    """Run a child process that writes through `backend_class` ("module:Class", built from `path`)
    with several concurrent writers and prints each key once its put is acknowledged; kill -9 it
    after `acknowledged` acknowledgements, reopen the storage here and assert that every
    acknowledged key holds its value. Returns how many keys were checked."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from strongroom.testing.physical import _killed_writer; _killed_writer()",
        backend_class,
        path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stderr is not None
    keys: list[str] = []
    try:
        async with asyncio.timeout(WRITER_SECONDS):
            while len(keys) < acknowledged and (line := await child.stdout.readline()):
                keys.append(line.decode().rstrip("\n"))
    finally:
        child.send_signal(signal.SIGKILL)
    rest, errors = await asyncio.gather(child.stdout.read(), child.stderr.read())
    await child.wait()
    assert len(keys) >= acknowledged, f"the writer stopped early: {errors.decode()[-2000:]}"
    assert child.returncode == -signal.SIGKILL
    keys += rest.decode().split("\n")[:-1]  # a partial last line was not acknowledged
    backend = _open(backend_class, path)
    try:
        for key in keys:
            assert await backend.get(key) == value_for(key), key
    finally:
        await backend.close()
    return len(keys)


def _open(backend_class: str, path: str) -> Backend:
    module, _, name = backend_class.partition(":")
    backend: Backend = getattr(importlib.import_module(module), name)(path)
    return backend


def _killed_writer(writers: int = 8) -> None:
    """The child of `check_acknowledged_writes_survive_sigkill`: write until killed."""
    backend = _open(sys.argv[1], sys.argv[2])

    async def writer(number: int) -> None:
        for i in range(sys.maxsize):
            key = f"w{number}/k{i}"
            await backend.put(key, value_for(key))
            print(key, flush=True)

    async def main() -> None:
        await asyncio.gather(*(writer(number) for number in range(writers)))

    asyncio.run(main())
