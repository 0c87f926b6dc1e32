"""`strongroom operator …`: unseal, seal and the keyring here; init, rekey, generate-root beside."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from strongroom.cli import operator_generate_root, operator_init, operator_rekey
from strongroom.cli.client import JSONObject
from strongroom.cli.command import (
    EXIT_OK,
    Invocation,
    add_command,
    add_group,
    add_key_argument,
    read_key,
    reporting,
)
from strongroom.cli.output import Row
from strongroom.cli.status import show_seal_status


def register(commands: Any) -> None:
    subcommands = add_group(
        commands,
        "operator",
        help="operate the server: init, unseal, seal, keyring rotation, rekey, generate-root",
    )
    operator_init.register(subcommands)
    unseal = add_command(
        subcommands, "unseal", run_unseal, help="enter one unseal key share, or -reset"
    )
    add_key_argument(unseal)
    unseal.add_argument("-reset", action="store_true", help="discard the key shares entered so far")
    add_command(subcommands, "seal", run_seal, help="seal the server (needs a sudo token)")
    add_command(subcommands, "key-status", run_key_status, help="print the active keyring term")
    add_command(subcommands, "rotate", run_rotate, help="add a new keyring term for new writes")
    operator_rekey.register(subcommands)
    operator_generate_root.register(subcommands)


def run_unseal(invocation: Invocation) -> int:
    """Like the vault CLI, exits 0 after an accepted share even while still sealed."""
    client = invocation.client
    if invocation.args.reset:
        with reporting("resetting unseal process"):
            status = client.put("sys/unseal", {"reset": True})
    else:
        key = read_key(invocation.args.key)
        with reporting("unsealing"):
            status = client.put("sys/unseal", {"key": key})
    show_seal_status(invocation, status)
    return EXIT_OK


def run_seal(invocation: Invocation) -> int:
    with reporting("sealing"):
        invocation.client.send("PUT", "sys/seal")
    invocation.out.line("Success! Strongroom is sealed.")
    return EXIT_OK


def run_key_status(invocation: Invocation) -> int:
    with reporting("reading key status"):
        status = key_status(invocation)
    invocation.out.data(key_status_rows(status), status, header=False)
    return EXIT_OK


def run_rotate(invocation: Invocation) -> int:
    with reporting("rotating key"):
        invocation.client.send("PUT", "sys/rotate")
    with reporting("reading key status"):
        status = key_status(invocation)
    if invocation.out.is_table:
        invocation.out.line("Success! Rotated key")
        invocation.out.line()
    invocation.out.data(key_status_rows(status), status, header=False)
    return EXIT_OK


def key_status(invocation: Invocation) -> JSONObject:
    """The fields of `sys/key-status` the vault CLI prints (its JSON has exactly these)."""
    data = invocation.client.get("sys/key-status").get("data") or {}
    return {name: data.get(name) for name in ("term", "install_time", "encryptions")}


def key_status_rows(status: JSONObject) -> list[Row]:
    return [
        ("Key Term", status["term"]),
        ("Install Time", rfc822(status["install_time"])),
        ("Encryption Count", status["encryptions"]),
    ]


def rfc822(timestamp: object) -> str:
    """Go's RFC 822 layout in UTC (`02 Jan 06 15:04 UTC`), as the vault CLI prints times."""
    try:
        moment = datetime.fromisoformat(str(timestamp))
    except ValueError:
        return str(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%d %b %y %H:%M UTC")
