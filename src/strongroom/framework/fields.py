"""Typed request fields: a handler reads validated values, never raw JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from strongroom.errors import InvalidParameter
from strongroom.logical.values import parse_bool, parse_duration


class FieldType(Enum):
    STRING = "string"
    INT = "int"
    BOOL = "bool"
    DURATION = "duration"
    STRING_LIST = "string_list"
    MAP = "map"


@dataclass(frozen=True, slots=True)
class Field:
    type: FieldType
    description: str = ""
    default: Any = None
    required: bool = False


def _as_string(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError
    return str(value)


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, float) and not value.is_integer():
        raise ValueError
    return int(value)


def _as_string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list):
        return [_as_string(item) for item in value]
    raise TypeError


def _as_map(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError
    return value


_PARSERS = {
    FieldType.STRING: _as_string,
    FieldType.INT: _as_int,
    FieldType.BOOL: parse_bool,
    FieldType.DURATION: parse_duration,
    FieldType.STRING_LIST: _as_string_list,
    FieldType.MAP: _as_map,
}

_TYPE_NAMES = {
    FieldType.STRING: "a string",
    FieldType.INT: "an integer",
    FieldType.BOOL: "a boolean",
    FieldType.DURATION: "a duration",
    FieldType.STRING_LIST: "a list of strings",
    FieldType.MAP: "an object",
}


class FieldData:
    """Raw request data plus the declared fields; `get` parses and validates on demand."""

    def __init__(self, raw: Mapping[str, Any], fields: Mapping[str, Field]) -> None:
        self._raw = raw
        self._fields = fields

    def get(self, name: str) -> Any:
        field = self._fields[name]
        value = self._raw.get(name)
        if value is None or value == "":
            if field.required:
                raise InvalidParameter(f"missing required parameter {name!r}")
            return field.default
        try:
            return _PARSERS[field.type](value)
        except (TypeError, ValueError):
            # Name the field and the expected type, never the value: it may be a secret.
            raise InvalidParameter(
                f"invalid value for parameter {name!r}: expected {_TYPE_NAMES[field.type]}"
            ) from None

    def has(self, name: str) -> bool:
        return self._raw.get(name) is not None

    @property
    def raw(self) -> Mapping[str, Any]:
        return self._raw
