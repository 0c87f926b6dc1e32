"""Request parameters shared by the KV version 2 paths, and the check-and-set rule."""

from __future__ import annotations

from typing import Any

from strongroom.engines.kv.v2.records import KeyMetadata, MountConfig
from strongroom.errors import BadRequest, InvalidParameter
from strongroom.framework import Field, FieldData, FieldType
from strongroom.logical.values import parse_int

PATH = "(?P<path>.*)"
PATH_FIELD = {"path": Field(FieldType.STRING, "the location of the secret")}
VERSIONS_FIELD = {"versions": Field(FieldType.STRING_LIST, "the version numbers")}
LIST_FIELDS = {
    "after": Field(FieldType.STRING, "list the keys after this one (exclusive)"),
    "limit": Field(FieldType.INT, "at most this many keys (0: all)"),
}


class CheckAndSetMismatch(BadRequest):
    default_message = "check-and-set parameter did not match the current version"


class CheckAndSetRequired(BadRequest):
    default_message = "check-and-set parameter required for this call"


class InvalidCheckAndSet(BadRequest):
    default_message = "error parsing check-and-set parameter"


def secret_path(data: FieldData) -> str:
    """The secret's path for a write; a folder (or the mount's root) cannot be written."""
    path: str = data.get("path") or ""
    if not path or path.endswith("/"):
        raise InvalidParameter("cannot write to a path ending in '/'")
    return path


def readable_path(data: FieldData) -> str | None:
    """The secret's path for a read; None for a folder, which holds no secret."""
    path: str = data.get("path") or ""
    return path if path and not path.endswith("/") else None


def folder(data: FieldData) -> str:
    """The folder to list: "" (the root) or a path ending in `/`."""
    path: str = data.get("path") or ""
    return path if not path or path.endswith("/") else path + "/"


def page(data: FieldData) -> tuple[str | None, int | None]:
    """`after` and `limit` of a list request (a limit of 0 or less means no limit)."""
    limit: int | None = data.get("limit")
    return data.get("after") or None, limit if limit and limit > 0 else None


def version_numbers(data: FieldData, missing: str) -> list[int]:
    """The `versions` list (a JSON list or a comma-separated string); empty is an error."""
    try:
        numbers = [int(item) for item in data.get("versions") or []]
    except ValueError:
        raise InvalidParameter(
            "invalid value for parameter 'versions': expected a list of integers"
        ) from None
    if not numbers:
        raise InvalidParameter(missing)
    return numbers


def check_and_set(options: dict[str, Any], config: MountConfig, meta: KeyMetadata | None) -> None:
    """`options.cas` must equal the current version (0: the secret must not exist yet); it must
    be given when the mount or the secret requires it."""
    current = meta.current_version if meta else 0
    if "cas" in options:
        value = options["cas"]
        try:
            cas = 0 if value is None else parse_int(value)
        except ValueError:
            raise InvalidCheckAndSet() from None
        if cas != current:
            raise CheckAndSetMismatch()
    elif config.cas_required or (meta is not None and meta.cas_required):
        raise CheckAndSetRequired()
