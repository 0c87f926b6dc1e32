"""`strongroom operator generate-root`: a quorum of unseal-key holders mints a new root token.

The server returns the token XOR-ed with a one-time pad (OTP) that only the initiator saw;
`-decode=ENCODED -otp=OTP` undoes that locally, without asking the server.
"""

from __future__ import annotations

import sys
from typing import Any

from strongroom.cli.client import JSONObject
from strongroom.cli.command import (
    EXIT_OK,
    EXIT_USAGE,
    CommandFailed,
    Invocation,
    add_command,
    add_key_argument,
    read_share_and_nonce,
    reporting,
)
from strongroom.cli.output import Row
from strongroom.seal.root_generation import decode_token, new_otp

ATTEMPT = "sys/generate-root/attempt"
UPDATE = "sys/generate-root/update"
DEFAULT_OTP_LENGTH = 28  # `hvs.` and 24 characters: the length of a root token


def register(subcommands: Any) -> None:
    parser = add_command(
        subcommands,
        "generate-root",
        run_generate_root,
        help="generate a new root token from a quorum of unseal keys",
    )
    add_key_argument(parser)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("-init", action="store_true", help="start a root token generation")
    mode.add_argument("-cancel", action="store_true", help="cancel the root token generation")
    mode.add_argument("-status", action="store_true", help="print the generation progress")
    mode.add_argument(
        "-decode",
        default=None,
        metavar="ENCODED",
        help='decode an encoded root token with -otp ("-" reads it from stdin)',
    )
    mode.add_argument(
        "-generate-otp", action="store_true", help="print a one-time pad of the right length"
    )
    parser.add_argument(
        "-otp", default="", help="the one-time pad (with -decode; or your own, with -init)"
    )
    parser.add_argument("-nonce", default="", help="the nonce of the root token generation")


def run_generate_root(invocation: Invocation) -> int:
    args = invocation.args
    if args.generate_otp:
        return generate_otp(invocation)
    if args.decode is not None:
        return decode(invocation)
    if args.cancel:
        return cancel(invocation)
    if args.init:
        return start(invocation)
    if args.status:
        return print_status(invocation, attempt_status(invocation))
    return provide(invocation)


def attempt_status(invocation: Invocation) -> JSONObject:
    with reporting("getting root generation status"):
        return invocation.client.get(ATTEMPT)


def decode(invocation: Invocation) -> int:
    encoded, otp = invocation.args.decode, invocation.args.otp
    if encoded == "-":
        encoded = sys.stdin.read()
    encoded = encoded.strip()
    if not encoded:
        raise CommandFailed("Missing encoded value: use -decode=<string> to supply it", EXIT_USAGE)
    if not otp:
        raise CommandFailed("Missing otp: use -otp to supply it", EXIT_USAGE)
    try:
        token = decode_token(encoded, otp)
    except ValueError:  # the message could quote decoded bytes: say only what went wrong
        raise CommandFailed(
            "Error decoding root token: the encoded token does not decode with this OTP",
            EXIT_USAGE,
        ) from None
    if invocation.out.is_table:
        invocation.out.line(token)
    else:
        invocation.out.json({"token": token})
    return EXIT_OK


def generate_otp(invocation: Invocation) -> int:
    status = attempt_status(invocation)
    otp = new_otp(int(status.get("otp_length") or DEFAULT_OTP_LENGTH))
    if invocation.out.is_table:
        invocation.out.line(otp)
    else:
        invocation.out.json({"otp": otp, "otp_length": len(otp)})
    return EXIT_OK


def start(invocation: Invocation) -> int:
    body = {"otp": invocation.args.otp} if invocation.args.otp else {}
    with reporting("initializing root generation"):
        status = invocation.client.put(ATTEMPT, body)
    return print_status(invocation, status)


def cancel(invocation: Invocation) -> int:
    params = {"nonce": invocation.args.nonce} if invocation.args.nonce else None
    with reporting("canceling root token generation"):
        invocation.client.send("DELETE", ATTEMPT, params=params)
    invocation.out.line("Success! Root token generation canceled (if it was started)")
    return EXIT_OK


def provide(invocation: Invocation) -> int:
    args, client = invocation.args, invocation.client
    status = attempt_status(invocation)
    if not status.get("started"):
        raise CommandFailed(
            "No root generation is in progress. Start one with "
            '"strongroom operator generate-root -init".',
            EXIT_USAGE,
        )
    key, nonce = read_share_and_nonce(
        args.key, args.nonce, str(status.get("nonce", "")), "Operation nonce"
    )
    with reporting("posting unseal key"):
        result = client.put(UPDATE, {"key": key, "nonce": nonce})
    return print_status(invocation, result)


def print_status(invocation: Invocation, status: JSONObject) -> int:
    if status.get("otp") and invocation.out.is_table:
        invocation.out.warn(
            "A one-time pad (OTP) was generated for you; it is shown in the OTP field. "
            "It is needed to decode the new root token, and is not shown again: keep it safe."
        )
    invocation.out.data(status_rows(status), status, header=False)
    return EXIT_OK


def status_rows(status: JSONObject) -> list[Row]:
    rows: list[Row] = [
        ("Nonce", status.get("nonce")),
        ("Started", status.get("started")),
        ("Progress", f"{status.get('progress', 0)}/{status.get('required', 0)}"),
        ("Complete", status.get("complete")),
    ]
    if status.get("pgp_fingerprint"):
        rows.append(("PGP Fingerprint", status["pgp_fingerprint"]))
    if status.get("encoded_token"):
        rows.append(("Encoded Token", status["encoded_token"]))
    elif status.get("encoded_root_token"):
        rows.append(("Encoded Root Token", status["encoded_root_token"]))
    if status.get("otp"):
        rows.append(("OTP", status["otp"]))
    if status.get("otp_length"):
        rows.append(("OTP Length", status["otp_length"]))
    return rows
