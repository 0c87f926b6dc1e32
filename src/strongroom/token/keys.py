"""The token store's storage layout, and the random secrets it keeps in its own view.

    salt                         32 random bytes: the HMAC key for every hashed key below
    batch-key                    32 random bytes: the AEAD key of batch tokens
    id/<hmac(token)>             → TokenEntry
    accessor/<hmac(accessor)>    → hmac(token) (ASCII hex)
    parent/<hmac(parent)>/<hmac(child)> → b"" (the children index)
    roles/<name>                 → Role

A token ID or accessor never appears in a key: only their salted HMAC-SHA256 does.
"""

from __future__ import annotations

import asyncio
import hmac
import os

from strongroom.logical import Storage

SALT_KEY = "salt"
BATCH_KEY = "batch-key"
ID_PREFIX = "id/"
ACCESSOR_PREFIX = "accessor/"
PARENT_PREFIX = "parent/"
ROLES_PREFIX = "roles/"
SECRET_SIZE = 32


def id_key(token_hash: str) -> str:
    return ID_PREFIX + token_hash


def accessor_key(accessor_hash: str) -> str:
    return ACCESSOR_PREFIX + accessor_hash


def children_prefix(parent_hash: str) -> str:
    return f"{PARENT_PREFIX}{parent_hash}/"


def parent_key(parent_hash: str, child_hash: str) -> str:
    return children_prefix(parent_hash) + child_hash


def role_key(name: str) -> str:
    return ROLES_PREFIX + name


class StoredSecret:
    """Random bytes created on first use and kept in storage; cached until `invalidate`."""

    def __init__(self, storage: Storage, key: str) -> None:
        self._storage = storage
        self._key = key
        self._value: bytes | None = None
        # Two first uses at once must not each create (and one overwrite) the secret.
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._value = None

    async def get(self) -> bytes:
        if self._value is not None:
            return self._value
        async with self._lock:
            if self._value is None:
                value = await self._storage.get(self._key)
                if value is None:
                    value = os.urandom(SECRET_SIZE)
                    await self._storage.put(self._key, value)
                self._value = value
        return self._value


RECENT_HASHES = 4096


class Hasher:
    """Salted HMAC-SHA256 of token IDs and accessors, hex-encoded for use in keys."""

    def __init__(self, storage: Storage) -> None:
        self._salt = StoredSecret(storage, SALT_KEY)
        # The hashes of recently presented IDs (a client sends its token on every request);
        # bounded, and dropped with the salt when the node seals.
        self._recent: dict[str, str] = {}

    def invalidate(self) -> None:
        self._salt.invalidate()
        self._recent.clear()

    async def hash(self, value: str) -> str:
        found = self._recent.get(value)
        if found is not None:
            return found
        salt = await self._salt.get()
        # hmac.digest is the one-shot C implementation: a fraction of hmac.new's cost.
        hashed = hmac.digest(salt, value.encode(), "sha256").hex()
        if len(self._recent) >= RECENT_HASHES:
            self._recent.clear()
        self._recent[value] = hashed
        return hashed
