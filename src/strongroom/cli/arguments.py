"""The vault CLI's argument forms: `k=v` data, `@file`, `-` for stdin, `-metadata=k=v` maps.

`parse_data` follows the vault CLI's key/value builder:

- `key=value` sets a string; a repeated key collects its values in a list;
- `key=@path` reads the value from a file and `key=-` from stdin (whole, untrimmed);
  `key=\\@text` is the literal `@text`;
- a bare `-` merges a JSON object from stdin, a bare `@path` one from a file;
- empty arguments are ignored; stdin can be used once.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from strongroom.logical.values import parse_bool, parse_duration

STDIN = "-"
SYSTEM = "system"


class InvalidArguments(ValueError):
    """The arguments cannot be turned into request data; the message says which and why."""


class _Stdin:
    """Standard input, which one argument at most may read."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._used = False

    def read(self) -> str:
        if self._used:
            raise InvalidArguments("stdin already consumed")
        self._used = True
        return self._stream.read()


def parse_data(arguments: Sequence[str], stdin: TextIO) -> dict[str, Any]:
    """Request data from `key=value` arguments. Raises `InvalidArguments`."""
    data: dict[str, Any] = {}
    source = _Stdin(stdin)
    for argument in arguments:
        try:
            _add(data, argument, source)
        except (InvalidArguments, OSError) as exc:
            reason = _reason(exc)
            pair = json.dumps(argument)
            raise InvalidArguments(f"invalid key/value pair {pair}: {reason}") from None
    return data


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"error reading file: {exc.strerror or exc}"
    return str(exc)


def _add(data: dict[str, Any], argument: str, stdin: _Stdin) -> None:
    if not argument:
        return
    key, equals, value = argument.partition("=")
    if not equals:
        if argument == STDIN:
            data.update(_json_object(stdin.read()))
            return
        if argument.startswith("@"):
            data.update(_json_object(Path(argument[1:]).read_text()))
            return
        raise InvalidArguments("format must be key=value")
    if value.startswith("@"):
        value = Path(value[1:]).read_text()
    elif value.startswith("\\@"):
        value = value[1:]
    elif value == STDIN:
        value = stdin.read()
    if key in data:
        existing = data[key]
        data[key] = [*(existing if isinstance(existing, list) else [existing]), value]
    else:
        data[key] = value


def _json_object(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except ValueError:
        raise InvalidArguments("the input is not valid JSON") from None
    if not isinstance(document, dict):
        raise InvalidArguments("the JSON input must be an object")
    return document


def query_parameters(data: dict[str, Any]) -> dict[str, list[str]]:
    """Data as query parameters: every value a list of strings (vault CLI `read`, `delete`)."""
    parameters: dict[str, list[str]] = {}
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(item, dict | list) for item in values):
            raise InvalidArguments(f"failed to convert values to strings: {key!r}")
        parameters[key] = [_string(item) for item in values]
    return parameters


def _string(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"  # as Go's weak decoding turns a bool into a string
    return "" if value is None else str(value)


# -- argparse types ------------------------------------------------------------------------------


def key_value(text: str) -> tuple[str, str]:
    """An argparse type for repeatable `-metadata=k=v`, `-options=k=v` flags."""
    key, equals, value = text.partition("=")
    if not equals:
        raise argparse.ArgumentTypeError(f"missing = in KV pair: {json.dumps(text)}")
    return key, value


def boolean(text: str) -> bool:
    """An argparse type for `-flag=true|false` (and the other spellings Vault accepts)."""
    try:
        return parse_bool(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid boolean value {text!r}") from None


def duration(text: str) -> str:
    """An argparse type: a duration (`90`, `30s`, `1h30m`) kept as written, once validated."""
    seconds(text)
    return text


def duration_or_system(text: str) -> str:
    """A duration, or `system` to go back to the system default (`secrets tune`)."""
    return text if text == SYSTEM else duration(text)


def seconds(text: str) -> int:
    """An argparse type for a duration given to the server in whole seconds (`-increment`)."""
    try:
        return parse_duration(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r}") from None


def add_bool_flag(
    parser: argparse.ArgumentParser, name: str, help: str, *, default: bool = False
) -> None:
    """A boolean flag given as `-name`, `-name=true` or `-name=false`, as Go's flags are.

    Only for commands without positional arguments: `-name value` would read `value`.
    """
    parser.add_argument(
        name, nargs="?", const=True, default=default, type=boolean, metavar="BOOL", help=help
    )
