"""A rule's constraints on request parameters, checked as Vault's `AllowOperation` checks them.

- `required_parameters`: every name must be a key of the request data (the name lower-cased,
  the data key as sent).
- With no request data, nothing else is checked.
- `denied_parameters`: a `*` key denies any request with data; a listed key denies the request
  when its value is in the list (an empty list: whatever the value).
- `allowed_parameters`: when present, every request key must be listed, or `*` must be; a
  listed key's value must be in its list (an empty list: any value). A `*` key on its own
  allows everything; next to other keys it allows unlisted keys with any value.

Keys are compared lower-cased. Values are compared as strings: a string as is, an integer in
decimal, a float in its shortest form (`1.0` is `1`), a boolean as `true`/`false`. Lists,
maps and nulls never equal a listed value. A listed value may start and/or end with `*`, a
glob (`strutil.GlobbedStringsMatch`): `*` alone matches only `*`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from strongroom.policy.model import ParameterMap

_ANY = "*"


def canonical(value: object) -> str | None:
    """The string a parameter value is compared as, or None for a value that never matches."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def glob_match(pattern: str, value: str) -> bool:
    """Whether `value` matches `pattern`, which may start and/or end with a `*` glob."""
    if len(pattern) < 2:
        return value == pattern
    leading, trailing = pattern[0] == _ANY, pattern[-1] == _ANY
    if leading and trailing:
        return pattern[1:-1] in value
    if leading:
        return value.endswith(pattern[1:])
    if trailing:
        return value.startswith(pattern[:-1])
    return value == pattern


def _value_listed(value: object, patterns: tuple[str, ...]) -> bool:
    if not patterns:
        return True
    text = canonical(value)
    return text is not None and any(glob_match(pattern, text) for pattern in patterns)


def _canonical_map(parameters: ParameterMap) -> dict[str, tuple[str, ...]]:
    return {
        key: tuple(text for v in values if (text := canonical(v)) is not None)
        for key, values in parameters.items()
    }


@dataclass(frozen=True, slots=True)
class ParameterRules:
    allowed: Mapping[str, tuple[str, ...]]
    denied: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]

    @classmethod
    def build(
        cls, allowed: ParameterMap, denied: ParameterMap, required: tuple[str, ...]
    ) -> ParameterRules:
        return cls(_canonical_map(allowed), _canonical_map(denied), required)

    @property
    def empty(self) -> bool:
        return not (self.allowed or self.denied or self.required)

    def permit(self, data: Mapping[str, Any] | None) -> bool:
        """Whether request data `data` satisfies these constraints."""
        if any(name not in (data or {}) for name in self.required):
            return False
        if not data:
            return True
        return not self._denies(data) and self._allows(data)

    def _denies(self, data: Mapping[str, Any]) -> bool:
        if not self.denied:
            return False
        if _ANY in self.denied:
            return True
        for key, value in data.items():
            patterns = self.denied.get(key.lower())
            if patterns is not None and _value_listed(value, patterns):
                return True
        return False

    def _allows(self, data: Mapping[str, Any]) -> bool:
        if not self.allowed:
            return True
        any_key = _ANY in self.allowed
        if any_key and len(self.allowed) == 1:
            return True
        for key, value in data.items():
            patterns = self.allowed.get(key.lower())
            if patterns is None:
                if not any_key:
                    return False
            elif not _value_listed(value, patterns):
                return False
        return True


NO_CONSTRAINTS = ParameterRules({}, {}, ())
