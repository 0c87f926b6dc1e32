"""Parsing of the loosely typed values Vault accepts in config files and request bodies.

Vault reads durations, booleans and integers through `go-secure-stdlib/parseutil`, so clients
send them in several spellings: `"768h"`, `"90"` and `90` are all durations; `true`, `"true"`
and `1` are all booleans. These helpers accept the same spellings and return plain Python values.

A failure raises `ValueError` whose message never contains the input: the caller knows which
field it was parsing and names it, and the value may be something that must not be echoed.
"""

from __future__ import annotations

import math
import re

_NS_PER_SECOND = 1_000_000_000
# Go's time.Duration is an int64 count of nanoseconds; anything longer does not parse in Vault.
_MAX_DURATION_NS = 2**63 - 1

_UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # MICRO SIGN, as Go accepts
    "\u03bcs": 1_000,  # GREEK SMALL LETTER MU, as Go accepts
    "ms": 1_000_000,
    "s": _NS_PER_SECOND,
    "m": 60 * _NS_PER_SECOND,
    "h": 3600 * _NS_PER_SECOND,
    # Not a Go unit. Vault's ParseDurationSecond accepts "<int>d" on its own; we also allow it
    # inside a longer string ("1d12h"), a harmless superset.
    "d": 86400 * _NS_PER_SECOND,
}

_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
# One "<number><unit>" component of a Go duration: "1", "1.5", "1." or ".5", then a unit.
_COMPONENT = re.compile(r"([0-9]*)(?:\.([0-9]*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h|d)", re.ASCII)

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_duration(value: str | int | float) -> int:
    """A duration as whole seconds, the way Vault's `parseutil.ParseDurationSecond` reads it.

    - an int or float is a number of seconds; a string of digits (`"90"`) too;
    - otherwise a Go duration string (`"1h30m"`, `"768h"`, `"1.5h"`, `"500ms"`) with the units
      ns, us, µs, ms, s, m, h, and d (24h);
    - `""` is 0, which Vault (and its CLI, sending zero values) treats as "not set".

    Sub-second parts are truncated, as Vault does when it turns a `time.Duration` into seconds
    (`"500ms"` is 0, `"1500ms"` is 1, `1.9` is 1). Negative values, malformed strings and
    durations beyond Go's int64 nanoseconds (about 292 years) raise `ValueError`.
    """
    if isinstance(value, bool):
        raise ValueError("invalid duration: expected a string or a number, not a boolean")
    if isinstance(value, int):
        return _checked_seconds(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("invalid duration: not a finite number")
        if value < 0:
            raise ValueError("invalid duration: must not be negative")
        return _checked_seconds(int(value))
    if not isinstance(value, str):
        raise ValueError("invalid duration: expected a string or a number")
    if value == "":
        return 0
    if _INTEGER.fullmatch(value):
        return _checked_seconds(int(value))
    return _parse_go_duration(value) // _NS_PER_SECOND


def _checked_seconds(seconds: int) -> int:
    if seconds < 0:
        raise ValueError("invalid duration: must not be negative")
    if seconds * _NS_PER_SECOND > _MAX_DURATION_NS:
        raise ValueError("invalid duration: out of range")
    return seconds


def _parse_go_duration(text: str) -> int:
    """Nanoseconds of a Go duration string, like Go's `time.ParseDuration`."""
    pos = 1 if text[0] in "+-" else 0
    negative = text[0] == "-"
    if pos == len(text):
        raise ValueError("invalid duration")
    total = 0
    while pos < len(text):
        match = _COMPONENT.match(text, pos)
        if match is None:
            raise ValueError("invalid duration")
        whole, fraction, unit = match.group(1), match.group(2) or "", match.group(3)
        if not whole and not fraction:
            raise ValueError("invalid duration")
        unit_ns = _UNIT_NS[unit]
        # Each component is truncated to whole nanoseconds on its own, as Go does.
        total += int(whole or "0") * unit_ns + int(fraction or "0") * unit_ns // 10 ** len(fraction)
        if total > _MAX_DURATION_NS:
            raise ValueError("invalid duration: out of range")
        pos = match.end()
    if negative and total:
        raise ValueError("invalid duration: must not be negative")
    return total


def parse_bool(value: object) -> bool:
    """A boolean in one of the spellings Vault accepts.

    JSON/HCL booleans; the integers 0 and 1; and the strings Go's `strconv.ParseBool` accepts:
    1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False. Anything else raises `ValueError`.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value in (0, 1):
            return value == 1
        raise ValueError("invalid boolean: only the integers 0 and 1 are booleans")
    if isinstance(value, str):
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
    raise ValueError("invalid boolean")


def parse_int(value: object) -> int:
    """An integer given as a number or as a string of decimal digits (Vault's `ParseInt`).

    Floats are accepted only when integral (JSON `10.0`); booleans, `"1e3"`, `"0x10"`, `"1_000"`
    and strings with whitespace raise `ValueError`.
    """
    if isinstance(value, bool):
        raise ValueError("invalid integer: expected a number, not a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("invalid integer: not a whole number")
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    raise ValueError("invalid integer")


def format_duration(seconds: int) -> str:
    """Whole seconds the way Go's `time.Duration.String` writes them: `0s`, `1m30s`, `1h0m0s`."""
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{sign}{minutes}m{secs}s"
    return f"{sign}{secs}s"
