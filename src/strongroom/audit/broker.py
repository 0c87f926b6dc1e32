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

from strongroom.audit.device import AuditDevice
from strongroom.audit.entry import AuthInfo, request_entry, response_entry
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
Logged = dict[str, dict[str, Any]]  # device path → the request entry it was handed


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
        """Record the request; returns each device's entry, for `log_response` to reuse."""
        time = self._times.now()
        logged: Logged = {}

        def build(device: AuditDevice) -> dict[str, Any]:
            settings = self._settings(device, auth, error, time)
            entry = request_entry(request, non_hmac_keys=keys.request, **settings)
            logged[device.path] = entry
            return entry

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
            return response_entry(
                request,
                response,
                non_hmac_keys=keys.response,
                non_hmac_request_keys=keys.request,
                elide_list=device.options.elide_list_responses,
                request_logged=logged.get(device.path) if logged else None,
                **self._settings(device, auth, error, time),
            )

        await self._deliver(build)

    def _settings(
        self, device: AuditDevice, auth: AuthInfo | None, error: str, time: str
    ) -> dict[str, Any]:
        """What both entries of a request take from the device and the moment."""
        return {
            "auth": auth,
            "error": error,
            "time": time,
            "salt": device.keys.salt,
            "hmac_accessor": device.options.hmac_accessor,
            "log_raw": device.options.log_raw,
            "audited_headers": self.audited_headers,
        }

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
    return request_entry(
        request,
        auth=None,
        error="",
        time=time,
        salt=device.keys.salt,
        hmac_accessor=device.options.hmac_accessor,
        log_raw=device.options.log_raw,
        non_hmac_keys=frozenset(),
    )
