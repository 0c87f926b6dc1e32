"""Revoking one lease: call its engine back, then delete it — or retry later, or give up.

A failed revocation during expiry is retried with exponential backoff; after
`max_attempts` failures the lease is kept, marked irrevocable with the error's class name (never
its message, which could hold a secret), and no longer retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from enum import Enum

from strongroom.clock import Clock
from strongroom.lease.concurrency import LeaseLocks
from strongroom.lease.entry import LeaseEntry
from strongroom.lease.revoker import Revoker
from strongroom.lease.store import LeaseStore, index_keys

log = logging.getLogger(__name__)

_MAX_BACKOFF_DOUBLINGS = 30  # keeps the delay a finite float whatever max_attempts is


class OnError(Enum):
    RAISE = "raise"  # an explicit revoke: the caller sees the engine's error
    RETRY = "retry"  # expiry, a revoked token: count the attempt and try again later
    FORCE = "force"  # revoke-force: delete the lease anyway


class Revocation:
    def __init__(
        self,
        store: LeaseStore,
        locks: LeaseLocks,
        clock: Clock,
        revoker: Revoker,
        *,
        max_attempts: int,
        retry_base: float,
        on_schedule: Callable[[LeaseEntry], None],
    ) -> None:
        self._store = store
        self._locks = locks
        self._clock = clock
        self._revoker = revoker
        self._max_attempts = max_attempts
        self._retry_base = retry_base
        self._on_schedule = on_schedule

    async def revoke(
        self, lease_id: str, on_error: OnError, *, via: str = "", due_by: float | None = None
    ) -> int:
        """Revoke one lease under its lock; 1 if it is gone now because of this call, else 0.

        `via`: the index entry that led here; when the lease does not own it, it is dropped.
        `due_by`: revoke only if the lease is due by then (expiry).
        """
        async with self._locks.hold(lease_id) as mine:
            if not mine:
                return 0
            entry = await self._store.load(lease_id)
            if via and (entry is None or via not in index_keys(entry)):
                await self._store.discard(via)
                return 0
            if entry is None or (due_by is not None and not _due(entry, due_by)):
                return 0
            return await self._revoke_entry(entry, on_error)

    async def _revoke_entry(self, entry: LeaseEntry, on_error: OnError) -> int:
        try:
            if entry.is_token:
                await self._revoker.revoke_token(entry.auth_token_hash)
            else:
                await self._revoker.revoke_secret(entry)
        except Exception as exc:
            if on_error is OnError.RAISE:
                raise
            if on_error is OnError.RETRY:
                await self._record_failure(entry, exc)
                return 0
            log.warning(
                "lease %s: revocation failed (%s); removed anyway (force)",
                entry.lease_id,
                type(exc).__name__,
            )
        await self._store.remove(entry)
        return 1

    async def _record_failure(self, entry: LeaseEntry, exc: Exception) -> None:
        now = self._clock.now()
        attempts = entry.revoke_attempts + 1
        reason = type(exc).__name__
        # The lease has ended either way: it no longer shows time left or accepts renewals.
        ended = replace(entry, revoke_attempts=attempts, expire_time=min(entry.expire_time, now))
        if attempts >= self._max_attempts or entry.irrevocable:
            updated = replace(ended, irrevocable=reason, retry_at=None)
            log.error(
                "lease %s is irrevocable after %d attempts (%s)", entry.lease_id, attempts, reason
            )
        else:
            delay = self._retry_base * 2 ** min(entry.revoke_attempts, _MAX_BACKOFF_DOUBLINGS)
            updated = replace(ended, retry_at=now + delay)
            log.warning(
                "lease %s: revocation attempt %d failed (%s); retrying in %.0fs",
                entry.lease_id,
                attempts,
                reason,
                delay,
            )
        await self._store.save(entry, updated)
        self._on_schedule(updated)


def _due(entry: LeaseEntry, now: float) -> bool:
    due_time = entry.due_time
    return due_time is not None and due_time <= now
