"""The storage of named keys, and the key cache in front of it.

Every change to a key runs under that key's asyncio lock, reads the current snapshot, stores the
new policy record and only then publishes the new snapshot to the cache. A cache miss loads under
the same lock, so a slow load can never put an older snapshot over a newer one. Requests that
only use a key (encrypt, sign, …) take the cached snapshot without any lock: it is immutable, and
every version it names is in storage. `invalidate` drops cached snapshots when another node may
have changed storage.
"""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from weakref import WeakValueDictionary

from strongroom.clock import Clock
from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.keytypes import Family, KeyType
from strongroom.engines.transit.material import generate_version
from strongroom.engines.transit.records import CacheConfig, KeyPolicy, KeysConfig, KeyVersion
from strongroom.logical import Storage

POLICY_PREFIX = "policy/"
KEYS_CONFIG = "config/keys"
CACHE_CONFIG = "config/cache"
WRAPPING_KEY = "wrapping_key"
MIN_CACHE_SIZE = 10
_NS = 1_000_000_000


class KeyCache:
    """Snapshots by key name, least recently used first out; size 0 means unlimited."""

    def __init__(self, size: int = 0) -> None:
        self.size = size
        self._entries: OrderedDict[str, Key] = OrderedDict()

    def get(self, name: str) -> Key | None:
        found = self._entries.get(name)
        if found is not None and self.size:
            self._entries.move_to_end(name)
        return found

    def put(self, key: Key) -> None:
        self._entries[key.name] = key
        self._entries.move_to_end(key.name)
        self._trim()

    def drop(self, name: str | None = None) -> None:
        if name is None:
            self._entries.clear()
        else:
            self._entries.pop(name, None)

    def resize(self, size: int) -> None:
        self.size = size
        self._trim()

    def __len__(self) -> int:
        return len(self._entries)

    def _trim(self) -> None:
        while self.size and len(self._entries) > self.size:
            self._entries.popitem(last=False)


class KeyStore:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock
        self.cache = KeyCache()
        self._cache_loaded = False
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    def now_ns(self) -> int:
        now = self.clock.now()
        seconds = math.floor(now)
        return seconds * _NS + round((now - seconds) * _NS)

    def lock(self, name: str) -> asyncio.Lock:
        """The lock that serialises every change to the key `name` (and its cache loads)."""
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = asyncio.Lock()
        return lock

    # --- reading -------------------------------------------------------------------------------

    async def get(self, name: str) -> Key | None:
        if not self._cache_loaded:
            await self._load_cache_size()
        found = self.cache.get(name)
        if found is not None:
            return found
        async with self.lock(name):
            return await self.get_locked(name)

    async def get_locked(self, name: str) -> Key | None:
        """The current snapshot; the caller holds `lock(name)`."""
        found = self.cache.get(name)
        if found is not None:
            return found
        raw = await self.storage.get(POLICY_PREFIX + name)
        if raw is None:
            return None
        key = Key(KeyPolicy.deserialize(raw))
        self.cache.put(key)
        return key

    async def reload(self, name: str) -> Key | None:
        """The key as storage has it now (after a ciphertext named a version newer than the
        cached snapshot knows: another node may have rotated it)."""
        async with self.lock(name):
            self.cache.drop(name)
            return await self.get_locked(name)

    async def exists(self, name: str) -> bool:
        return await self.get(name) is not None

    async def names(self, after: str | None = None, limit: int | None = None) -> list[str]:
        return await self.storage.list(POLICY_PREFIX, after, limit)

    # --- writing (callers hold the key's lock) -------------------------------------------------

    async def save(self, policy: KeyPolicy) -> Key:
        """Store `policy`, then publish its snapshot."""
        key = Key(policy)
        await self.storage.put(POLICY_PREFIX + policy.name, policy.serialize())
        self.cache.put(key)
        return key

    async def delete(self, name: str) -> None:
        self.cache.drop(name)
        await self.storage.delete(POLICY_PREFIX + name)

    async def create(
        self, name: str, build: Callable[[], Awaitable[KeyPolicy]]
    ) -> tuple[Key, bool]:
        """(key, created): the existing key `name`, or a new one from `build`, created once
        however many requests race to create it."""
        async with self.lock(name):
            existing = await self.get_locked(name)
            if existing is not None:
                return existing, False
            return await self.save(await build()), True

    async def new_version(self, kind: KeyType, key_size: int = 0) -> KeyVersion:
        """A fresh version; RSA and other slow generation runs off the event loop."""
        if kind.family is Family.RSA:
            return await asyncio.to_thread(generate_version, kind, self.now_ns(), key_size)
        return generate_version(kind, self.now_ns(), key_size)

    # --- mount-wide settings -------------------------------------------------------------------

    async def keys_config(self) -> KeysConfig:
        raw = await self.storage.get(KEYS_CONFIG)
        return KeysConfig.deserialize(raw) if raw is not None else KeysConfig()

    async def put_keys_config(self, config: KeysConfig) -> None:
        await self.storage.put(KEYS_CONFIG, config.serialize())

    async def cache_config(self) -> CacheConfig:
        raw = await self.storage.get(CACHE_CONFIG)
        return CacheConfig.deserialize(raw) if raw is not None else CacheConfig()

    async def put_cache_config(self, config: CacheConfig) -> None:
        await self.storage.put(CACHE_CONFIG, config.serialize())
        self.cache.resize(config.size)
        self._cache_loaded = True

    async def _load_cache_size(self) -> None:
        self.cache.resize((await self.cache_config()).size)
        self._cache_loaded = True

    def invalidate(self, name: str | None = None) -> None:
        """Forget cached keys (and the cache size): another node changed storage."""
        self.cache.drop(name)
        if name is None:
            self._cache_loaded = False
