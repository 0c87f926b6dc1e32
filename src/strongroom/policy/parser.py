"""Policy text → `Policy`: HCL or JSON, either one possibly base64-encoded, as Vault accepts.

Validation follows Vault's `ParseACLPolicy` (`vault/policy.go`): the only top-level keys are
`path` and `name`; a rule may hold `capabilities`, the legacy `policy`, `allowed_parameters`,
`denied_parameters`, `required_parameters`, `min_wrapping_ttl`, `max_wrapping_ttl` and
`comment`. Keys Vault Enterprise or OpenBao add (`control_group`, `mfa_methods`, `expiration`,
`pagination_limit`, ...) are refused rather than ignored: each one narrows a grant, so
dropping it silently would grant more than the author wrote.

Every failure is an `InvalidParameter` naming the policy and, when there is one, the path rule.
Messages never repeat a value from the text (a TTL, a parameter value, a capability name); the
rule's pattern is shown JSON-quoted and shortened.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

from strongroom.errors import InvalidParameter
from strongroom.logical.values import parse_duration
from strongroom.policy.model import (
    DENY,
    GRANTS,
    IGNORED_CAPABILITIES,
    ParameterMap,
    ParameterValue,
    PathRule,
    Policy,
    merge_values,
)

_HCL_OPTIONS = SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True, preserve_heredocs=False
)
_TOP_LEVEL_KEYS = frozenset({"path", "name"})
_RULE_KEYS = frozenset(
    {
        "capabilities",
        "policy",
        "allowed_parameters",
        "denied_parameters",
        "required_parameters",
        "min_wrapping_ttl",
        "max_wrapping_ttl",
        "comment",
    }
)
# Vault's pre-0.5 `policy = "..."` shorthand (policy.go, OldReadPathPolicy & co.). `write` does
# not include `patch`: the shorthand predates it, and Vault never added it.
_LEGACY_POLICIES: Mapping[str, frozenset[str]] = {
    "deny": frozenset({DENY}),
    "read": frozenset({"read", "list"}),
    "write": frozenset({"create", "read", "update", "delete", "list"}),
    "sudo": frozenset({"create", "read", "update", "delete", "list", "sudo"}),
}
_CAPABILITY_NAMES = "create, read, update, patch, delete, list, sudo, deny"
_MAX_SHOWN = 80


class _RuleError(Exception):
    """A problem inside one rule; `parse_policy` adds the policy and pattern to the message."""


def normalize_policy_name(name: str) -> str:
    """The canonical form of a policy name: trimmed and lower-cased, as Vault stores it.

    The caller refuses writes to `root` (and deletes of `root` and `default`) on the result, so
    `ROOT` and ` root` cannot slip past. Names may hold `/` (OpenBao lists policies by prefix)
    but must make a valid storage key: printable, no empty, `.` or `..` segment.
    """
    normalized = name.strip().lower()
    if not normalized:
        raise InvalidParameter("policy name must be provided")
    segments = normalized.split("/")
    if not normalized.isprintable() or any(s in ("", ".", "..") for s in segments):
        raise InvalidParameter("invalid policy name")
    return normalized


def parse_policy(name: str, text: str) -> Policy:
    """Parse and validate the policy `name` from its text. Raises `InvalidParameter`."""
    name = normalize_policy_name(name)
    raw = _decode_base64(text)
    document = _load_document(name, raw)
    unknown = sorted(set(document) - _TOP_LEVEL_KEYS)
    if unknown:
        raise _policy_error(name, f"unsupported top-level key {_shown(unknown[0])}")
    rules = tuple(_parse_rule(name, p, body) for p, body in _path_entries(name, document))
    return Policy(name=name, raw=raw, rules=rules)


def _decode_base64(text: str) -> str:
    """The decoded text when `text` is base64 of UTF-8 (Vault tries base64 first), else `text`.

    Go's decoder skips CR and LF, so they are dropped before the strict decode.
    """
    compact = text.replace("\r", "").replace("\n", "")
    if not compact:
        return text
    try:
        return base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return text


def _load_document(name: str, raw: str) -> dict[str, Any]:
    if raw.lstrip().startswith("{"):
        # A document that starts with "{" and parses is an object.
        try:
            document: dict[str, Any] = json.loads(raw, object_pairs_hook=_JSONObject)
        except (ValueError, RecursionError):
            raise _policy_error(name, "invalid JSON") from None
        return document
    try:
        parsed: dict[str, Any] = hcl2.loads(raw, serialization_options=_HCL_OPTIONS)
    except Exception as exc:  # lark raises a family of unrelated exception types
        raise _policy_error(name, f"invalid HCL{_position(exc)}") from None
    return parsed


class _JSONObject(dict[str, Any]):
    """A JSON object that keeps repeated keys: Vault merges repeated `path` entries."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs


def _position(exc: Exception) -> str:
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    if isinstance(line, int) and isinstance(column, int) and line > 0:
        return f" at line {line}, column {column}"
    return ""


def _path_entries(name: str, document: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    """(pattern, body) pairs, from HCL blocks (a list of one-key maps) or a JSON/HCL map.

    Repeated JSON keys (`path` itself, or one pattern) are all kept, as Vault keeps them.
    """
    if isinstance(document, _JSONObject):
        values = [value for key, value in document.pairs if key == "path"]
    else:
        values = [document["path"]] if "path" in document else []
    entries = [e for value in values for e in (value if isinstance(value, list) else [value])]
    pairs: list[tuple[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise _policy_error(name, '"path" must map path patterns to rules')
        # HCL labels and JSON keys are always strings.
        pairs.extend(entry.pairs if isinstance(entry, _JSONObject) else entry.items())
    return pairs


def _parse_rule(name: str, pattern: str, body: object) -> PathRule:
    try:
        return _rule(pattern, body)
    except _RuleError as exc:
        raise _policy_error(name, f"path {_shown(pattern)}: {exc}") from None


def _rule(pattern: str, body: object) -> PathRule:
    if not isinstance(body, dict):
        raise _RuleError("the rule must be a block of settings")
    unknown = sorted(set(body) - _RULE_KEYS)
    if unknown:
        raise _RuleError(f"unsupported key {_shown(unknown[0])}")
    path = pattern[1:] if pattern.startswith("/") else pattern
    if "+*" in path:
        raise _RuleError("invalid use of wildcards ('+*' is forbidden)")
    templated = _is_templated(path)
    capabilities = _capabilities(body)
    min_ttl = _duration(body, "min_wrapping_ttl")
    max_ttl = _duration(body, "max_wrapping_ttl")
    if min_ttl and max_ttl and max_ttl < min_ttl:
        raise _RuleError("max_wrapping_ttl cannot be less than min_wrapping_ttl")
    allowed = _parameter_map(body, "allowed_parameters")
    denied = _parameter_map(body, "denied_parameters")
    required = _required(body)
    if DENY in capabilities:
        return PathRule(path=path, capabilities=capabilities, templated=templated)
    return PathRule(
        path=path,
        capabilities=capabilities,
        allowed_parameters=allowed,
        denied_parameters=denied,
        required_parameters=required,
        min_wrapping_ttl=min_ttl,
        max_wrapping_ttl=max_ttl,
        templated=templated,
    )


def _is_templated(path: str) -> bool:
    """Whether the pattern holds `{{...}}` directives; unbalanced braces are refused.

    The same check as Vault's identitytpl validity mode: nothing may close before the first
    `{{`, and each `{{` is closed by exactly one `}}`.
    """
    pieces = path.split("{{")
    if "}}" in pieces[0] or any(piece.count("}}") != 1 for piece in pieces[1:]):
        raise _RuleError("unbalanced templating characters")
    return len(pieces) > 1


def _capabilities(body: Mapping[str, Any]) -> frozenset[str]:
    granted: set[str] = set()
    legacy = body.get("policy")
    if legacy is not None:
        if not isinstance(legacy, str) or legacy not in _LEGACY_POLICIES:
            raise _RuleError('"policy" must be one of read, write, sudo or deny')
        granted |= _LEGACY_POLICIES[legacy]
    names = body.get("capabilities", [])
    if not isinstance(names, list):
        raise _RuleError('"capabilities" must be a list')
    for index, capability in enumerate(names):
        if not isinstance(capability, str):
            raise _RuleError(f"capabilities[{index}] must be a string")
        if capability in GRANTS or capability == DENY:
            granted.add(capability)
        elif capability not in IGNORED_CAPABILITIES:
            raise _RuleError(f"capabilities[{index}] is not one of {_CAPABILITY_NAMES}")
    return frozenset({DENY}) if DENY in granted else frozenset(granted)


def _duration(body: Mapping[str, Any], key: str) -> int:
    value = body.get(key)
    if value is None:
        return 0
    try:
        return parse_duration(value)
    except ValueError:
        raise _RuleError(f'invalid duration in "{key}"') from None


def _parameter_map(body: Mapping[str, Any], key: str) -> ParameterMap:
    """`{name: [values]}` with lower-cased names; names equal but for case are merged."""
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _RuleError(f'"{key}" must map parameter names to lists of values')
    merged: dict[str, tuple[ParameterValue, ...]] = {}
    for parameter, values in value.items():
        if not isinstance(values, list) or not all(_is_scalar(v) for v in values):
            raise _RuleError(f'"{key}" values must be lists of strings, numbers or booleans')
        lowered = str(parameter).lower()
        merged[lowered] = merge_values(merged.get(lowered), tuple(values))
    return merged


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def _required(body: Mapping[str, Any]) -> tuple[str, ...]:
    value = body.get("required_parameters")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _RuleError('"required_parameters" must be a list of parameter names')
    return tuple(dict.fromkeys(v.lower() for v in value))


def _shown(text: str) -> str:
    """`text` JSON-quoted and cut short, safe to put in a message."""
    quoted = json.dumps(text)
    return quoted if len(quoted) <= _MAX_SHOWN else quoted[: _MAX_SHOWN - 4] + '..."'


def _policy_error(name: str, problem: str) -> InvalidParameter:
    return InvalidParameter(f"failed to parse policy {_shown(name)}: {problem}")
