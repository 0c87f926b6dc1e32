"""Every physical backend passes the shared storage conformance suite."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pytest

from strongroom.errors import ConfigError, StorageError
from strongroom.physical.base import Backend, Put, list_children
from strongroom.physical.cache import cached
from strongroom.physical.file import FileBackend, decode_segment, encode_segment
from strongroom.physical.inmem import InmemBackend
from strongroom.physical.registry import create_backend
from strongroom.physical.sqlite import SqliteBackend
from strongroom.testing.physical import BackendConformance


class TestInmem(BackendConformance):
    async def make_backend(self, directory: Path) -> Backend:
        return InmemBackend()


class TestFile(BackendConformance):
    persistent = True

    async def make_backend(self, directory: Path) -> Backend:
        return FileBackend(str(directory / "files"))


class TestSqlite(BackendConformance):
    persistent = True

    async def make_backend(self, directory: Path) -> Backend:
        return SqliteBackend(str(directory / "strongroom.db"))


def test_listing_skips_folder_subtrees() -> None:
    """A listing reads at most one batch of a folder's keys, however many the folder holds."""
    keys = sorted([f"p/big/{i:06}" for i in range(100_000)] + ["p/a", "p/c", "q/x"])
    scanned: list[int] = []

    def scan(low: str, inclusive: bool, high: str | None, count: int) -> Sequence[str]:
        chosen = [
            key
            for key in keys
            if (key >= low if inclusive else key > low) and (high is None or key < high)
        ]
        scanned.append(min(len(chosen), count))
        return chosen[:count]

    assert list_children(scan, "p/", batch=100) == ["a", "big/", "c"]
    assert sum(scanned) <= 101


# --- backend specifics the shared suite cannot reach ---------------------------------------------


async def test_sqlite_one_failing_write_does_not_fail_its_batch(tmp_path: Path) -> None:
    backend = SqliteBackend(str(tmp_path / "db"))
    unbindable = cast(bytes, object())  # SQLite refuses to bind it, failing inside the batch
    try:
        results = await asyncio.gather(
            backend.put("a", b"1"),
            backend.put("bad", unbindable),
            backend.transaction([Put("b", b"2"), Put("bad2", unbindable)]),
            backend.put("c", b"3"),
            return_exceptions=True,
        )
        assert [type(result) for result in results] == [
            type(None),
            StorageError,
            StorageError,
            type(None),
        ]
        assert await backend.list("") == ["a", "c"]
    finally:
        await backend.close()


def test_sqlite_unopenable_path_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(StorageError):
        SqliteBackend(str(tmp_path / "file" / "db"))


@pytest.mark.parametrize(
    ("segment", "name"),
    [("abc-1.2", "abc-1.2"), ("Abc", "%41bc"), ("_x", "%5Fx"), ("~", "%7E"), ("é", "%C3%A9")],
)
def test_file_segment_encoding(segment: str, name: str) -> None:
    assert encode_segment(segment) == name
    assert decode_segment(name) == segment


@pytest.mark.parametrize("name", ["%4", "%FF", "", "Abc", "%5fx", "%61"])
def test_file_foreign_names_are_not_decoded(name: str) -> None:
    assert decode_segment(name) is None  # only the canonical encoding of a segment decodes


async def test_file_ignores_foreign_and_temporary_files(tmp_path: Path) -> None:
    backend = FileBackend(str(tmp_path))
    try:
        await backend.put("k", b"v")
        (tmp_path / "~tmp-leftover").write_bytes(b"")
        (tmp_path / "README").write_bytes(b"")
        (tmp_path / "Upper").mkdir()
        assert await backend.list("") == ["k"]
        with pytest.raises(StorageError):
            await backend.put("X" * 100, b"v")  # encodes to 300 bytes; file names hold 255
    finally:
        await backend.close()


async def test_registry_builds_each_backend(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    backends = [
        create_backend("inmem", {}),
        create_backend("file", {"path": str(tmp_path / "files")}),
        create_backend("sqlite", {"path": str(tmp_path / "dir")}),
        create_backend("sqlite", {"path": f"{tmp_path}/new/"}),
        create_backend("sqlite", {"path": str(tmp_path / "named.db")}),
    ]
    assert [type(backend) for backend in backends] == [
        InmemBackend,
        FileBackend,
        SqliteBackend,
        SqliteBackend,
        SqliteBackend,
    ]
    for backend in backends:
        await backend.close()
    assert (tmp_path / "dir" / "strongroom.db").is_file()
    assert (tmp_path / "new" / "strongroom.db").is_file()
    assert (tmp_path / "named.db").is_file()


@pytest.mark.parametrize(("kind", "options"), [("nosuch", {}), ("file", {}), ("sqlite", {})])
def test_registry_config_errors(kind: str, options: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        create_backend(kind, options)


class TestCachedSqlite(BackendConformance):
    """The read cache in front of a durable backend keeps every promise of the backend."""

    persistent = True

    async def make_backend(self, directory: Path) -> Backend:
        return cached(SqliteBackend(str(directory / "strongroom.db")), size=64)


class TestCachedFile(BackendConformance):
    persistent = True

    async def make_backend(self, directory: Path) -> Backend:
        return cached(FileBackend(str(directory / "files")), size=64)


async def test_a_read_racing_a_write_never_caches_the_old_value(tmp_path: Path) -> None:
    store = cached(SqliteBackend(str(tmp_path / "db")))
    await store.put("k", b"old")
    store.invalidate()
    read = asyncio.create_task(store.get("k"))
    await asyncio.sleep(0)  # the read is now waiting on the storage thread
    await store.put("k", b"new")
    await read
    assert await store.get("k") == b"new"
    await store.close()


class GatedBackend(InmemBackend):
    """In-memory storage whose reads and writes wait at gates the test opens."""

    def __init__(self) -> None:
        super().__init__()
        self.read_gate = asyncio.Event()
        self.write_gate = asyncio.Event()
        self.read_gate.set()
        self.write_gate.set()

    async def get(self, key: str) -> bytes | None:
        value = await super().get(key)
        await self.read_gate.wait()  # the value was read; the caller hears of it later
        return value

    async def put(self, key: str, value: bytes) -> None:
        await self.write_gate.wait()
        await super().put(key, value)


async def test_a_read_overlapping_a_write_does_not_cache_what_it_read() -> None:
    inner = GatedBackend()
    store = cached(inner)
    await store.put("k", b"old")
    store.invalidate()
    inner.write_gate.clear()
    writer = asyncio.create_task(store.put("k", b"new"))  # started, not yet applied
    await asyncio.sleep(0)
    inner.read_gate.clear()
    reader = asyncio.create_task(store.get("k"))  # reads "old" and waits
    await asyncio.sleep(0)
    inner.write_gate.set()
    await writer
    inner.read_gate.set()
    assert await reader == b"old"
    assert await store.get("k") == b"new"
