"""`strongroom kv get|put|patch|delete|undelete|destroy|list|rollback` and `kv metadata …`.

The vault CLI's `kv` commands: each finds the mount and the KV version of its path first
(`kv_mount`), then uses the plain path on KV version 1 and the `data/`, `metadata/`,
`delete/`, `undelete/`, `destroy/` endpoints on version 2. Messages, output and exit codes
are the vault CLI's (1 for a local problem or an operation version 1 lacks, 2 for the server).
`patch` and `rollback` live in `kv_patch`, the `metadata` commands in `kv_metadata`.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from strongroom.cli import kv_http, kv_metadata, kv_patch
from strongroom.cli.command import (
    EXIT_OK,
    EXIT_USAGE,
    CommandFailed,
    Invocation,
    add_group,
    reporting,
)
from strongroom.cli.kv_mount import KVPath, add_data_argument, add_kv_command, locate
from strongroom.cli.kv_view import (
    data_map,
    print_map_field,
    print_path,
    print_success,
    print_titled_map,
    print_version_written,
)
from strongroom.cli.logical import request_data, run_list, sanitized
from strongroom.cli.secret import print_field, print_secret, print_warnings, show_secret


def register(commands: Any) -> None:
    kv = add_group(commands, "kv", help="read and write secrets in KV engines (version 1 or 2)")
    get = add_kv_command(
        kv, "get", run_get, "read a secret (a version of it with -version)", field=True
    )
    get.add_argument("-version", type=int, default=0, help="the version to read (KV v2)")
    put = add_kv_command(kv, "put", run_put, "write a secret (a new version on KV v2)", field=True)
    put.add_argument("-cas", type=int, default=-1, help="check-and-set: the current version")
    add_data_argument(put)
    kv_patch.register(kv)
    delete = add_kv_command(
        kv, "delete", run_delete, "delete a secret's latest version", field=True
    )
    _versions_flag(delete, "delete instead of the latest one")
    undelete = add_kv_command(kv, "undelete", run_undelete, "restore deleted versions (KV v2)")
    _versions_flag(undelete, "undelete")
    destroy = add_kv_command(kv, "destroy", run_destroy, "erase versions for good (KV v2)")
    _versions_flag(destroy, "destroy")
    listing = add_kv_command(kv, "list", run_kv_list, "list the secrets under a path", path=False)
    listing.add_argument("path", nargs="?", default=None, metavar="PATH")
    kv_metadata.register(add_group(kv, "metadata", help="a KV v2 secret's metadata"))


def _versions_flag(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "-versions",
        action="append",
        default=[],
        metavar="N[,N…]",
        help=f"the versions to {what} (repeatable, comma-separated)",
    )


def versions(flags: list[str]) -> list[str]:
    """The `-versions` flags as the vault CLI sends them: a list of the comma-separated items."""
    return [item.strip() for flag in flags for item in flag.split(",") if item.strip()]


def run_get(invocation: Invocation) -> int:
    args, out = invocation.args, invocation.out
    kv = locate(invocation, args.path.removeprefix("/"))
    path = kv.secret
    params = {"version": str(args.version)} if kv.v2 and args.version > 0 else None
    with reporting(f"reading {path}"):
        response = kv_http.read(invocation.client, path, params)
    if response is None:
        raise CommandFailed(f"No value found at {path}")
    if args.field:
        return _print_get_field(invocation, kv, path, response)
    if response.get("wrap_info") or not out.is_table:
        print_secret(out, response)
        return EXIT_OK
    print_warnings(out, response)
    if kv.v2:
        print_path(out, path, "Secret Path")
    data = response.get("data")
    metadata = data.get("metadata") if isinstance(data, dict) else None
    if isinstance(metadata, dict):
        print_titled_map(out, "Metadata", metadata)
        out.line()
    if kv.v2 and isinstance(data, dict):
        data = data.get("data")
    if data is not None:
        print_titled_map(out, "Data", data_map(data))
    return EXIT_OK


def _print_get_field(invocation: Invocation, kv: KVPath, path: str, response: Any) -> int:
    """`-field`: a data key of the secret; on KV v2 `data` is the data itself unless a key."""
    out, name = invocation.out, invocation.args.field
    if not kv.v2:
        return print_field(out, response, name)
    data = data_map(response.get("data")).get("data")
    if data is None:
        raise CommandFailed(f"No data found at {path}")
    if name == "data" and "data" not in data_map(data):
        return print_field(out, response, name)
    return print_map_field(out, data_map(data), name)


def run_put(invocation: Invocation) -> int:
    args = invocation.args
    if not args.data:
        raise CommandFailed("Must supply data", EXIT_USAGE)
    data = request_data(args.data)
    kv = locate(invocation, sanitized(args.path))
    path = kv.secret
    body = data
    if kv.v2:
        body = {"data": data, "options": {"cas": args.cas} if args.cas > -1 else {}}
    with reporting(f"writing data to {path}"):
        response = invocation.client.request("PUT", path, body=body)
    if response is None:
        return print_success(invocation.out, f"Success! Data written to: {path}")
    return print_version_written(invocation.out, args, path, response)


def run_delete(invocation: Invocation) -> int:
    args, client = invocation.args, invocation.client
    kv = locate(invocation, sanitized(args.path))
    path = kv.secret
    with reporting(f"deleting {path}"):
        if kv.v2 and args.versions:
            body = {"versions": versions(args.versions)}
            response = client.request("PUT", kv.api("delete"), body=body)
        else:
            response = client.request("DELETE", path)
    if response is None:
        return print_success(invocation.out, f"Success! Data deleted (if it existed) at: {path}")
    return show_secret(invocation.out, args, response)


def run_undelete(invocation: Invocation) -> int:
    return _change_versions(invocation, "undelete", "Undelete")


def run_destroy(invocation: Invocation) -> int:
    return _change_versions(invocation, "destroy", "Destroy")


def _change_versions(invocation: Invocation, action: str, name: str) -> int:
    """`undelete` and `destroy`: `PUT <mount>/<action>/<p>` with the `-versions`."""
    args = invocation.args
    chosen = versions(args.versions)
    if not chosen:
        raise CommandFailed(
            f'No versions provided, use the "-versions" flag to specify the version to {action}.',
            EXIT_USAGE,
        )
    kv = locate(invocation, sanitized(args.path))
    if not kv.v2:
        raise CommandFailed(f"{name} not supported on KV Version 1", EXIT_USAGE)
    path = kv.api(action)
    with reporting(f"writing data to {path}"):
        response = invocation.client.request("PUT", path, body={"versions": chosen})
    if response is None:
        return print_success(invocation.out, f"Success! Data written to: {path}")
    print_secret(invocation.out, response)
    return EXIT_OK


def run_kv_list(invocation: Invocation) -> int:
    """The generic `list` of `<mount>/metadata/<p>` (KV v2) or of the path (KV v1)."""
    args = invocation.args
    if args.path is None and not args.mount:
        raise CommandFailed("Not enough arguments (expected 1, got 0)", EXIT_USAGE)
    kv = locate(invocation, sanitized(args.path or ""))
    path = kv.api("metadata") if kv.v2 else kv.path
    listing = argparse.Namespace(**{**vars(args), "path": path})
    return run_list(dataclasses.replace(invocation, args=listing))
