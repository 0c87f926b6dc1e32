"""A secret's own settings, as written through `metadata/<path>` (POST replaces the given
fields, PATCH merges them): `max_versions`, `cas_required`, `delete_version_after` and
`custom_metadata`, with Vault's limits on custom metadata."""

from __future__ import annotations

from typing import Any

from strongroom.engines.kv.v2.merge_patch import merge_patch
from strongroom.engines.kv.v2.records import KeyMetadata, MountConfig
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldData, FieldType

FIELDS = {
    "max_versions": Field(FieldType.INT, "versions to keep (0: the mount's setting)", default=0),
    "cas_required": Field(FieldType.BOOL, "writes must carry `options.cas`", default=False),
    "delete_version_after": Field(
        FieldType.DURATION, "soft-delete each version this long after it is written", default=0
    ),
    "custom_metadata": Field(FieldType.MAP, "string keys and values that describe the secret"),
}
MAX_CUSTOM_KEYS = 64
MAX_KEY_BYTES = 128
MAX_VALUE_BYTES = 512
_PREFIX = "custom_metadata validation failed"
CAS_IGNORED_WARNING = (
    '"cas_required" set to false, but is mandated by backend config. This value will be ignored.'
)


def requested(data: FieldData) -> dict[str, Any]:
    """The settings the request names, parsed; a JSON null stands for the default (in PATCH:
    removes the setting, or a custom metadata key)."""
    changes: dict[str, Any] = {}
    for name in FIELDS:
        if name in data.raw:
            changes[name] = data.raw[name] if name == "custom_metadata" else data.get(name)
    if changes.get("max_versions", 0) < 0:
        raise InvalidParameter("invalid value for parameter 'max_versions': must not be negative")
    custom = changes.get("custom_metadata")
    if custom is not None and not isinstance(custom, dict):
        raise InvalidParameter("invalid value for parameter 'custom_metadata': expected an object")
    return changes


def apply(meta: KeyMetadata, changes: dict[str, Any], *, patch: bool) -> None:
    """Set the requested settings on `meta` (PATCH merges custom metadata into what is there)."""
    for name, value in changes.items():
        if name == "custom_metadata":
            merged = merge_patch(meta.custom_metadata, value) if patch else value
            meta.custom_metadata = _strings(merged or {})
            validate_custom_metadata(meta.custom_metadata)
        else:
            setattr(meta, name, value)


def warnings(changes: dict[str, Any], config: MountConfig) -> list[str]:
    if changes.get("cas_required") is False and config.cas_required:
        return [CAS_IGNORED_WARNING]
    return []


def _strings(raw: dict[str, Any]) -> dict[str, str]:
    """Values as strings, the way Vault decodes them weakly (numbers and booleans convert; a
    null is empty, which validation then refuses)."""
    result: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, dict | list):
            raise InvalidParameter(f"{_PREFIX}: values must be strings")
        if isinstance(value, bool):
            value = "1" if value else "0"
        result[key] = "" if value is None else str(value)
    return result


def validate_custom_metadata(custom: dict[str, str]) -> None:
    """At most 64 keys; keys of 1 to 128 bytes, values of 1 to 512 bytes, all printable.

    Every problem is reported; a key is named only when it is itself valid, and a value never
    is (it may be something its writer did not mean to publish)."""
    if len(custom) > MAX_CUSTOM_KEYS:
        raise InvalidParameter(
            f"{_PREFIX}: payload must contain at most {MAX_CUSTOM_KEYS} keys, "
            f"provided {len(custom)}"
        )
    problems: list[str] = []
    for key, value in custom.items():
        key_bytes = len(key.encode())
        key_ok = 0 < key_bytes <= MAX_KEY_BYTES and key.isprintable()
        name = f'key "{key}"' if key_ok else "a key"
        if not 0 < key_bytes <= MAX_KEY_BYTES:
            problems.append(f"length of a key is {key_bytes} but must be 0 < len(key) <= 128")
        elif not key.isprintable():
            problems.append("a key contains unprintable characters")
        value_bytes = len(value.encode())
        if not 0 < value_bytes <= MAX_VALUE_BYTES:
            problems.append(
                f"length of value for {name} is {value_bytes} but must be 0 < len(value) <= 512"
            )
        elif not value.isprintable():
            problems.append(f"value for {name} contains unprintable characters")
    if problems:
        messages = [f"{_PREFIX}: {problem}" for problem in problems]
        raise InvalidParameter("; ".join(messages), errors=messages)
