"""The storage of an AppRole mount: roles, the role-ID index, secret IDs and their accessors.

Secret IDs are found by their HMAC under the mount key (`salt`, created on first use), never
stored in the clear. Every change to a role runs under that role's lock; every use or change
of a secret ID under that secret ID's lock, so `secret_id_num_uses` is decremented exactly once
per login however many logins race.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

from strongroom.auth.approle.records import (
    AccessorEntry,
    MountKey,
    Role,
    RoleIdEntry,
    SecretIdEntry,
    dump,
    load,
)
from strongroom.auth.method import NamedLocks
from strongroom.clock import Clock
from strongroom.errors import BadRequest, InvalidParameter
from strongroom.logical import Storage
from strongroom.logical.storage import write_many

KEY_PATH = "salt"
ROLE_PREFIX = "role/"
ROLE_ID_PREFIX = "role_id/"
SECRET_ID_PREFIX = "secret_id/"
ACCESSOR_PREFIX = "accessor/"
# Vault refuses to HMAC anything longer (a role name, a secret ID).
MAX_HMAC_INPUT = 4096


class AppRoleStore:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock
        self.role_lock = NamedLocks()
        self.secret_id_lock = NamedLocks()
        self._key: bytes | None = None
        self._key_lock = asyncio.Lock()

    # --- the mount key -------------------------------------------------------------------------

    async def hmac(self, kind: str, value: str) -> str:
        """Hex HMAC-SHA256 of `value` under the mount key; `kind` separates the domains."""
        if len(value) > MAX_HMAC_INPUT:
            raise InvalidParameter(f"value is longer than the maximum of {MAX_HMAC_INPUT} bytes")
        key = self._key or await self._load_key()
        message = f"{kind}\x00{value}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    async def _load_key(self) -> bytes:
        async with self._key_lock:
            if self._key is None:
                raw = await self.storage.get(KEY_PATH)
                if raw is None:
                    record = MountKey(base64.b64encode(os.urandom(32)).decode())
                    await self.storage.put(KEY_PATH, dump(record))
                else:
                    record = load(MountKey, raw, "approle key")
                self._key = base64.b64decode(record.key)
            return self._key

    # --- roles ---------------------------------------------------------------------------------

    async def role(self, name: str) -> Role | None:
        raw = await self.storage.get(ROLE_PREFIX + name)
        return None if raw is None else load(Role, raw, "approle role")

    async def role_names(self, after: str | None = None, limit: int | None = None) -> list[str]:
        return await self.storage.list(ROLE_PREFIX, after, limit)

    async def role_for_id(self, role_id: str) -> Role | None:
        raw = await self.storage.get(ROLE_ID_PREFIX + await self.hmac("role_id", role_id))
        if raw is None:
            return None
        role = await self.role(load(RoleIdEntry, raw, "approle role ID").name)
        # An index left behind by a role ID that changed names no role.
        return role if role is not None and role.role_id == role_id else None

    async def save_role(self, role: Role, previous: Role | None) -> None:
        """Store `role` and its role-ID index (the caller holds the role's lock)."""
        index = ROLE_ID_PREFIX + await self.hmac("role_id", role.role_id)
        raw = await self.storage.get(index)
        if raw is not None and load(RoleIdEntry, raw, "approle role ID").name != role.name:
            raise BadRequest("role_id already in use")
        deletes = []
        if previous is not None and previous.role_id != role.role_id:
            deletes.append(ROLE_ID_PREFIX + await self.hmac("role_id", previous.role_id))
        puts = {index: dump(RoleIdEntry(role.name)), ROLE_PREFIX + role.name: dump(role)}
        await write_many(self.storage, puts, deletes)

    async def delete_role(self, role: Role) -> None:
        """Delete `role`, its index and every secret ID it has (the caller holds its lock)."""
        async for secret_id_hmac, entry in self.secret_ids(role):
            await self._delete_secret_id(role, secret_id_hmac, entry)
        index = ROLE_ID_PREFIX + await self.hmac("role_id", role.role_id)
        await write_many(self.storage, {}, [index, ROLE_PREFIX + role.name])

    # --- secret IDs ----------------------------------------------------------------------------

    async def role_hmac(self, role: Role) -> str:
        return await self.hmac("role", f"{role.name}\x00{role.uid}")

    async def _entry_key(self, role: Role, secret_id_hmac: str) -> str:
        return f"{SECRET_ID_PREFIX}{await self.role_hmac(role)}/{secret_id_hmac}"

    async def _entry(self, role: Role, secret_id_hmac: str) -> SecretIdEntry | None:
        raw = await self.storage.get(await self._entry_key(role, secret_id_hmac))
        return None if raw is None else load(SecretIdEntry, raw, "approle secret ID")

    async def add_secret_id(self, role: Role, secret_id: str, entry: SecretIdEntry) -> None:
        secret_id_hmac = await self.hmac("secret_id", secret_id)
        async with self.secret_id_lock(secret_id_hmac):
            if await self._entry(role, secret_id_hmac) is not None:
                raise BadRequest("SecretID is already registered")
            accessor = AccessorEntry(secret_id_hmac, await self.role_hmac(role))
            puts = {
                ACCESSOR_PREFIX + await self.hmac("accessor", entry.accessor): dump(accessor),
                await self._entry_key(role, secret_id_hmac): dump(entry),
            }
            await write_many(self.storage, puts)

    async def secret_id(self, role: Role, secret_id: str) -> tuple[str, SecretIdEntry | None]:
        secret_id_hmac = await self.hmac("secret_id", secret_id)
        return secret_id_hmac, await self._entry(role, secret_id_hmac)

    async def by_accessor(self, role: Role, accessor: str) -> tuple[str, SecretIdEntry | None]:
        """(secret ID HMAC, entry) of the accessor, if it belongs to `role`."""
        raw = await self.storage.get(ACCESSOR_PREFIX + await self.hmac("accessor", accessor))
        if raw is None:
            return "", None
        found = load(AccessorEntry, raw, "approle secret ID accessor")
        if not hmac.compare_digest(found.role_hmac, await self.role_hmac(role)):
            return "", None
        return found.secret_id_hmac, await self._entry(role, found.secret_id_hmac)

    async def secret_ids(self, role: Role) -> AsyncIterator[tuple[str, SecretIdEntry]]:
        prefix = f"{SECRET_ID_PREFIX}{await self.role_hmac(role)}/"
        for secret_id_hmac in await self.storage.list(prefix):
            entry = await self._entry(role, secret_id_hmac)
            if entry is not None:
                yield secret_id_hmac, entry

    async def destroy(self, role: Role, secret_id_hmac: str) -> None:
        async with self.secret_id_lock(secret_id_hmac):
            entry = await self._entry(role, secret_id_hmac)
            if entry is not None:
                await self._delete_secret_id(role, secret_id_hmac, entry)

    async def use(
        self, role: Role, secret_id: str, check: Callable[[SecretIdEntry], None]
    ) -> SecretIdEntry | None:
        """Spend one use of a secret ID of `role` once `check` accepted it (the last use
        deletes it); None when the role has no such live secret ID."""
        secret_id_hmac = await self.hmac("secret_id", secret_id)
        async with self.secret_id_lock(secret_id_hmac):
            entry = await self._entry(role, secret_id_hmac)
            if entry is None:
                return None
            now = self.clock.now()
            if entry.expired(now):
                await self._delete_secret_id(role, secret_id_hmac, entry)
                return None
            check(entry)
            if entry.num_uses == 1:
                await self._delete_secret_id(role, secret_id_hmac, entry)
            elif entry.num_uses > 1:
                spent = replace(entry, num_uses=entry.num_uses - 1, last_updated_time=now)
                await self.storage.put(await self._entry_key(role, secret_id_hmac), dump(spent))
            return entry

    async def _delete_secret_id(
        self, role: Role, secret_id_hmac: str, entry: SecretIdEntry
    ) -> None:
        accessor = ACCESSOR_PREFIX + await self.hmac("accessor", entry.accessor)
        await write_many(self.storage, {}, [await self._entry_key(role, secret_id_hmac), accessor])

    # --- tidy ----------------------------------------------------------------------------------

    async def tidy(self) -> int:
        """Delete expired secret IDs, secret IDs of deleted roles, and dangling accessors;
        how many records were removed."""
        live = {await self.role_hmac(role): role for role in await self._roles()}
        removed = 0
        now = self.clock.now()
        for folder in await self.storage.list(SECRET_ID_PREFIX):
            role_hmac = folder.rstrip("/")
            for secret_id_hmac in await self.storage.list(SECRET_ID_PREFIX + folder):
                removed += await self._tidy_one(live.get(role_hmac), role_hmac, secret_id_hmac, now)
        for name in await self.storage.list(ACCESSOR_PREFIX):
            raw = await self.storage.get(ACCESSOR_PREFIX + name)
            if raw is None:
                continue
            found = load(AccessorEntry, raw, "approle secret ID accessor")
            key = f"{SECRET_ID_PREFIX}{found.role_hmac}/{found.secret_id_hmac}"
            if await self.storage.get(key) is None:
                await self.storage.delete(ACCESSOR_PREFIX + name)
                removed += 1
        return removed

    async def _tidy_one(
        self, role: Role | None, role_hmac: str, secret_id_hmac: str, now: float
    ) -> int:
        async with self.secret_id_lock(secret_id_hmac):
            key = f"{SECRET_ID_PREFIX}{role_hmac}/{secret_id_hmac}"
            raw = await self.storage.get(key)
            if raw is None:
                return 0
            entry = load(SecretIdEntry, raw, "approle secret ID")
            if role is not None and not entry.expired(now):
                return 0
            accessor = ACCESSOR_PREFIX + await self.hmac("accessor", entry.accessor)
            await write_many(self.storage, {}, [key, accessor])
            return 1

    async def _roles(self) -> list[Role]:
        roles = [await self.role(name) for name in await self.role_names()]
        return [role for role in roles if role is not None]
