"""User lockout: after `lockout_threshold` failed logins of one user (or role) on one auth
mount within `lockout_counter_reset`, further logins are refused for `lockout_duration`.

Failures are counted in memory (a restart forgives them, as in Vault); a lock is stored in the
barrier, so it survives restarts and seals, until it expires or an operator unlocks it
(`sys/locked-users`). A locked user gets the same 403 whether the password is right or not.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from strongroom.barrier import Barrier
from strongroom.clock import Clock
from strongroom.errors import InvalidCredentials, PermissionDenied
from strongroom.routing import MountConfig, MountEntry

T = TypeVar("T")

LOCKED_PREFIX = "core/login/locked-users/"
DEFAULT_THRESHOLD = 5
DEFAULT_DURATION = 15 * 60
DEFAULT_COUNTER_RESET = 15 * 60


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    threshold: int = DEFAULT_THRESHOLD
    duration: int = DEFAULT_DURATION
    counter_reset: int = DEFAULT_COUNTER_RESET
    disabled: bool = False

    @classmethod
    def of(cls, config: MountConfig) -> LockoutPolicy:
        """A mount's policy: its `user_lockout_config`, Vault's defaults where unset."""
        return cls(
            config.lockout_threshold or DEFAULT_THRESHOLD,
            config.lockout_duration or DEFAULT_DURATION,
            config.lockout_counter_reset or DEFAULT_COUNTER_RESET,
            config.lockout_disable,
        )


class UserLockout:
    def __init__(self, barrier: Barrier, clock: Clock) -> None:
        self._barrier = barrier
        self._clock = clock
        # (mount accessor, alias) → (failures in the current window, time of the first one)
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}

    def invalidate(self) -> None:
        self._failures.clear()

    async def is_locked(self, accessor: str, alias: str, policy: LockoutPolicy) -> bool:
        raw = await self._barrier.get(_key(accessor, alias))
        if raw is None:
            return False
        if json.loads(raw)["locked_at"] + policy.duration > self._clock.now():
            return True
        await self._barrier.delete(_key(accessor, alias))  # the lock has run out
        return False

    async def failed(self, accessor: str, alias: str, policy: LockoutPolicy) -> None:
        now = self._clock.now()
        count, first = self._failures.get((accessor, alias), (0, now))
        if now - first > policy.counter_reset:
            count, first = 0, now
        count += 1
        if count < policy.threshold:
            self._failures[(accessor, alias)] = (count, first)
            return
        self._failures.pop((accessor, alias), None)
        record = {"alias": alias, "mount_accessor": accessor, "locked_at": now}
        await self._barrier.put(_key(accessor, alias), json.dumps(record).encode())

    def succeeded(self, accessor: str, alias: str) -> None:
        self._failures.pop((accessor, alias), None)

    async def run_login(
        self, mount: MountEntry, alias: str, login: Callable[[], Awaitable[T]]
    ) -> T:
        """Run a login for `alias` on `mount`: refused while locked, counted when it fails."""
        policy = LockoutPolicy.of(mount.config)
        if policy.disabled:
            return await login()
        if await self.is_locked(mount.accessor, alias, policy):
            raise PermissionDenied()
        try:
            result = await login()
        except InvalidCredentials:
            await self.failed(mount.accessor, alias, policy)
            raise
        self.succeeded(mount.accessor, alias)
        return result

    async def unlock(self, accessor: str, alias: str) -> None:
        self._failures.pop((accessor, alias), None)
        await self._barrier.delete(_key(accessor, alias))

    async def locked(self, accessor: str = "") -> dict[str, list[str]]:
        """Mount accessor → the aliases locked there (including locks that ran out but were
        not yet tried again, as Vault lists them)."""
        found: dict[str, list[str]] = {}
        accessors = [accessor + "/"] if accessor else await self._barrier.list(LOCKED_PREFIX)
        for folder in accessors:
            for name in await self._barrier.list(LOCKED_PREFIX + folder):
                found.setdefault(folder.rstrip("/"), []).append(_alias(name))
        return {key: sorted(aliases) for key, aliases in found.items() if aliases}


def _key(accessor: str, alias: str) -> str:
    # Aliases are user input: stored under an encoding that is always a valid key.
    encoded = base64.urlsafe_b64encode(alias.encode()).decode().rstrip("=")
    return f"{LOCKED_PREFIX}{accessor}/{encoded or '_'}"


def _alias(name: str) -> str:
    if name == "_":
        return ""
    return base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
