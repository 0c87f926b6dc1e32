"""The audit broker: hands each request and response to every enabled device, fail closed.

An entry counts as recorded when at least one device wrote it (Vault's rule). With no device
enabled nothing is logged and nothing fails. Each device hashes with its own salt and options,
building its own copy of the entry, so one device's `log_raw` cannot leak into another's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from strongroom.audit.chain import encoded
from strongroom.audit.device import AuditDevice
from strongroom.audit.entry import (
    AuthInfo,
    request_block,
    request_entry,
    response_block,
    response_entry,
)
from strongroom.clock import Clock, rfc3339
from strongroom.errors import InternalError
from strongroom.logical import Operation, Request, Response

TEST_PATH = "sys/audit/test"


class AuditFailed(InternalError):
    default_message = "internal error: no audit device recorded the request"


@dataclass(frozen=True, slots=True)
class MountAuditKeys:
    """A mount's `audit_non_hmac_request_keys` / `audit_non_hmac_response_keys`."""

    request: frozenset[str] = frozenset()
    response: frozenset[str] = frozenset()


NO_KEYS = MountAuditKeys()
Blocks = tuple[orjson.Fragment | None, orjson.Fragment]  # a request's auth and request blocks
# The device (itself, not its path: a device re-enabled at the same path mid-request is another
# device) → the blocks of the request entry it was handed.
Logged = dict[AuditDevice, Blocks]


class _Timestamps:
    """RFC 3339 times with microseconds, formatting the date part once per second."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._second = -1
        self._prefix = ""

    def now(self) -> str:
        now = self._clock.now()
        second = int(now)
        if second != self._second:
            self._second, self._prefix = second, rfc3339(second).removesuffix("Z")
        return f"{self._prefix}.{int((now - second) * 1_000_000):06d}Z"


class AuditBroker:
    def __init__(self, clock: Clock) -> None:
        self._times = _Timestamps(clock)
        self._devices: dict[str, AuditDevice] = {}
        self._audited_headers: Mapping[str, bool] = {}
        self.audited_names: frozenset[str] = frozenset()

    @property
    def audited_headers(self) -> Mapping[str, bool]:
        """Lower-case request header name → whether its value is HMAC'd."""
        return self._audited_headers

    @audited_headers.setter
    def audited_headers(self, headers: Mapping[str, bool]) -> None:
        self._audited_headers = dict(headers)
        self.audited_names = frozenset(headers)

    @property
    def active(self) -> bool:
        return bool(self._devices)

    def devices(self) -> list[AuditDevice]:
        return list(self._devices.values())

    def get(self, path: str) -> AuditDevice | None:
        return self._devices.get(path)

    def add(self, device: AuditDevice) -> None:
        self._devices[device.path] = device

    def remove(self, path: str) -> AuditDevice | None:
        return self._devices.pop(path, None)

    async def log_request(
        self, request: Request, auth: AuthInfo | None, error: str, keys: MountAuditKeys = NO_KEYS
    ) -> Logged:
        """Record the request; returns each device's blocks, for `log_response` to reuse."""
        time = self._times.now()
        logged: Logged = {}

        def build(device: AuditDevice) -> dict[str, Any]:
            blocks = logged[device] = self._blocks(device, request, auth, keys)
            return request_entry(time, *blocks, error)

        await self._deliver(build)
        return logged

    async def log_response(
        self,
        request: Request,
        response: Response | None,
        auth: AuthInfo | None,
        error: str,
        keys: MountAuditKeys = NO_KEYS,
        logged: Logged | None = None,
    ) -> None:
        time = self._times.now()

        def build(device: AuditDevice) -> dict[str, Any]:
            hasher = device.hasher
            blocks = logged.get(device) if logged else None
            if blocks is None:
                blocks = self._blocks(device, request, auth, keys)
            elide = device.options.elide_list_responses
            block = response_block(request, response, hasher, keys.response, elide)
            return response_entry(time, *blocks, encoded(block), error)

        await self._deliver(build)

    def _blocks(
        self, device: AuditDevice, request: Request, auth: AuthInfo | None, keys: MountAuditKeys
    ) -> Blocks:
        """A request's `auth` and `request` blocks for one device, encoded once."""
        hasher = device.hasher
        block = request_block(request, hasher, keys.request, self._audited_headers)
        return hasher.encoded_auth(auth), encoded(block)

    async def _deliver(self, build: Callable[[AuditDevice], dict[str, Any]]) -> None:
        devices = list(self._devices.values())
        if len(devices) == 1:  # the common case, without gather's overhead
            try:
                await devices[0].write(build(devices[0]))
            except Exception:
                raise AuditFailed() from None
            return
        outcomes = await asyncio.gather(
            *(_write(device, build) for device in devices), return_exceptions=True
        )
        if devices and all(isinstance(outcome, BaseException) for outcome in outcomes):
            raise AuditFailed()


async def _write(device: AuditDevice, build: Callable[[AuditDevice], dict[str, Any]]) -> None:
    await device.write(build(device))


def probe_entry(device: AuditDevice, time: str) -> dict[str, Any]:
    """The entry a device is test-written with when it is enabled."""
    request = Request(Operation.UPDATE, TEST_PATH, request_id="test")
    block = request_block(request, device.hasher, frozenset(), {})
    return request_entry(time, None, encoded(block), "")
