"""`strongroom operator init`: create the root key, split into unseal key shares.

`-status` exits 0 when initialised, 2 when not and 1 on an error, as the vault CLI does.
"""

from __future__ import annotations

import argparse
from typing import Any

from strongroom.cli.client import JSONObject
from strongroom.cli.command import EXIT_OK, Invocation, add_command, reporting

DEFAULT_SHARES = 5
DEFAULT_THRESHOLD = 3
EXIT_NOT_INITIALIZED = 2
STATUS_ERROR = 1  # 2 already means "not initialised"


def register(subcommands: Any) -> None:
    parser = add_command(
        subcommands, "init", run_init, help="initialise the server and print its unseal keys"
    )
    add_share_flags(parser)
    parser.add_argument(
        "-status",
        action="store_true",
        help="only report whether the server is initialised (exit 0 yes, 2 no)",
    )


def add_share_flags(parser: argparse.ArgumentParser) -> None:
    """`-key-shares`/`-n` and `-key-threshold`/`-t`, shared with `operator rekey`."""
    parser.add_argument(
        "-key-shares",
        "-n",
        type=int,
        default=DEFAULT_SHARES,
        metavar="N",
        help=f"number of key shares to split the key into (default {DEFAULT_SHARES})",
    )
    parser.add_argument(
        "-key-threshold",
        "-t",
        type=int,
        default=DEFAULT_THRESHOLD,
        metavar="T",
        help=f"number of shares needed to rebuild the key (default {DEFAULT_THRESHOLD})",
    )


def run_init(invocation: Invocation) -> int:
    if invocation.args.status:
        return init_status(invocation)
    shares, threshold = invocation.args.key_shares, invocation.args.key_threshold
    with reporting("initializing"):
        result = invocation.client.put(
            "sys/init", {"secret_shares": shares, "secret_threshold": threshold}
        )
    if not invocation.out.is_table:
        invocation.out.json(machine_init(result, shares, threshold))
        return EXIT_OK
    print_init(invocation, result, shares, threshold)
    return EXIT_OK


def init_status(invocation: Invocation) -> int:
    with reporting("checking init status", STATUS_ERROR):
        initialized = bool(invocation.client.get("sys/init").get("initialized"))
    if invocation.out.is_table:
        state = "initialized" if initialized else "not initialized"
        invocation.out.line(f"Strongroom is {state}")
    else:
        # The vault CLI marshals an untagged Go struct here, hence the capital letter.
        invocation.out.json({"Initialized": initialized})
    return EXIT_OK if initialized else EXIT_NOT_INITIALIZED


def machine_init(result: JSONObject, shares: int, threshold: int) -> JSONObject:
    """The vault CLI's `-format=json` document for `operator init`."""
    return {
        "unseal_keys_b64": list(result.get("keys_base64") or []),
        "unseal_keys_hex": list(result.get("keys") or []),
        "unseal_shares": shares,
        "unseal_threshold": threshold,
        "recovery_keys_b64": list(result.get("recovery_keys_base64") or []),
        "recovery_keys_hex": list(result.get("recovery_keys") or []),
        "recovery_keys_shares": 0,
        "recovery_keys_threshold": 0,
        "root_token": result.get("root_token", ""),
    }


def print_init(invocation: Invocation, result: JSONObject, shares: int, threshold: int) -> None:
    out = invocation.out
    for number, key in enumerate(result.get("keys_base64") or result.get("keys") or [], 1):
        out.line(f"Unseal Key {number}: {key}")
    out.line()
    out.line(f"Initial Root Token: {result.get('root_token', '')}")
    out.paragraph(
        f"Strongroom is initialised with {shares} key shares and a key threshold of "
        f"{threshold}. Hand the key shares above to different people and keep them safe. "
        f"Each time Strongroom is sealed, restarted or stopped, {threshold} of these keys "
        f"must be entered to unseal it before it answers requests again."
    )
    out.paragraph(
        f"Strongroom does not keep the root key it generated. If fewer than {threshold} of "
        f"the keys survive, the root key cannot be rebuilt and Strongroom stays sealed "
        f"for good."
    )
    out.paragraph(
        "A quorum of the current key holders can replace the unseal keys at any time: "
        'see "strongroom operator rekey".'
    )
