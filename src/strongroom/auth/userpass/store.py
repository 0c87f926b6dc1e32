"""The users of a userpass mount. Every change to a user runs under that user's lock, so two
concurrent writes (a password change and a policy change) never lose one another."""

from __future__ import annotations

from strongroom.auth.method import NamedLocks
from strongroom.auth.userpass.records import UserEntry
from strongroom.logical import Storage

USER_PREFIX = "user/"


class UserStore:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.lock = NamedLocks()

    async def get(self, username: str) -> UserEntry | None:
        raw = await self.storage.get(USER_PREFIX + username)
        return None if raw is None else UserEntry.deserialize(raw)

    async def put(self, username: str, user: UserEntry) -> None:
        await self.storage.put(USER_PREFIX + username, user.serialize())

    async def delete(self, username: str) -> None:
        await self.storage.delete(USER_PREFIX + username)

    async def names(self, after: str | None = None, limit: int | None = None) -> list[str]:
        return await self.storage.list(USER_PREFIX, after, limit)
