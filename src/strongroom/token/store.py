"""Create, look up and revoke tokens.

Storage layout (inside the token store's view): `salt` (random HMAC key), `id/<hmac(token)>`
→ entry, `accessor/<hmac(accessor)>` → hmac(token). Looked-up entries are cached by hash;
`invalidate` drops the cache when another node may have changed it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import string

from strongroom.clock import Clock
from strongroom.logical import Storage
from strongroom.token.entry import TokenEntry

SERVICE_TOKEN_PREFIX = "hvs."  # noqa: S105 - the public token-type prefix
TOKEN_RANDOM_LENGTH = 24
# What generate-root's one-time pad must match: a service token's full length.
ROOT_TOKEN_LENGTH = len(SERVICE_TOKEN_PREFIX) + TOKEN_RANDOM_LENGTH
_BASE62 = string.ascii_letters + string.digits


def new_token_id() -> str:
    return SERVICE_TOKEN_PREFIX + "".join(
        secrets.choice(_BASE62) for _ in range(TOKEN_RANDOM_LENGTH)
    )


class TokenStore:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock
        self._salt: bytes | None = None
        self._cache: dict[str, TokenEntry] = {}

    def invalidate(self) -> None:
        self._salt = None
        self._cache.clear()

    async def create_root(self, token_id: str | None = None) -> str:
        """Store a root token (a new random ID unless one is given) and return its ID."""
        token_id = token_id or new_token_id()
        entry = TokenEntry(
            accessor=secrets.token_urlsafe(18),
            policies=("root",),
            display_name="root",
            creation_time=self._clock.now(),
        )
        token_hash = await self._hash(token_id)
        await self._storage.put(f"accessor/{await self._hash(entry.accessor)}", token_hash.encode())
        await self._storage.put(f"id/{token_hash}", entry.serialize())
        self._cache[token_hash] = entry
        return token_id

    async def lookup(self, token_id: str) -> TokenEntry | None:
        if not token_id:
            return None
        token_hash = await self._hash(token_id)
        entry = self._cache.get(token_hash)
        if entry is None:
            raw = await self._storage.get(f"id/{token_hash}")
            if raw is None:
                return None
            entry = self._cache[token_hash] = TokenEntry.deserialize(raw)
        if entry.ttl and entry.creation_time + entry.ttl <= self._clock.now():
            return None
        return entry

    async def revoke(self, token_id: str) -> None:
        token_hash = await self._hash(token_id)
        entry = await self.lookup(token_id)
        self._cache.pop(token_hash, None)
        if entry is not None:
            await self._storage.delete(f"accessor/{await self._hash(entry.accessor)}")
        await self._storage.delete(f"id/{token_hash}")

    async def _hash(self, value: str) -> str:
        if self._salt is None:
            salt = await self._storage.get("salt")
            if salt is None:
                salt = os.urandom(32)
                await self._storage.put("salt", salt)
            self._salt = salt
        return hmac.new(self._salt, value.encode(), hashlib.sha256).hexdigest()
