"""Reading the versioned JSON records engines store: a `format` marker on every record, fields
only ever appended. A record from a newer format is refused; fields this version does not know
(written by a newer one that kept the format) are dropped."""

from __future__ import annotations

import functools
from dataclasses import fields
from typing import Any

import orjson

from strongroom.errors import InternalError


def load_record(raw: bytes, what: str, newest_format: int) -> dict[str, Any]:
    """The JSON object stored in `raw`; `what` names the record in errors."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        document = None
    if not isinstance(document, dict):
        raise InternalError(f"a stored {what} record is unreadable")
    if document.get("format", 0) > newest_format:
        raise InternalError(f"a stored {what} record was written by a newer version")
    return document


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(field.name for field in fields(cls))


def known_fields(cls: type, document: dict[str, Any]) -> dict[str, Any]:
    """The entries of `document` that are fields of the dataclass `cls`."""
    names = _field_names(cls)
    return {key: value for key, value in document.items() if key in names}
