"""The audit table: which devices are enabled, kept in the barrier, and their live devices.

Devices come from two places. The server config declares some (`audit "file" "name" {…}`):
they are created, updated or removed on every unseal to match the config, and the API cannot
disable them. The API may enable more only when the config sets
`unsafe_allow_api_audit_creation` (as OpenBao: a sudo operator choosing a file path and
options is a path to code execution on the host, CVE-2025-6000 class).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from strongroom.audit import AuditBroker, AuditDevice, DeviceKeys, probe_entry
from strongroom.audit.keys import load_or_create_keys
from strongroom.audit.options import parse_device_options
from strongroom.audit.sinks import build_sink
from strongroom.barrier import Barrier, BarrierView
from strongroom.clock import Clock, rfc3339
from strongroom.errors import BadRequest, StrongroomError
from strongroom.logical.storage import delete_tree

log = logging.getLogger(__name__)

TABLE_PATH = "core/audit"
HEADERS_PATH = "core/audited-headers"
KEYS_PREFIX = "audit/"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class AuditDeviceConfig:
    """A device declared in the server config."""

    type: str
    path: str
    options: Mapping[str, str] = field(default_factory=dict, repr=False)
    description: str = ""
    local: bool = False


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One row of the persisted audit table. Fields are only appended."""

    path: str
    type: str
    description: str
    options: dict[str, str] = field(repr=False)
    local: bool
    uuid: str
    declared: bool = False
    version: int = FORMAT_VERSION

    def listing(self) -> dict[str, object]:
        return {
            "type": self.type,
            "description": self.description,
            "options": dict(self.options),
            "local": self.local,
            "path": self.path,
        }


def normalize_device_path(path: str) -> str:
    path = path.strip("/")
    if not path or any(part in ("", ".", "..") for part in path.split("/")):
        raise BadRequest("invalid audit device path")
    return path + "/"


class AuditTable:
    def __init__(
        self,
        barrier: Barrier,
        clock: Clock,
        *,
        declared: tuple[AuditDeviceConfig, ...] = (),
        allow_api_creation: bool = False,
        allow_prefix: bool = False,
        forbidden_directory: str = "",
    ) -> None:
        self._barrier = barrier
        self._clock = clock
        self._declared = declared
        self._allow_api_creation = allow_api_creation
        self._allow_prefix = allow_prefix
        self._forbidden_directory = forbidden_directory
        self._records: dict[str, AuditRecord] = {}
        self.broker = AuditBroker(clock)

    def records(self) -> list[AuditRecord]:
        return sorted(self._records.values(), key=lambda record: record.path)

    def device(self, path: str) -> AuditDevice | None:
        return self.broker.get(normalize_device_path(path))

    # --- unseal and seal --------------------------------------------------------------------

    async def load(self) -> None:
        """Read the table, make the declared devices match the config, open every device.

        A device that cannot open stays enabled and retries on every write: requests fail
        closed until it recovers, rather than running unaudited.
        """
        self._records = await self._read()
        await self._reconcile_declared()
        self.broker.audited_headers = await self._read_headers()
        for record in self.records():
            device = self._build(record, await self._keys(record))
            try:
                await device.open()
            except OSError as exc:
                log.error(
                    "audit device %s could not open (%s); requests will fail until it can",
                    record.path,
                    type(exc).__name__,
                )
            self.broker.add(device)

    async def close(self) -> None:
        for device in self.broker.devices():
            self.broker.remove(device.path)
            try:
                await device.close()
            except OSError as exc:
                log.error(
                    "audit device %s did not close cleanly (%s)", device.path, type(exc).__name__
                )
        self._records = {}

    async def reopen(self) -> None:
        """SIGHUP: every device reopens its file (log rotation)."""
        for device in self.broker.devices():
            try:
                await device.reopen()
            except OSError as exc:
                log.error("audit device %s could not reopen (%s)", device.path, type(exc).__name__)

    async def _reconcile_declared(self) -> None:
        wanted = {normalize_device_path(config.path): config for config in self._declared}
        changed = False
        for path, stale in list(self._records.items()):
            if stale.declared and path not in wanted:
                await self._forget(stale)
                changed = True
        for path, config in wanted.items():
            record = self._records.get(path)
            declared = AuditRecord(
                path,
                config.type,
                config.description,
                dict(config.options),
                config.local,
                record.uuid if record is not None else str(uuid.uuid4()),
                declared=True,
            )
            if record != declared:
                self._validate(declared)
                self._records[path] = declared
                changed = True
        if changed:
            await self._save()

    # --- the API ----------------------------------------------------------------------------

    async def enable(
        self,
        path: str,
        device_type: str,
        options: Mapping[str, str],
        description: str = "",
        local: bool = False,
    ) -> None:
        if not self._allow_api_creation:
            raise BadRequest(
                "cannot enable audit device via API; use declarative, config-based audit device"
                " management instead"
            )
        path = normalize_device_path(path)
        for existing in self._records:
            if existing.startswith(path) or path.startswith(existing):
                raise BadRequest(f'path "{path}" is already in use')
        record = AuditRecord(
            path, device_type, description, dict(options), local, str(uuid.uuid4())
        )
        self._validate(record)
        keys = DeviceKeys.generate()
        device = self._build(record, keys)
        await self._open_and_test(device)
        try:
            await self._key_storage(record).put("keys", keys.encode())
            self._records[path] = record
            await self._save()
        except BaseException:
            self._records.pop(path, None)
            await device.close()
            raise
        self.broker.add(device)

    async def disable(self, path: str) -> None:
        path = normalize_device_path(path)
        record = self._records.get(path)
        if record is None:
            return
        if record.declared:
            raise BadRequest("cannot disable configuration-managed audit device")
        await self._forget(record)
        await self._save()

    async def set_header(self, name: str, hmac: bool) -> None:
        headers = {**self.broker.audited_headers, name.lower(): hmac}
        await self._save_headers(headers)

    async def delete_header(self, name: str) -> None:
        headers = dict(self.broker.audited_headers)
        headers.pop(name.lower(), None)
        await self._save_headers(headers)

    # --- helpers ----------------------------------------------------------------------------

    def _validate(self, record: AuditRecord) -> None:
        """Every option is checked before anything is created (400 on a bad one)."""
        parse_device_options(record.options, allow_prefix=self._allow_prefix)
        build_sink(record.type, record.options)
        file_path = record.options.get("file_path") or record.options.get("path", "")
        if record.type == "file" and self._forbidden_directory and file_path:
            target = os.path.realpath(file_path)
            forbidden = os.path.realpath(self._forbidden_directory)
            if os.path.commonpath([target, forbidden]) == forbidden:
                raise BadRequest("an audit file cannot be written in the plugin directory")

    def _build(self, record: AuditRecord, keys: DeviceKeys) -> AuditDevice:
        options = parse_device_options(record.options, allow_prefix=self._allow_prefix)
        sink = build_sink(record.type, record.options)
        return AuditDevice(record.path, record.type, sink, keys, options)

    async def _open_and_test(self, device: AuditDevice) -> None:
        """A new device must open and take a first entry, else it is refused (400)."""
        try:
            await device.open()
            if not device.options.skip_test:
                await device.write(probe_entry(device, rfc3339(self._clock.now())))
        except (OSError, StrongroomError):
            await device.close()
            raise BadRequest(f'audit device "{device.path}" failed its test write') from None

    async def _forget(self, record: AuditRecord) -> None:
        device = self.broker.remove(record.path)
        if device is not None:
            await device.close()
        del self._records[record.path]
        await delete_tree(self._key_storage(record))

    def _key_storage(self, record: AuditRecord) -> BarrierView:
        return BarrierView(self._barrier, f"{KEYS_PREFIX}{record.uuid}/")

    async def _keys(self, record: AuditRecord) -> DeviceKeys:
        return await load_or_create_keys(self._key_storage(record))

    async def _read(self) -> dict[str, AuditRecord]:
        raw = await self._barrier.get(TABLE_PATH)
        if raw is None:
            return {}
        rows = [AuditRecord(**row) for row in json.loads(raw)]
        return {row.path: row for row in rows}

    async def _save(self) -> None:
        rows = [asdict(record) for record in self.records()]
        await self._barrier.put(TABLE_PATH, json.dumps(rows).encode())

    async def _read_headers(self) -> dict[str, bool]:
        raw = await self._barrier.get(HEADERS_PATH)
        return {} if raw is None else {str(k): bool(v) for k, v in json.loads(raw).items()}

    async def _save_headers(self, headers: dict[str, bool]) -> None:
        await self._barrier.put(HEADERS_PATH, json.dumps(headers, sort_keys=True).encode())
        self.broker.audited_headers = headers
