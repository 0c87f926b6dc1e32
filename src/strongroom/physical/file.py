"""File storage: one file per key under a root directory, each write durable when acknowledged.

Layout: the key `a/b/c` is the file `<root>/a/b/_c`. Each segment is encoded to lowercase ASCII
letters, digits, `-` and `.`, anything else as `%XX` bytes of its UTF-8 (upper case too, so the
layout also holds on case-insensitive filesystems). Leaf files carry a `_` prefix that encoding
never produces, so the key `a` and the folder `a/` coexist; temporary files start with `~`, which
encoding never produces either. So no key can escape the root (segments hold no `/`, and `.` and
`..` are invalid segments) or collide with another key or a temporary file. A segment whose file
name would exceed 255 bytes is refused.

Writes to one key are serialised; different keys are written in parallel on a small thread pool.
There is no `transaction()`: several files cannot be replaced atomically.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from urllib.parse import unquote

from strongroom.errors import StorageError
from strongroom.physical.base import closed_error, page, validate_key, validate_prefix

T = TypeVar("T")

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")
_LEAF = "_"
_TEMP = "~"
_NAME_MAX = 255
_DIR_RETRIES = 5


def encode_segment(segment: str) -> str:
    return "".join(c if c in _SAFE else "".join(f"%{b:02X}" for b in c.encode()) for c in segment)


def decode_segment(name: str) -> str | None:
    """The segment `name` encodes, or None for a name this backend did not write."""
    try:
        segment = unquote(name, errors="strict")
    except UnicodeDecodeError:
        return None
    return segment if segment and encode_segment(segment) == name else None


class FileBackend:
    def __init__(self, path: str, *, max_workers: int = 8) -> None:
        self._root = os.path.abspath(path)
        try:
            os.makedirs(self._root, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise StorageError("cannot create the storage directory") from exc
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="strongroom-file")
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._closed = False

    async def get(self, key: str) -> bytes | None:
        directory, name = self._locate(key)
        return await self._run(_read, os.path.join(directory, name))

    async def put(self, key: str, value: bytes) -> None:
        directory, name = self._locate(key)
        async with self._key_lock(key):
            await self._run(_write, self._root, directory, name, value)

    async def delete(self, key: str) -> None:
        directory, name = self._locate(key)
        async with self._key_lock(key):
            await self._run(_remove, self._root, directory, name)

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> builtins.list[str]:
        validate_prefix(prefix)
        directory = os.path.join(self._root, *map(encode_segment, prefix.split("/")[:-1]))
        names = await self._run(_children, directory)
        return page(names, after, limit)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await asyncio.to_thread(self._executor.shutdown, wait=True)

    def _locate(self, key: str) -> tuple[str, str]:
        """The directory and file name of `key`."""
        validate_key(key)
        *folders, leaf = [encode_segment(segment) for segment in key.split("/")]
        leaf = _LEAF + leaf
        if max(len(name) for name in [*folders, leaf]) > _NAME_MAX:
            raise StorageError("storage key segment too long for the file backend")
        return os.path.join(self._root, *folders), leaf

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        """Run blocking `fn` on the pool. If our caller is cancelled, the thread still finishes
        before we re-raise, so a key lock held around this call covers the whole disk write."""
        if self._closed:
            raise closed_error()
        future = asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            await asyncio.wait([future])
            raise
        except OSError as exc:
            raise StorageError() from exc

    @contextlib.asynccontextmanager
    async def _key_lock(self, key: str) -> AsyncIterator[None]:
        """A FIFO lock per key, dropped when no task holds or awaits it."""
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


# --- blocking helpers, run on the pool -----------------------------------------------------------


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        return None


def _write(root: str, directory: str, name: str, value: bytes) -> None:
    for _ in range(_DIR_RETRIES):
        try:
            _make_dirs(root, directory)
            temp = _write_temp(directory, value)
            break
        except FileNotFoundError:
            continue  # a concurrent delete pruned a directory on our path: create it again
    else:
        raise StorageError("storage directory kept disappearing")
    try:
        os.replace(temp, os.path.join(directory, name))
    except OSError:
        os.unlink(temp)
        raise
    _fsync_dir(directory)


def _write_temp(directory: str, value: bytes) -> str:
    temp = os.path.join(directory, _TEMP + secrets.token_hex(8))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(fd, "wb") as file:
            file.write(value)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def _make_dirs(root: str, directory: str) -> None:
    """Create the missing directories down to `directory`, each made durable in its parent."""
    if os.path.isdir(directory):
        return
    path = root
    for part in os.path.relpath(directory, root).split(os.sep):
        parent, path = path, os.path.join(path, part)
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
            _fsync_dir(parent)


def _remove(root: str, directory: str, name: str) -> None:
    try:
        os.unlink(os.path.join(directory, name))
    except FileNotFoundError:
        return
    _fsync_dir(directory)
    # Prune now-empty folders so they leave listings. A directory that a concurrent write is using
    # is not empty (its temp file is there), so rmdir fails and we stop.
    while directory != root:
        try:
            os.rmdir(directory)
        except OSError:
            return
        directory = os.path.dirname(directory)


def _children(directory: str) -> list[str]:
    try:
        entries = os.scandir(directory)
    except FileNotFoundError:
        return []
    names: list[str] = []
    with entries:
        for entry in entries:
            child = _child(entry)
            if child is not None:
                names.append(child)
    names.sort()
    return names


def _child(entry: os.DirEntry[str]) -> str | None:
    if entry.is_dir(follow_symlinks=False):
        folder = decode_segment(entry.name)
        return None if folder is None else folder + "/"
    if entry.name.startswith(_LEAF) and entry.is_file(follow_symlinks=False):
        return decode_segment(entry.name[len(_LEAF) :])
    return None


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
