"""What the `kv` commands print beyond a plain secret: titled sections of Key/Value tables.

The vault CLI frames a KV v2 answer as `== Secret Path ==` and the path, then
`======= Metadata =======` and `== Data ==` tables; each title is padded with "=" to about
the width of what it heads (`padEqualSigns`, `getHeaderForMap`).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from strongroom.cli.client import JSONObject
from strongroom.cli.command import EXIT_OK, EXIT_USAGE, CommandFailed
from strongroom.cli.output import Output, go_value, render_json
from strongroom.cli.secret import data_cell, print_field, print_secret

VALUE_COLUMN = len("    Value")  # the column glue and the "Value" header


def padded_title(title: str, width: int) -> str:
    """`title` between runs of "=", the whole about `width` wide (at least `== title ==`)."""
    signs = width - (len(title) + 2)
    if signs <= 0:
        signs = 4
    signs += signs % 2
    return f"{'=' * (signs // 2)} {title} {'=' * (signs // 2)}"


def table_title(title: str, data: Mapping[str, Any]) -> str:
    """The title of a Key/Value table of `data`, as wide as its widest key and "Value"."""
    widest = max((len(key) for key in data), default=0)
    return padded_title(title, widest + VALUE_COLUMN)


def print_path(out: Output, path: str, title: str) -> None:
    out.line(padded_title(title, len(path)))
    out.line(path)
    out.line()


def print_map(out: Output, data: Mapping[str, Any]) -> None:
    """A map as a Key/Value table; nothing at all when it is empty."""
    if data:
        out.table([(key, data_cell(key, data[key])) for key in sorted(data)])


def print_titled_map(out: Output, title: str, data: Mapping[str, Any]) -> None:
    out.line(table_title(title, data))
    print_map(out, data)


def print_map_field(out: Output, data: Mapping[str, Any], name: str) -> int:
    """`-field=NAME` of a map (a KV v2 secret's data): its value bare, or as JSON."""
    value = data.get(name)
    if value is None:
        raise CommandFailed(f'Field "{name}" not present in map', EXIT_USAGE)
    out.raw(go_value(value) if out.is_table else render_json(value))
    return EXIT_OK


def data_map(value: object) -> JSONObject:
    return value if isinstance(value, dict) else {}


def print_version_written(
    out: Output, args: argparse.Namespace, path: str, response: JSONObject
) -> int:
    """The answer to a write of a secret (`kv put`, `kv patch`): the new version's metadata."""
    if args.field:
        return print_field(out, response, args.field)
    if (response.get("wrap_info") or {}).get("ttl") or not out.is_table:
        print_secret(out, response)
        return EXIT_OK
    print_path(out, path, "Secret Path")
    print_titled_map(out, "Metadata", data_map(response.get("data")))
    return EXIT_OK


def print_success(out: Output, message: str) -> int:
    """A write answered without a body: say so in a table, print nothing as JSON."""
    if out.is_table:
        out.line(message)
    return EXIT_OK
