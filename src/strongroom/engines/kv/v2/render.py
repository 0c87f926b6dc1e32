"""How KV version 2 records look on the wire: Vault's field names, RFC 3339 times with
nanoseconds (trailing zeros trimmed, as Go's RFC3339Nano) and Go duration strings."""

from __future__ import annotations

import functools
import time
from typing import Any

from strongroom.engines.kv.v2.records import KeyMetadata, MountConfig
from strongroom.logical.values import format_duration

_NS = 1_000_000_000


@functools.lru_cache(maxsize=4096)  # the same few timestamps are rendered on every read
def rfc3339_nano(ns: int | None) -> str:
    """`2026-12-04T22:00:00.123456789Z`; "" for no time (a version that was never deleted)."""
    if ns is None:
        return ""
    seconds, fraction = divmod(ns, _NS)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    if fraction:
        text += "." + f"{fraction:09d}".rstrip("0")
    return text + "Z"


def custom_metadata(meta: KeyMetadata) -> dict[str, str] | None:
    return dict(meta.custom_metadata) or None


def version_view(meta: KeyMetadata, number: int) -> dict[str, Any]:
    """A version's metadata, as written by data writes and nested in data reads."""
    info = meta.versions[number]
    return {
        "created_time": rfc3339_nano(info.created),
        "custom_metadata": custom_metadata(meta),
        "deletion_time": rfc3339_nano(info.deleted),
        "destroyed": info.destroyed,
        "version": number,
    }


def metadata_view(meta: KeyMetadata) -> dict[str, Any]:
    """`GET <mount>/metadata/<path>`."""
    versions = {
        str(number): {
            "created_time": rfc3339_nano(info.created),
            "deletion_time": rfc3339_nano(info.deleted),
            "destroyed": info.destroyed,
        }
        for number, info in sorted(meta.versions.items())
    }
    return {
        "cas_required": meta.cas_required,
        "created_time": rfc3339_nano(meta.created),
        "current_version": meta.current_version,
        "custom_metadata": custom_metadata(meta),
        "delete_version_after": format_duration(meta.delete_version_after),
        "max_versions": meta.max_versions,
        "oldest_version": meta.oldest_version,
        "updated_time": rfc3339_nano(meta.updated),
        "versions": versions,
    }


def config_view(config: MountConfig) -> dict[str, Any]:
    """`GET <mount>/config`."""
    return {
        "cas_required": config.cas_required,
        "delete_version_after": format_duration(config.delete_version_after),
        "max_versions": config.max_versions,
    }
