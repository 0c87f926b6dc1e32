"""The persisted records of KV version 2. Fields are only ever appended; `format` marks the layout.

Times are integer nanoseconds since the Unix epoch (Vault reports them with nanoseconds), and a
duration is whole seconds. A version's `deleted` time may lie in the future: that is how
`delete_version_after` works, so a version reads as deleted as soon as the time has passed and no
background task is needed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from strongroom.errors import InternalError
from strongroom.logical.records import known_fields, load_record

FORMAT_VERSION = 1
DEFAULT_MAX_VERSIONS = 10
# `config.delete_version_after` below zero switches the feature off for every secret.
DELETE_AFTER_DISABLED = -1
_NS = 1_000_000_000


@dataclass(slots=True)
class MountConfig:
    """The mount-wide settings (`<mount>/config`). 0 means "not set" for every field."""

    max_versions: int = 0
    cas_required: bool = False
    delete_version_after: int = 0  # seconds; DELETE_AFTER_DISABLED switches it off
    format: int = FORMAT_VERSION

    def serialize(self) -> bytes:
        return orjson.dumps(self)

    @classmethod
    def deserialize(cls, raw: bytes) -> MountConfig:
        return cls(**known_fields(cls, _load(raw, "configuration")))


@dataclass(slots=True)
class VersionInfo:
    """What the metadata record knows about one version (its data is stored separately)."""

    created: int
    deleted: int | None = None  # soft-deletion time; may lie in the future
    destroyed: bool = False

    def is_deleted(self, now: int) -> bool:
        return self.deleted is not None and self.deleted <= now

    def is_readable(self, now: int) -> bool:
        return not self.destroyed and not self.is_deleted(now)


@dataclass(slots=True)
class KeyMetadata:
    """One secret: its settings, its custom metadata and the versions it still has."""

    path: str
    created: int = 0
    updated: int = 0
    current_version: int = 0
    oldest_version: int = 0
    max_versions: int = 0
    cas_required: bool = False
    delete_version_after: int = 0  # seconds; 0 = use the mount's setting
    custom_metadata: dict[str, str] = field(default_factory=dict)
    versions: dict[int, VersionInfo] = field(default_factory=dict)
    format: int = FORMAT_VERSION

    def add_version(self, now: int, config: MountConfig) -> list[int]:
        """Append the next version (created now) and slide the window of kept versions, the way
        Vault does; returns the version numbers that fall out of it and must be erased."""
        self.current_version += 1
        self.versions[self.current_version] = VersionInfo(now, self.deletion_time(now, config))
        self.updated = now
        if not self.created:
            self.created = now
        keep = max(self.max_versions, config.max_versions) or DEFAULT_MAX_VERSIONS
        if self.current_version - self.oldest_version < keep:
            return []
        last_pruned = self.current_version - keep
        pruned = [n for n in self.versions if n <= last_pruned]
        for number in pruned:
            del self.versions[number]
        self.oldest_version = last_pruned + 1
        return sorted(pruned)

    def deletion_time(self, start: int, config: MountConfig) -> int | None:
        """When a version created (or undeleted) at `start` becomes deleted: after the smaller
        non-zero `delete_version_after` of the mount and of this secret; None if neither is set."""
        mount = config.delete_version_after
        if mount == DELETE_AFTER_DISABLED:
            return None
        settings = [s for s in (mount, self.delete_version_after) if s > 0]
        return start + min(settings) * _NS if settings else None

    def serialize(self) -> bytes:
        return orjson.dumps(self, option=orjson.OPT_NON_STR_KEYS)

    @classmethod
    def deserialize(cls, raw: bytes) -> KeyMetadata:
        document = known_fields(cls, _load(raw, "secret metadata"))
        versions = document.pop("versions", {})
        try:
            parsed = {int(n): VersionInfo(**info) for n, info in versions.items()}
            return cls(versions=parsed, **document)
        except (AttributeError, TypeError, ValueError):
            raise InternalError("a stored secret metadata record is unreadable") from None


@dataclass(slots=True)
class VersionRecord:
    """The data of one version, stored under its own key."""

    data: dict[str, Any]
    format: int = FORMAT_VERSION

    def serialize(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def deserialize(cls, raw: bytes) -> VersionRecord:
        document = _load(raw, "secret version")
        if not isinstance(document.get("data"), dict):
            raise InternalError("a stored secret version record is unreadable")
        return cls(**known_fields(cls, document))


def _load(raw: bytes, what: str) -> dict[str, Any]:
    return load_record(raw, what, FORMAT_VERSION)
