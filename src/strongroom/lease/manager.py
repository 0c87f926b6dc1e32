"""The expiration manager: a lease for every secret with a TTL and for every service token.

All state is in storage (layout: `keys.py`); memory holds one page of leases at a time, the locks
of leases being worked on, and one number — the earliest moment something may be due — which
`invalidate()` forgets when another node may have written leases.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import replace

from strongroom.clock import Clock, Periodic
from strongroom.errors import BadRequest, InvalidPath
from strongroom.lease import keys
from strongroom.lease.concurrency import LeaseLocks, for_each
from strongroom.lease.due import DueScan
from strongroom.lease.entry import TOKEN_MOUNT, LeaseEntry, new_lease_id
from strongroom.lease.pages import leaf_pages
from strongroom.lease.revocation import OnError, Revocation
from strongroom.lease.revoker import Revoker
from strongroom.lease.store import LeaseStore
from strongroom.lease.tidy import tidy
from strongroom.lease.ttl import cap_after, capped_expiry
from strongroom.logical import Secret, Storage

log = logging.getLogger(__name__)

PAGE_SIZE = 1000  # leases read, and held in memory, at once
REVOKE_CONCURRENCY = 16  # engine callbacks in flight at once


class LeaseManager:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        revoker: Revoker,
        *,
        max_revoke_attempts: int = 6,
        retry_base: float = 10.0,
        check_interval: float = 1.0,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._store = LeaseStore(storage, page_size)
        self._clock = clock
        self._revoker = revoker
        self._check_interval = check_interval
        self._locks = LeaseLocks()
        self._revocation = Revocation(
            self._store,
            self._locks,
            clock,
            revoker,
            max_attempts=max_revoke_attempts,
            retry_base=retry_base,
            on_schedule=self._note_due,
        )
        self._expiry_lock = asyncio.Lock()
        self._next_due = -math.inf  # nothing is due before this; -inf: unknown, walk the index
        self._expiry = Periodic("lease expiry", check_interval, self.expire_due)

    # --- registration ----------------------------------------------------------------------

    async def register_secret(
        self, path: str, mount_point: str, secret: Secret, token_hash: str
    ) -> LeaseEntry:
        """Store a lease for `secret`, issued at `path` by the engine at `mount_point`."""
        if secret.ttl <= 0:
            raise ValueError("a lease needs a positive TTL")
        now = self._clock.now()
        lease_id = _new_id(path)
        max_expire = cap_after(now, secret.max_ttl)
        entry = LeaseEntry(
            lease_id=lease_id,
            path=path,
            mount_point=mount_point,
            issue_time=now,
            expire_time=capped_expiry(now, secret.ttl, [max_expire]),
            last_renewal=None,
            secret=replace(secret, lease_id=lease_id),
            token_hash=token_hash,
            renewable=secret.renewable,
            max_expire_time=max_expire,
        )
        await self._create(entry)
        return entry

    async def register_token(
        self, path: str, token_hash: str, ttl: int, max_expire_time: float | None, renewable: bool
    ) -> LeaseEntry:
        """Store the lease of a service token; when it expires the token store revokes it."""
        if ttl <= 0:
            raise ValueError("a token lease needs a positive TTL")
        previous = await self._store.auth_lease_id(token_hash)
        if previous is not None:
            await self._forget_token_lease(previous, token_hash)
        now = self._clock.now()
        entry = LeaseEntry(
            lease_id=_new_id(path),
            path=path,
            mount_point=TOKEN_MOUNT,
            issue_time=now,
            expire_time=capped_expiry(now, ttl, [max_expire_time]),
            last_renewal=None,
            secret=None,
            token_hash="",
            auth_token_hash=token_hash,
            renewable=renewable,
            max_expire_time=max_expire_time,
        )
        await self._create(entry)
        return entry

    async def _create(self, entry: LeaseEntry) -> None:
        async with self._locks.hold(entry.lease_id):
            await self._reschedule(None, entry)

    async def forget_token(self, token_hash: str) -> None:
        """A token was revoked: drop its own lease without calling the token store back."""
        lease_id = await self._store.auth_lease_id(token_hash)
        if lease_id is not None:
            await self._forget_token_lease(lease_id, token_hash)

    async def _forget_token_lease(self, lease_id: str, token_hash: str) -> None:
        """Delete a token's earlier lease without calling anything back."""
        async with self._locks.hold(lease_id):
            entry = await self._store.load(lease_id)
            if entry is not None and entry.auth_token_hash == token_hash:
                await self._store.remove(entry)

    # --- lookup and renewal ----------------------------------------------------------------

    async def lookup(self, lease_id: str) -> LeaseEntry | None:
        return await self._store.load(lease_id)

    async def renew(self, lease_id: str, increment: int, max_ttl: int) -> LeaseEntry:
        """Extend a secret's lease by `increment` seconds (0: the secret's own TTL).

        The new expiry is capped by the engine's max TTL and by `max_ttl` (the mount or system
        maximum), both counted from the issue time as in Vault, and by `max_expire_time`.
        """
        async with self._locks.hold(lease_id) as mine:
            entry = await self._store.load(lease_id) if mine else None
            entry = self._renewable(entry, token=False)
            assert entry.secret is not None  # every lease that is not a token's has a secret
            secret = await self._revoker.renew_secret(entry, increment)
            if secret is None:
                raise BadRequest("lease is not renewable")
            now = self._clock.now()
            caps = [
                cap_after(entry.issue_time, secret.max_ttl),
                cap_after(entry.issue_time, max_ttl),
                entry.max_expire_time,
            ]
            ttl = increment if increment > 0 else secret.ttl or entry.secret.ttl
            renewed = replace(
                entry,
                expire_time=capped_expiry(now, ttl, caps),
                last_renewal=now,
                secret=replace(secret, lease_id=lease_id),
                renewable=secret.renewable,
            )
            await self._reschedule(entry, renewed)
            return renewed

    async def renew_token(self, token_hash: str, ttl: int) -> LeaseEntry | None:
        """Set a token's lease to end `ttl` seconds from now (never past its max_expire_time).

        None when the token has no lease. The token store has applied its own rules (period,
        explicit max, mount max) to `ttl`; 0 means "no time left", never "no expiry".
        """
        lease_id = await self._store.auth_lease_id(token_hash)
        if lease_id is None:
            return None
        async with self._locks.hold(lease_id) as mine:
            entry = await self._store.load(lease_id) if mine else None
            if entry is None or entry.auth_token_hash != token_hash:
                return None
            entry = self._renewable(entry, token=True)
            now = self._clock.now()
            expire = capped_expiry(now, ttl, [entry.max_expire_time])
            renewed = replace(entry, expire_time=expire, last_renewal=now)
            await self._reschedule(entry, renewed)
            return renewed

    def _renewable(self, entry: LeaseEntry | None, *, token: bool) -> LeaseEntry:
        if entry is None:
            raise BadRequest("lease not found")
        if entry.is_token and not token:
            raise BadRequest("tokens cannot be renewed here: use auth/token/renew")
        if entry.irrevocable or entry.expire_time <= self._clock.now():
            raise BadRequest("lease expired")
        if not entry.renewable:
            raise BadRequest("lease is not renewable")
        return entry

    async def _reschedule(self, old: LeaseEntry | None, new: LeaseEntry) -> None:
        await self._store.save(old, new)
        self._note_due(new)

    # --- revocation ------------------------------------------------------------------------

    async def revoke(self, lease_id: str) -> None:
        """Revoke now through the engine; its error reaches the caller. Unknown IDs are fine."""
        await self._revocation.revoke(lease_id, OnError.RAISE)

    async def revoke_prefix(self, prefix: str, *, force: bool = False) -> None:
        """Revoke every lease whose ID starts with `prefix` (a lease ID, or a folder).

        Without `force` the first engine error stops the walk and is raised; with it, leases
        are deleted even when their engine fails.
        """
        on_error = OnError.FORCE if force else OnError.RAISE
        if prefix and not prefix.endswith("/"):
            if await self._revocation.revoke(prefix, on_error):
                return
            prefix += "/"
        async for lease_ids in self._store.lease_pages(_folder(prefix)):
            await for_each(
                lease_ids,
                lambda lease_id: self._revocation.revoke(lease_id, on_error),
                REVOKE_CONCURRENCY,
            )

    async def revoke_by_token(self, token_hash: str) -> None:
        """Revoke every lease created by the token (not the token's own lease).

        An engine that fails does not stop the others: its lease is retried with backoff by
        the expiry loop, as if it had expired.
        """

        async def revoke(lease_id: str) -> int:
            via = keys.token_key(token_hash, lease_id)
            return await self._revocation.revoke(lease_id, OnError.RETRY, via=via)

        async for lease_ids in self._store.token_lease_pages(token_hash):
            await for_each(lease_ids, revoke, REVOKE_CONCURRENCY)

    # --- listing and maintenance -----------------------------------------------------------

    async def list(self, prefix: str) -> list[str]:
        """Like `LIST sys/leases/lookup/<prefix>`: lease-ID suffixes and folders (`x/`)."""
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return await self._store.children(_folder(prefix))

    async def count(self) -> int:
        """The number of leases, counted a page at a time."""
        total = 0
        async for page in leaf_pages(self._store.storage, keys.ID, self._store.page_size):
            total += len(page)
        return total

    async def tidy(self) -> int:
        """Drop dangling index entries and restore missing ones; how many were fixed."""
        fixed = await tidy(self._store, self._locks)
        self.invalidate()  # restored entries may be due already
        return fixed

    # --- expiry ----------------------------------------------------------------------------

    async def expire_due(self) -> int:
        """Revoke every lease due at `clock.now()`, a page at a time; how many were revoked."""
        async with self._expiry_lock:
            now = self._clock.now()
            if now < self._next_due:
                return 0
            self._next_due = math.inf
            scan = DueScan(self._store.storage, now, self._store.page_size)
            revoked = 0
            try:
                async for items in scan:
                    revoked += await for_each(
                        items,
                        lambda item: self._revocation.revoke(
                            item.lease_id, OnError.RETRY, via=item.key, due_by=now
                        ),
                        REVOKE_CONCURRENCY,
                    )
            except BaseException:
                self._next_due = -math.inf
                raise
            self._next_due = min(self._next_due, scan.next_due)
            return revoked

    def start(self) -> None:
        """Run `expire_due` every `check_interval` seconds in a background task."""
        self._expiry.start()

    async def stop(self) -> None:
        await self._expiry.stop()

    def invalidate(self) -> None:
        """Forget what this node believed about the time index (another node changed it)."""
        self._next_due = -math.inf

    def _note_due(self, entry: LeaseEntry) -> None:
        if entry.due_time is not None:
            self._next_due = min(self._next_due, entry.due_time)


def _new_id(path: str) -> str:
    lease_id = new_lease_id(path)
    if not keys.valid_lease_id(lease_id):
        raise InvalidPath()
    return lease_id


def _folder(prefix: str) -> str:
    """`prefix` ("" or ending in `/`) checked as a folder of lease IDs."""
    if prefix and not keys.valid_lease_id(prefix[:-1]):
        raise InvalidPath()
    return prefix
