"""`strongroom kv metadata get|put|patch|delete`: a KV v2 secret's metadata (`<mount>/metadata/…`).

`put` sends only the settings given as flags; `patch` merges them (and always sends
`custom_metadata`, where `-remove-custom-metadata=KEY` is a null), as the vault CLI does.
`-cas-required` is a Go boolean flag: `-cas-required` or `-cas-required=false`, never with
its value as the next argument, so a PATH may follow it.
"""

from __future__ import annotations

import argparse
from typing import Any

from strongroom.cli import kv_http
from strongroom.cli.arguments import key_value, seconds
from strongroom.cli.client import JSONObject
from strongroom.cli.command import (
    EXIT_OK,
    EXIT_REMOTE,
    EXIT_USAGE,
    CommandFailed,
    Invocation,
    reporting,
)
from strongroom.cli.kv_mount import add_kv_command, locate
from strongroom.cli.kv_view import data_map, print_map, print_path, print_success, table_title
from strongroom.cli.logical import sanitized
from strongroom.cli.secret import print_field, print_secret
from strongroom.logical.values import format_duration

# The spellings Go's strconv.ParseBool accepts.
TRUE_SPELLINGS = ("1", "t", "T", "TRUE", "true", "True")
FALSE_SPELLINGS = ("0", "f", "F", "FALSE", "false", "False")


def register(metadata: Any) -> None:
    add_kv_command(
        metadata, "get", run_get, "print a secret's metadata and its versions", field=True
    )
    put = add_kv_command(metadata, "put", run_put, "set a secret's metadata (no new version)")
    _settings_flags(put)
    patch = add_kv_command(metadata, "patch", run_patch, "change some of a secret's metadata")
    _settings_flags(patch)
    patch.add_argument(
        "-remove-custom-metadata",
        action="append",
        default=[],
        metavar="KEY",
        help="a custom metadata key to remove (repeatable)",
    )
    add_kv_command(metadata, "delete", run_delete, "delete a secret: all versions and metadata")


def _settings_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-max-versions",
        type=int,
        default=-1,
        metavar="N",
        help="the versions to keep (0: the mount's)",
    )
    add_go_bool_flag(
        parser, "-cas-required", "require check-and-set on every write (=false: do not)"
    )
    parser.add_argument(
        "-delete-version-after",
        type=seconds,
        default=None,
        metavar="DURATION",
        help="delete each version this long after it is written (0s: never)",
    )
    parser.add_argument(
        "-custom-metadata",
        action="append",
        default=[],
        type=key_value,
        metavar="K=V",
        help="a custom metadata key and value (repeatable)",
    )


def add_go_bool_flag(parser: argparse.ArgumentParser, name: str, help: str) -> None:
    """`-name` (true) or `-name=BOOL`; None when absent.

    argparse matches a whole argument against the option strings before it splits one at
    "=", so each spelling of `-name=BOOL` is an option string of its own (hidden from help).
    """
    dest = name.lstrip("-").replace("-", "_")
    parser.add_argument(name, dest=dest, action="store_const", const=True, default=None, help=help)
    for spellings, value in ((TRUE_SPELLINGS, True), (FALSE_SPELLINGS, False)):
        options = [f"{name}={spelling}" for spelling in spellings]
        parser.add_argument(
            *options, dest=dest, action="store_const", const=value, help=argparse.SUPPRESS
        )


def settings(args: argparse.Namespace, *, patch: bool) -> JSONObject:
    """The request body from the flags given."""
    body: JSONObject = {}
    if args.max_versions >= 0:
        body["max_versions"] = args.max_versions
    if args.delete_version_after is not None:
        body["delete_version_after"] = format_duration(args.delete_version_after)
    if args.cas_required is not None:
        body["cas_required"] = args.cas_required
    custom: dict[str, str | None] = dict(args.custom_metadata)
    if patch:
        body["custom_metadata"] = custom | dict.fromkeys(args.remove_custom_metadata)
    elif custom:
        body["custom_metadata"] = custom
    return body


def _metadata_path(invocation: Invocation) -> str:
    kv = locate(invocation, sanitized(invocation.args.path))
    if not kv.v2:
        raise CommandFailed("Metadata not supported on KV Version 1", EXIT_USAGE)
    return kv.api("metadata")


def run_get(invocation: Invocation) -> int:
    args, out = invocation.args, invocation.out
    path = _metadata_path(invocation)
    with reporting(f"reading {path}"):
        response = kv_http.read(invocation.client, path)
    if response is None:
        raise CommandFailed(f"No value found at {path}")
    if args.field:
        return print_field(out, response, args.field)
    if response.get("wrap_info") or not out.is_table:
        print_secret(out, response)
        return EXIT_OK
    data = data_map(response.get("data"))
    versions = data.get("versions")
    if not isinstance(versions, dict):
        out.error(f"No value found at {path}")
        print_secret(out, response)
        return EXIT_REMOTE
    try:
        numbered = sorted((int(key), key) for key in versions)
    except ValueError:
        raise CommandFailed(f"Error parsing version in {sorted(versions)}") from None
    metadata = {key: value for key, value in data.items() if key != "versions"}
    print_path(out, path, "Metadata Path")
    out.line(table_title("Metadata", metadata))
    print_secret(out, {**response, "data": metadata})
    for number, key in numbered:
        version = data_map(versions[key])
        out.line("\n" + table_title(f"Version {number}", version))
        print_map(out, version)
    return EXIT_OK


def run_put(invocation: Invocation) -> int:
    path = _metadata_path(invocation)
    body = settings(invocation.args, patch=False)
    with reporting(f"writing data to {path}"):
        response = invocation.client.request("PUT", path, body=body)
    return _written(invocation, path, response)


def run_patch(invocation: Invocation) -> int:
    path = _metadata_path(invocation)
    body = settings(invocation.args, patch=True)
    with reporting(f"writing data to {path}"):
        response = kv_http.merge_patch(invocation.client, path, body)
    return _written(invocation, path, response)


def _written(invocation: Invocation, path: str, response: JSONObject | None) -> int:
    if response is None:
        return print_success(invocation.out, f"Success! Data written to: {path}")
    print_secret(invocation.out, response)
    return EXIT_OK


def run_delete(invocation: Invocation) -> int:
    path = _metadata_path(invocation)
    with reporting(f"deleting {path}"):
        invocation.client.send("DELETE", path)
    invocation.out.line(f"Success! Data deleted (if it existed) at: {path}")
    return EXIT_OK
