"""What every client command shares: the connection flags, the run wrapper and exit codes.

A command is a function of an `Invocation` (its flags, a client, its output) returning an exit
code. It reports a failure by raising `CommandFailed`; `reporting("doing X")` turns a failed
request into the vault CLI's "Error doing X: …" message. Exit codes follow the vault CLI:
1 for a local problem (flags, input), 2 for an error from (or reaching) the server.

`add_command` registers one (with `-field` and `-wrap-ttl` when asked), `add_group` a command
with subcommands (`token create`), `add_local_command` one that needs no server (`policy fmt`).
"""

from __future__ import annotations

import argparse
import functools
import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from strongroom.cli.arguments import duration
from strongroom.cli.client import Client, ClientConfigError, ClientSettings, RequestFailed
from strongroom.cli.output import FORMATS, Output

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_REMOTE = 2


class CommandFailed(Exception):
    """A command stops with a message for stderr and an exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_REMOTE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass(frozen=True)
class Invocation:
    args: argparse.Namespace
    client: Client
    out: Output


Handler = Callable[[Invocation], int]


def _common_flags() -> argparse.ArgumentParser:
    """The flags every client command takes (an argparse parent parser)."""
    flags = argparse.ArgumentParser(add_help=False)
    group = flags.add_argument_group("connection and output")
    group.add_argument(
        "-address",
        default=None,
        metavar="ADDR",
        help="server address (default: $STRONGROOM_ADDR, $VAULT_ADDR or https://127.0.0.1:8200)",
    )
    group.add_argument(
        "-ca-cert",
        default=None,
        metavar="FILE",
        help="PEM CA bundle to verify the server with ($STRONGROOM_CACERT, $VAULT_CACERT)",
    )
    group.add_argument(
        "-tls-skip-verify",
        action="store_true",
        help="do not verify the server's certificate (insecure; $VAULT_SKIP_VERIFY)",
    )
    group.add_argument("-format", default="table", choices=FORMATS, help="output format")
    return flags


def _field_flag() -> argparse.ArgumentParser:
    flags = argparse.ArgumentParser(add_help=False)
    flags.add_argument(
        "-field",
        default="",
        metavar="NAME",
        help="print only this field's value, without a trailing newline when piped",
    )
    return flags


def _wrap_flag() -> argparse.ArgumentParser:
    flags = argparse.ArgumentParser(add_help=False)
    flags.add_argument(
        "-wrap-ttl",
        default=None,
        type=duration,
        metavar="DURATION",
        help='wrap the response in a single-use token valid this long (see "unwrap")',
    )
    return flags


COMMON_FLAGS = _common_flags()
FIELD_FLAG = _field_flag()
WRAP_FLAG = _wrap_flag()


def add_command(
    commands: Any,
    name: str,
    handler: Handler,
    *,
    help: str,
    error_exit: int = EXIT_REMOTE,
    field: bool = False,
    wrap: bool = False,
) -> argparse.ArgumentParser:
    """Register a client command; `error_exit` is its code when the client cannot be set up.

    `field` adds `-field=NAME`, `wrap` adds `-wrap-ttl=DURATION`.
    """
    parents = [COMMON_FLAGS, *([FIELD_FLAG] if field else []), *([WRAP_FLAG] if wrap else [])]
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=help, description=help, parents=parents, allow_abbrev=False
    )
    parser.set_defaults(run=functools.partial(run_handler, handler, error_exit=error_exit))
    return parser


def add_group(commands: Any, name: str, *, help: str) -> Any:
    """A command with subcommands (`token create`, `policy read`, …); returns their registry."""
    group = commands.add_parser(name, help=help, description=help, allow_abbrev=False)
    return group.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND", required=True)


def run_handler(handler: Handler, args: argparse.Namespace, *, error_exit: int) -> int:
    out = Output(args.format)
    try:
        settings = ClientSettings.resolve(
            address=args.address, ca_cert=args.ca_cert, skip_verify=args.tls_skip_verify
        )
        with Client(settings, wrap_ttl=getattr(args, "wrap_ttl", None)) as client:
            return handler(Invocation(args, client, out))
    except ClientConfigError as exc:
        out.error(str(exc))
        return error_exit
    except CommandFailed as exc:
        out.error(exc.message)
        return exc.exit_code


LocalHandler = Callable[[argparse.Namespace, Output], int]


def add_local_command(
    commands: Any, name: str, handler: LocalHandler, *, help: str
) -> argparse.ArgumentParser:
    """Register a command that works on local files only: no server flags, no client."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=help, description=help, allow_abbrev=False
    )
    parser.set_defaults(run=functools.partial(run_local, handler))
    return parser


def run_local(handler: LocalHandler, args: argparse.Namespace) -> int:
    out = Output()
    try:
        return handler(args, out)
    except CommandFailed as exc:
        out.error(exc.message)
        return exc.exit_code


@contextmanager
def reporting(action: str, exit_code: int = EXIT_REMOTE) -> Iterator[None]:
    """Turn a failed request into `Error <action>: <reason>` and the given exit code."""
    try:
        yield
    except RequestFailed as exc:
        raise CommandFailed(f"Error {action}: {exc}", exit_code) from None


def read_key(argument: str | None, prompt: str = "Unseal Key (will be hidden): ") -> str:
    """A key share from the argument, from stdin for `-`, else a hidden prompt on a terminal.

    Without a terminal (a pipe, a script) one line is read from stdin instead.
    """
    return read_secret(argument, prompt, "key")


def read_secret(argument: str | None, prompt: str, what: str) -> str:
    """A secret (`what`: "key", "token") as `read_key` reads a key share."""
    if argument == "-":
        text = sys.stdin.read()
    elif argument:
        text = argument
    elif sys.stdin.isatty():
        try:
            text = getpass.getpass(prompt)
        except (EOFError, KeyboardInterrupt):
            raise CommandFailed("user canceled", EXIT_USAGE) from None
    else:
        text = sys.stdin.readline()
    secret = text.strip()
    if not secret:
        raise CommandFailed(
            f'Missing {what}: give it as an argument, or on stdin ("-" reads it from stdin)',
            EXIT_USAGE,
        )
    return secret


def read_share_and_nonce(
    argument: str | None, nonce_flag: str, current_nonce: str, nonce_label: str
) -> tuple[str, str]:
    """A share for a quorum operation and the nonce to send with it.

    A share given on the command line (or `-`) needs `-nonce`; when the share is prompted for,
    the operation's current nonce is shown and used, as the vault CLI does.
    """
    nonce = nonce_flag
    if not argument:
        nonce = nonce or current_nonce
        if sys.stdin.isatty():
            print(f"{nonce_label}: {nonce}")
    key = read_key(argument)
    if not nonce:
        raise CommandFailed("Missing nonce value: specify it via the -nonce flag", EXIT_USAGE)
    return key, nonce


def add_key_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "key",
        nargs="?",
        default=None,
        metavar="KEY",
        help='a key share (hex or base64); "-" reads it from stdin; omitted: prompt',
    )
