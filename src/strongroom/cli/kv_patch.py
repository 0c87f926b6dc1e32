"""`strongroom kv patch` and `kv rollback`: KV v2 writes built on what is stored now.

`patch` sends a JSON merge patch (`-method=patch`), or reads the secret, merges the changes
and writes it back with check-and-set on the version read (`-method=rw`); by default it
patches and falls back to read-then-write when the server refuses PATCH (405) or the token
lacks the `patch` capability (403, with a warning). `rollback -version=N` reads version N
and writes its data as a new version, check-and-set on the current one.
"""

from __future__ import annotations

from typing import Any

from strongroom.cli import kv_http
from strongroom.cli.client import ClientError, JSONObject, Params, RequestFailed
from strongroom.cli.command import EXIT_USAGE, CommandFailed, Invocation, reporting
from strongroom.cli.kv_mount import KVPath, add_data_argument, add_kv_command, locate
from strongroom.cli.kv_view import print_success, print_version_written
from strongroom.cli.logical import request_data, sanitized
from strongroom.cli.secret import show_secret

FORBIDDEN, METHOD_NOT_ALLOWED = 403, 405
PATCH, READ_WRITE = "patch", "rw"


def register(kv: Any) -> None:
    patch = add_kv_command(
        kv, "patch", run_patch, "change some keys of a secret (KV v2)", field=True
    )
    patch.add_argument("-cas", type=int, default=0, help="check-and-set: the current version")
    patch.add_argument(
        "-method",
        default="",
        metavar="patch|rw",
        help="patch: an HTTP PATCH; rw: read, merge, write (default: patch, else rw)",
    )
    patch.add_argument(
        "-remove-data", action="append", default=[], metavar="KEY", help="a key to remove"
    )
    add_data_argument(patch)
    rollback = add_kv_command(
        kv, "rollback", run_rollback, "make an older version current again (KV v2)", field=True
    )
    rollback.add_argument("-version", type=int, default=None, help="the version to restore")


def _v2(invocation: Invocation, action: str) -> KVPath:
    kv = locate(invocation, sanitized(invocation.args.path))
    if not kv.v2:
        raise CommandFailed(f"K/V engine mount must be version 2 for {action} support")
    return kv


def run_patch(invocation: Invocation) -> int:
    args = invocation.args
    if not args.data and not args.remove_data:
        raise CommandFailed("Must supply data", EXIT_USAGE)
    changes = request_data(args.data)
    kv = _v2(invocation, "patch")
    path = kv.api("data")
    changes.update(dict.fromkeys(args.remove_data))
    if args.method == READ_WRITE:
        response = _read_then_write(invocation, path, changes)
    elif args.method in (PATCH, ""):
        response = _merge_patch(invocation, path, changes, fallback=not args.method)
    else:
        raise CommandFailed(f"Unsupported method provided to -method flag: {args.method}")
    if response is None:
        return print_success(invocation.out, f"Success! Data written to: {path}")
    return print_version_written(invocation.out, args, path, response)


def _merge_patch(
    invocation: Invocation, path: str, changes: JSONObject, *, fallback: bool
) -> JSONObject | None:
    cas = invocation.args.cas
    body = {"data": changes, "options": {"cas": cas} if cas > 0 else {}}
    try:
        return kv_http.merge_patch(invocation.client, path, body)
    except ClientError as exc:
        if not fallback or exc.status not in (FORBIDDEN, METHOD_NOT_ALLOWED):
            raise CommandFailed(f"Error writing data to {path}: {exc}") from None
        if exc.status == FORBIDDEN:
            invocation.out.error(
                f"Data was written to {path} but we recommend that you add the "
                '"patch" capability to your ACL policy in order to use HTTP PATCH in the future.'
            )
    except RequestFailed as exc:
        raise CommandFailed(f"Error writing data to {path}: {exc}") from None
    return _read_then_write(invocation, path, changes)


def _read_then_write(invocation: Invocation, path: str, changes: JSONObject) -> JSONObject | None:
    """Merge the changes into the stored data; a `None` change removes its key."""
    metadata, data = _stored(invocation, path, None, "patch")
    merged = _data_object(path, data, "patch") | changes
    removed = [key for key, value in changes.items() if value is None]
    body = {
        "data": {key: value for key, value in merged.items() if key not in removed},
        "options": {"cas": metadata.get("version")},
    }
    with reporting(f"writing data to {path}"):
        return invocation.client.request("PUT", path, body=body)


def run_rollback(invocation: Invocation) -> int:
    args = invocation.args
    if args.version is None:
        raise CommandFailed("Version flag must be specified", EXIT_USAGE)
    if args.version <= 0:
        raise CommandFailed(f"Invalid value {args.version} for the version flag", EXIT_USAGE)
    path = _v2(invocation, "rollback").api("data")
    current, _ = _stored(invocation, path, None, "rollback")
    metadata, data = _stored(invocation, path, {"version": str(args.version)}, "rollback")
    if metadata.get("deletion_time"):
        raise CommandFailed("Cannot roll back to a version that has been deleted")
    if metadata.get("destroyed"):
        raise CommandFailed("Cannot roll back to a version that has been destroyed")
    body = {
        "data": _data_object(path, data, "rollback"),
        "options": {"cas": current.get("version")},
    }
    with reporting(f"writing data to {path}"):
        response = invocation.client.request("PUT", path, body=body)
    if response is None:
        return print_success(invocation.out, f"Success! Data written to: {path}")
    return show_secret(invocation.out, args, response)


def _stored(
    invocation: Invocation, path: str, params: Params | None, action: str
) -> tuple[JSONObject, object]:
    """The metadata and the data of a stored version (the latest without `params`)."""
    try:
        response = kv_http.read(invocation.client, path, params, wrapped=False)
    except RequestFailed as exc:
        raise CommandFailed(f"Error doing pre-read at {path}: {exc}") from None
    secret = (response or {}).get("data")
    if not isinstance(secret, dict):
        raise CommandFailed(f"No value found at {path}")
    metadata = secret.get("metadata")
    if metadata is None:
        raise CommandFailed(f"No metadata found at {path}; {action} only works on existing data")
    if not isinstance(metadata, dict):
        raise CommandFailed(f"Metadata found at {path} is not the expected type (JSON object)")
    return metadata, secret.get("data")


def _data_object(path: str, data: object, action: str) -> JSONObject:
    if data is None:
        raise CommandFailed(f"No data found at {path}; {action} only works on existing data")
    if not isinstance(data, dict):
        raise CommandFailed(f"Data found at {path} is not the expected type (JSON object)")
    return data
