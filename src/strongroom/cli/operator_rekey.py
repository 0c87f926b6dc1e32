"""`strongroom operator rekey`: replace the unseal keys, authorised by a quorum of the old ones.

With `-verify` at `-init`, the new keys become active only after a threshold of them has been
entered back (`-verify -nonce=N KEY`), proving their holders received them.
"""

from __future__ import annotations

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
from strongroom.cli.operator_init import add_share_flags
from strongroom.cli.output import Row

REKEY = "sys/rekey/init"
REKEY_UPDATE = "sys/rekey/update"
VERIFY = "sys/rekey/verify"  # status, new-share submission and restart in one path


def register(subcommands: Any) -> None:
    parser = add_command(
        subcommands, "rekey", run_rekey, help="replace the unseal keys (needs a quorum)"
    )
    add_key_argument(parser)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("-init", action="store_true", help="start a rekey")
    mode.add_argument("-cancel", action="store_true", help="cancel the rekey (or verification)")
    mode.add_argument("-status", action="store_true", help="print the rekey progress")
    add_share_flags(parser)
    parser.add_argument(
        "-verify",
        action="store_true",
        help="with -init: require the new keys to be verified; otherwise act on the verification",
    )
    parser.add_argument(
        "-nonce", default="", help="the nonce of the rekey (or of the verification, with -verify)"
    )


def run_rekey(invocation: Invocation) -> int:
    args = invocation.args
    if args.cancel:
        return cancel(invocation)
    if args.init:
        return start(invocation)
    if args.status:
        return show_status(invocation, verification=args.verify)
    return provide(invocation)


def start(invocation: Invocation) -> int:
    args = invocation.args
    request = {
        "secret_shares": args.key_shares,
        "secret_threshold": args.key_threshold,
        "require_verification": args.verify,
    }
    with reporting("initializing rekey"):
        status = invocation.client.put(REKEY, request)
    if invocation.out.is_table:
        invocation.out.warn(
            "WARNING! The new unseal keys are shown only once, when the rekey completes. "
            "Strongroom does not encrypt them to PGP keys or keep a backup: if they are "
            "lost after that, nothing can recover them."
        )
        invocation.out.line()
    print_status(invocation, status, verification=False)
    return EXIT_OK


def cancel(invocation: Invocation) -> int:
    path = VERIFY if invocation.args.verify else REKEY
    params = {"nonce": invocation.args.nonce} if invocation.args.nonce else None
    with reporting("canceling rekey"):
        invocation.client.send("DELETE", path, params=params)
    invocation.out.line("Success! Canceled rekeying (if it was started)")
    return EXIT_OK


def show_status(invocation: Invocation, *, verification: bool) -> int:
    with reporting("reading rekey status"):
        status = invocation.client.get(VERIFY if verification else REKEY)
    print_status(invocation, status, verification=verification)
    return EXIT_OK


def print_status(invocation: Invocation, status: JSONObject, *, verification: bool) -> None:
    rows = verification_rows(status) if verification else rekey_rows(status)
    invocation.out.data(rows, status)


def provide(invocation: Invocation) -> int:
    """Submit one share: a current one, or a new one with `-verify`."""
    args, client = invocation.args, invocation.client
    verification = args.verify
    with reporting("getting rekey status"):
        status = client.get(VERIFY if verification else REKEY)
    if not status.get("started"):
        raise CommandFailed(
            'No rekey is in progress. Start one with "strongroom operator rekey -init".',
            EXIT_USAGE,
        )
    key, nonce = read_share_and_nonce(
        args.key, args.nonce, str(status.get("nonce", "")), "Rekey operation nonce"
    )
    with reporting("posting unseal key"):
        result = client.put(VERIFY if verification else REKEY_UPDATE, {"key": key, "nonce": nonce})
    if not result.get("complete"):
        return show_status(invocation, verification=verification)
    if not invocation.out.is_table:
        invocation.out.json(result)
    elif verification:
        invocation.out.wrapped(
            "Rekey verification successful. The rekey is complete and the new keys are now active."
        )
    else:
        print_new_keys(invocation, status, result)
    return EXIT_OK


def print_new_keys(invocation: Invocation, status: JSONObject, result: JSONObject) -> None:
    out = invocation.out
    out.line()
    for number, key in enumerate(result.get("keys_base64") or result.get("keys") or [], 1):
        out.line(f"Key {number}: {key}")
    out.line()
    out.line(f"Operation nonce: {result.get('nonce', '')}")
    shares, threshold = status.get("n", 0), status.get("t", 0)
    if not result.get("verification_required"):
        out.paragraph(
            f"The unseal keys are replaced by {shares} new key shares with a key threshold "
            f"of {threshold}. Hand the key shares above to different people and keep them "
            f"safe. Each time Strongroom is sealed, restarted or stopped, {threshold} of "
            f"these keys must be entered to unseal it."
        )
        return
    out.paragraph(
        f"Strongroom has split a new unseal key into {shares} key shares with a key "
        f"threshold of {threshold}. They do not replace the current keys until {threshold} "
        f"of them have been entered back with "
        '"strongroom operator rekey -verify -nonce=<verification nonce> KEY".'
    )
    out.line()
    out.warn(
        "Until verification completes, the current key shares stay valid and the new "
        "ones are not: keep the current shares. Cancelling the rekey or sealing Strongroom "
        "before then discards the new shares. The verification status, with the nonce "
        "to enter the new shares with, follows."
    )
    out.line()
    show_status(invocation, verification=True)


def rekey_rows(status: JSONObject) -> list[Row]:
    rows: list[Row] = [("Nonce", status.get("nonce")), ("Started", status.get("started"))]
    if status.get("started"):
        progress, required = status.get("progress", 0), status.get("required", 0)
        suffix = " (verification in progress)" if required and progress == required else ""
        rows.append(("Progress", f"{progress}/{required}{suffix}"))
        if status.get("n"):
            rows.append(("New Shares", status["n"]))
        if status.get("t"):
            rows.append(("New Threshold", status["t"]))
        rows.append(("Verification Required", bool(status.get("verification_required"))))
        if status.get("verification_nonce"):
            rows.append(("Verification Nonce", status["verification_nonce"]))
    return rows


def verification_rows(status: JSONObject) -> list[Row]:
    return [
        ("Started", status.get("started")),
        ("New Shares", status.get("n", 0)),
        ("New Threshold", status.get("t", 0)),
        ("Verification Nonce", status.get("nonce")),
        ("Verification Progress", f"{status.get('progress', 0)}/{status.get('t', 0)}"),
    ]
