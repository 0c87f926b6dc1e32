"""`strongroom read|write|list|delete PATH` and `unwrap`: any API path, as the vault CLI's.

`K=V` arguments are request data (`@file`, `-` for stdin: see `arguments`); `read` and
`delete` send them as query parameters. A 404 on `read` or `list` means "nothing there".
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from strongroom.cli.arguments import InvalidArguments, parse_data, query_parameters
from strongroom.cli.client import LIST
from strongroom.cli.command import (
    EXIT_OK,
    EXIT_REMOTE,
    EXIT_USAGE,
    CommandFailed,
    Invocation,
    add_command,
    reporting,
)
from strongroom.cli.secret import list_keys, print_list, print_secret, show_secret


def register(commands: Any) -> None:
    read = add_command(
        commands, "read", run_read, help="read data from a path", field=True, wrap=True
    )
    _path_and_data(read, "query parameters")
    write = add_command(
        commands, "write", run_write, help="write data to a path", field=True, wrap=True
    )
    _path_and_data(write, 'request data ("-" alone reads a JSON object from stdin)')
    write.add_argument(
        "-force", "-f", action="store_true", help="write even without any data (for actions)"
    )
    listing = add_command(commands, "list", run_list, help="list the keys under a path", wrap=True)
    listing.add_argument("path", metavar="PATH")
    delete = add_command(commands, "delete", run_delete, help="delete data at a path", field=True)
    _path_and_data(delete, "query parameters")
    unwrap = add_command(
        commands, "unwrap", run_unwrap, help="unwrap a wrapped response", field=True
    )
    unwrap.add_argument(
        "token",
        nargs="?",
        default="",
        metavar="TOKEN",
        help="the wrapping token (default: the client's own token)",
    )


def _path_and_data(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("path", metavar="PATH")
    parser.add_argument("data", nargs="*", metavar="K=V", help=f"{what}: k=v, k=@file, k=-")


def sanitized(path: str) -> str:
    """A path without surrounding spaces and slashes, as the vault CLI sends it."""
    return path.strip().strip("/")


def request_data(arguments: list[str]) -> dict[str, Any]:
    try:
        return parse_data(arguments, sys.stdin)
    except InvalidArguments as exc:
        raise CommandFailed(f"Failed to parse K=V data: {exc}", EXIT_USAGE) from None


def parameters(arguments: list[str]) -> dict[str, list[str]]:
    try:
        return query_parameters(request_data(arguments))
    except InvalidArguments as exc:
        raise CommandFailed(f"Failed to parse K=V data: {exc}", EXIT_USAGE) from None


def run_read(invocation: Invocation) -> int:
    path = sanitized(invocation.args.path)
    params = parameters(invocation.args.data)
    with reporting(f"reading {path}"):
        response = invocation.client.find(path, params or None)
    if response is None:
        raise CommandFailed(f"No value found at {path}")
    return show_secret(invocation.out, invocation.args, response)


def run_write(invocation: Invocation) -> int:
    args = invocation.args
    if not args.data and not args.force:
        raise CommandFailed("Must supply data or use -force", EXIT_USAGE)
    path = sanitized(args.path)
    data = request_data(args.data)
    with reporting(f"writing data to {path}"):
        response = invocation.client.request("PUT", path, body=data)
    if response is None:
        if invocation.out.is_table:
            invocation.out.line(f"Success! Data written to: {path}")
        return EXIT_OK
    return show_secret(invocation.out, args, response)


def run_list(invocation: Invocation) -> int:
    out, path = invocation.out, sanitized(invocation.args.path)
    with reporting(f"listing {path}"):
        response = invocation.client.find(path, LIST)
    if response is not None and (response.get("wrap_info") or {}).get("ttl"):
        print_secret(out, response)  # a wrapped list: show the wrapping token
        return EXIT_OK
    keys = list_keys(response)
    if not out.is_table and keys is None:
        out.json({})
        return EXIT_REMOTE
    if response is None:
        raise CommandFailed(f"No value found at {path}")
    if response.get("data") is None:
        print_secret(out, response)  # warnings, say, but nothing to list
        return EXIT_OK
    if keys is None:
        raise CommandFailed(f"No entries found at {path}")
    print_list(out, response)
    return EXIT_OK


def run_delete(invocation: Invocation) -> int:
    path = sanitized(invocation.args.path)
    params = parameters(invocation.args.data)
    with reporting(f"deleting {path}"):
        response = invocation.client.request("DELETE", path, params=params or None)
    if response is None:
        if invocation.out.is_table:
            invocation.out.line(f"Success! Data deleted (if it existed) at: {path}")
        return EXIT_OK
    return show_secret(invocation.out, invocation.args, response)


def run_unwrap(invocation: Invocation) -> int:
    """`sys/wrapping/unwrap` with TOKEN, or with the client's token as the wrapping token."""
    out, client = invocation.out, invocation.client
    token = invocation.args.token.strip()
    body = {"token": token} if token and token != client.settings.token else {}
    with reporting("unwrapping"):
        response = client.request("PUT", "sys/wrapping/unwrap", body=body)
    if response is None:
        if out.is_table:
            out.line("Successfully unwrapped. There was no data in the wrapped secret.")
        return EXIT_OK
    if not invocation.args.field and list_keys(response) is not None:
        print_list(out, response)
        return EXIT_OK
    return show_secret(out, invocation.args, response)
