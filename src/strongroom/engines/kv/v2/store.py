"""The storage layout of KV version 2, inside the mount's view, and every write to it.

    config                      MountConfig
    metadata/<path>             KeyMetadata of the secret at <path> (versions, settings, …)
    versions/<path>/<n>         VersionRecord: the data of version n

Listing secrets walks `metadata/` keys only (a range scan over key names: no value is read), so
a folder of 100,000 secrets pages through `after`/`limit` cheaply. A change to one secret is one
`write_many` (new version and metadata together, atomic on transactional storage; otherwise the
version data is written before the metadata that makes it visible). Writes to one secret are
serialised by a per-path asyncio lock, and every writer reads the metadata again under it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from weakref import WeakValueDictionary

from strongroom.clock import Clock
from strongroom.engines.kv.v2.records import KeyMetadata, MountConfig, VersionRecord
from strongroom.logical import Storage
from strongroom.logical.storage import write_many

CONFIG_KEY = "config"
METADATA_PREFIX = "metadata/"
VERSIONS_PREFIX = "versions/"
_NS = 1_000_000_000


def now_ns(clock: Clock) -> int:
    """The clock's time in nanoseconds (whole seconds and fraction apart: exact for fake clocks)."""
    now = clock.now()
    seconds = math.floor(now)
    return seconds * _NS + round((now - seconds) * _NS)


def metadata_key(path: str) -> str:
    return METADATA_PREFIX + path


def version_key(path: str, number: int) -> str:
    return f"{VERSIONS_PREFIX}{path}/{number}"


@dataclass(slots=True)
class VersionRead:
    """A version looked up for reading: its data is None when deleted or destroyed."""

    meta: KeyMetadata
    number: int
    data: dict[str, Any] | None


class KvStore:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock
        # A lock lives as long as some task holds or awaits it.
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    def now(self) -> int:
        return now_ns(self._clock)

    def lock(self, path: str) -> asyncio.Lock:
        """The lock that serialises every change to the secret at `path`."""
        lock = self._locks.get(path)
        if lock is None:
            lock = self._locks[path] = asyncio.Lock()
        return lock

    async def config(self) -> MountConfig:
        raw = await self._storage.get(CONFIG_KEY)
        return MountConfig.deserialize(raw) if raw is not None else MountConfig()

    async def put_config(self, config: MountConfig) -> None:
        await self._storage.put(CONFIG_KEY, config.serialize())

    async def metadata(self, path: str) -> KeyMetadata | None:
        raw = await self._storage.get(metadata_key(path))
        return KeyMetadata.deserialize(raw) if raw is not None else None

    async def version_data(self, path: str, number: int) -> dict[str, Any] | None:
        raw = await self._storage.get(version_key(path, number))
        return VersionRecord.deserialize(raw).data if raw is not None else None

    async def read_version(self, path: str, number: int) -> VersionRead | None:
        """Version `number` (0 or less: the current one); None when there is no such version
        (or its data vanished under a concurrent destroy)."""
        meta = await self.metadata(path)
        if meta is None:
            return None
        number = number if number > 0 else meta.current_version
        info = meta.versions.get(number)
        if info is None:
            return None
        if not info.is_readable(self.now()):
            return VersionRead(meta, number, None)
        data = await self.version_data(path, number)
        return VersionRead(meta, number, data) if data is not None else None

    async def save(
        self,
        meta: KeyMetadata,
        new_versions: dict[int, dict[str, Any]] | None = None,
        erased: Iterable[int] = (),
    ) -> None:
        """Write the metadata with any new versions' data and erase other versions' data, in one
        `write_many`: the version data first, the metadata that makes it visible last."""
        puts = {
            version_key(meta.path, number): VersionRecord(data).serialize()
            for number, data in (new_versions or {}).items()
        }
        puts[metadata_key(meta.path)] = meta.serialize()
        deletes = [version_key(meta.path, number) for number in erased]
        await write_many(self._storage, puts, deletes)

    async def delete_secret(self, meta: KeyMetadata) -> None:
        """Remove the secret's metadata (first, so it vanishes at once) and every version."""
        deletes = [metadata_key(meta.path)]
        deletes += [version_key(meta.path, number) for number in sorted(meta.versions)]
        await write_many(self._storage, {}, deletes)

    async def list_paths(self, folder: str, after: str | None, limit: int | None) -> list[str]:
        """The secrets and sub-folders directly in `folder` ("" or ending in `/`)."""
        return await self._storage.list(METADATA_PREFIX + folder, after, limit)
