"""`strongroom lease lookup|renew|revoke LEASE_ID` (`sys/leases/*`).

As with the vault CLI, `revoke` queues the revocation unless `-sync` is given; `-prefix`
revokes every lease under LEASE_ID, and `-force` (with `-prefix`) drops the leases even when
their secrets engine fails to revoke them.
"""

from __future__ import annotations

import argparse
from typing import Any

from strongroom.cli.arguments import seconds
from strongroom.cli.command import (
    EXIT_OK,
    EXIT_USAGE,
    CommandFailed,
    Invocation,
    add_command,
    add_group,
    reporting,
)
from strongroom.cli.secret import print_secret


def register(commands: Any) -> None:
    lease = add_group(commands, "lease", help="look up, renew and revoke leases")
    lookup = add_command(lease, "lookup", run_lookup, help="print a lease's properties")
    _lease_id(lookup)
    renew = add_command(lease, "renew", run_renew, help="extend a lease")
    _lease_id(renew)
    renew.add_argument(
        "-increment",
        "-i",
        type=seconds,
        default=0,
        metavar="DURATION",
        help="the extension asked for (default: the lease's own TTL)",
    )
    revoke = add_command(lease, "revoke", run_revoke, help="revoke a lease (or a prefix)")
    _lease_id(revoke)
    revoke.add_argument("-prefix", action="store_true", help="LEASE_ID is a prefix")
    revoke.add_argument(
        "-force", "-f", action="store_true", help="with -prefix: drop even unrevocable leases"
    )
    revoke.add_argument("-sync", action="store_true", help="wait until the leases are revoked")


def _lease_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lease_id", metavar="LEASE_ID")


def run_lookup(invocation: Invocation) -> int:
    lease_id = invocation.args.lease_id.strip()
    with reporting(f"looking up lease id {lease_id}"):
        response = invocation.client.put("sys/leases/lookup", {"lease_id": lease_id})
    print_secret(invocation.out, response)
    return EXIT_OK


def run_renew(invocation: Invocation) -> int:
    lease_id = invocation.args.lease_id.strip()
    body = {"lease_id": lease_id, "increment": invocation.args.increment}
    with reporting(f"renewing {lease_id}"):
        response = invocation.client.put("sys/leases/renew", body)
    print_secret(invocation.out, response)
    return EXIT_OK


def run_revoke(invocation: Invocation) -> int:
    args, out = invocation.args, invocation.out
    lease_id = args.lease_id.strip()
    if args.force and not args.prefix:
        raise CommandFailed("Specifying -force requires also specifying -prefix", EXIT_USAGE)
    if args.force:
        out.warn(
            "Warning! Force-removing leases can cause Strongroom to become out of sync "
            "with secret engines!"
        )
        with reporting(f"force revoking leases with prefix {lease_id}"):
            invocation.client.send("PUT", f"sys/leases/revoke-force/{lease_id}")
        out.line(f"Success! Force revoked any leases with prefix: {lease_id}")
        return EXIT_OK
    endpoint, what = ("revoke-prefix", "leases with prefix") if args.prefix else ("revoke", "lease")
    with reporting(f"revoking {what} {lease_id}"):
        invocation.client.send("PUT", f"sys/leases/{endpoint}/{lease_id}", body={"sync": args.sync})
    if not args.sync:
        out.line("All revocation operations queued successfully!")
    elif args.prefix:
        out.line(f"Success! Revoked any leases with prefix: {lease_id}")
    else:
        out.line(f"Success! Revoked lease: {lease_id}")
    return EXIT_OK
