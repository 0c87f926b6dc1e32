"""`strongroom token create|lookup|renew|revoke|capabilities`, on `auth/token/*`.

A TOKEN argument names another token (with `-accessor`, its accessor); without one, the
command acts on the client's own token (`lookup-self`, `renew-self`, `revoke -self`).
"""

from __future__ import annotations

import argparse
from typing import Any

from strongroom.cli.arguments import add_bool_flag, duration, key_value, seconds
from strongroom.cli.client import JSONObject
from strongroom.cli.command import (
    EXIT_OK,
    EXIT_USAGE,
    CommandFailed,
    Invocation,
    add_command,
    add_group,
    reporting,
)
from strongroom.cli.secret import show_secret

TOKEN_TYPES = ("service", "batch")
REVOKE_MODES = ("orphan", "path")


def register(commands: Any) -> None:
    token = add_group(commands, "token", help="create, inspect, renew and revoke tokens")
    _register_create(token)
    lookup = add_command(token, "lookup", run_lookup, help="print a token's properties", field=True)
    _token_argument(lookup)
    renew = add_command(token, "renew", run_renew, help="extend a token's lease")
    _token_argument(renew)
    renew.add_argument(
        "-increment",
        "-i",
        type=seconds,
        default=0,
        metavar="DURATION",
        help="the lease extension asked for (default: the token's own TTL)",
    )
    revoke = add_command(token, "revoke", run_revoke, help="revoke a token and its children")
    _token_argument(revoke)
    revoke.add_argument("-self", action="store_true", help="revoke the client's own token")
    revoke.add_argument(
        "-mode",
        default="",
        choices=REVOKE_MODES,
        help="orphan: keep the children (as orphans); path: revoke by token path prefix",
    )
    capabilities = add_command(
        token, "capabilities", run_capabilities, help="print a token's capabilities on a path"
    )
    capabilities.add_argument("arguments", nargs="+", metavar="[TOKEN] PATH")


def _token_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("token", nargs="?", default="", metavar="TOKEN")
    parser.add_argument(
        "-accessor", action="store_true", help="TOKEN is a token accessor, not a token"
    )


def _register_create(token: Any) -> None:
    create = add_command(token, "create", run_create, help="create a token", field=True, wrap=True)
    create.add_argument("-id", default="", help="the token's ID (root tokens only)")
    create.add_argument("-display-name", default="", help="a name shown in audit logs")
    for name, meaning in (
        ("-ttl", "the token's TTL"),
        ("-explicit-max-ttl", "a hard limit on the token's lifetime, renewals included"),
        ("-period", "make a periodic token, renewable for this long each time"),
    ):
        create.add_argument(name, type=duration, default="", metavar="DURATION", help=meaning)
    add_bool_flag(create, "-renewable", "whether the token can be renewed", default=True)
    add_bool_flag(create, "-orphan", "create the token without a parent")
    add_bool_flag(create, "-no-default-policy", "leave the default policy out")
    create.add_argument(
        "-num-uses", "-use-limit", type=int, default=0, help="uses before the token is revoked"
    )
    create.add_argument("-role", default="", help="create the token through this token role")
    create.add_argument("-type", default="service", choices=TOKEN_TYPES, help="the token type")
    create.add_argument(
        "-policy",
        action="append",
        default=[],
        metavar="NAME",
        help="a policy of the token (repeatable)",
    )
    create.add_argument(
        "-metadata",
        action="append",
        default=[],
        type=key_value,
        metavar="K=V",
        help="metadata for the audit log (repeatable)",
    )


def create_request(args: argparse.Namespace) -> JSONObject:
    """`auth/token/create`'s body from the flags: only what was set, and the token type."""
    body: JSONObject = {
        "renewable": bool(args.renewable) and args.type != "batch",
        "type": args.type,
    }
    optional = {
        "id": args.id,
        "display_name": args.display_name,
        "ttl": args.ttl,
        "explicit_max_ttl": args.explicit_max_ttl,
        "period": args.period,
        "num_uses": args.num_uses,
        "no_parent": args.orphan,
        "no_default_policy": args.no_default_policy,
        "policies": [policy.strip() for policy in args.policy],
        "meta": dict(args.metadata),
    }
    body.update({name: value for name, value in optional.items() if value})
    return body


def run_create(invocation: Invocation) -> int:
    args = invocation.args
    path = f"auth/token/create/{args.role}" if args.role else "auth/token/create"
    with reporting("creating token"):
        response = invocation.client.request("POST", path, body=create_request(args)) or {}
    return show_secret(invocation.out, args, response)


def run_lookup(invocation: Invocation) -> int:
    args, client = invocation.args, invocation.client
    token = _token(args)
    with reporting("looking up token"):
        if not token:
            response = client.request("GET", "auth/token/lookup-self")
        elif args.accessor:
            response = client.request(
                "POST", "auth/token/lookup-accessor", body={"accessor": token}
            )
        else:
            response = client.request("POST", "auth/token/lookup", body={"token": token})
    return show_secret(invocation.out, args, response or {})


def run_renew(invocation: Invocation) -> int:
    args, client = invocation.args, invocation.client
    token, increment = _token(args), args.increment
    with reporting("renewing token"):
        if not token:
            body: JSONObject = {"increment": increment}
            response = client.request("PUT", "auth/token/renew-self", body=body)
        elif args.accessor:
            body = {"accessor": token, "increment": increment}
            response = client.request("POST", "auth/token/renew-accessor", body=body)
        else:
            body = {"token": token, "increment": increment}
            response = client.request("PUT", "auth/token/renew", body=body)
    return show_secret(invocation.out, args, response or {})


def _token(args: argparse.Namespace) -> str:
    token: str = args.token.strip()
    if args.accessor and not token:
        raise CommandFailed("Not enough arguments with -accessor (expected 1, got 0)", EXIT_USAGE)
    return token


def run_revoke(invocation: Invocation) -> int:
    args, client = invocation.args, invocation.client
    method, path, body = revoke_request(args)
    with reporting("revoking token"):
        client.send(method, path, body=body)
    invocation.out.line("Success! Revoked token (if it existed)")
    return EXIT_OK


def revoke_request(args: argparse.Namespace) -> tuple[str, str, JSONObject | None]:
    """The request `token revoke` sends for its flags, refusing the combinations vault does."""
    token = args.token.strip()
    problem = _revoke_problem(args, token)
    if problem:
        raise CommandFailed(problem, EXIT_USAGE)
    if args.self:
        return "PUT", "auth/token/revoke-self", None
    if args.accessor:
        return "POST", "auth/token/revoke-accessor", {"accessor": token}
    if args.mode == "orphan":
        return "PUT", "auth/token/revoke-orphan", {"token": token}
    if args.mode == "path":
        return "PUT", f"sys/leases/revoke-prefix/{token}", None
    return "PUT", "auth/token/revoke", {"token": token}


def _revoke_problem(args: argparse.Namespace, token: str) -> str:
    if args.self and token:
        return "Too many arguments with -self (expected 0, got 1)"
    if not args.self and not token:
        return "Not enough arguments (expected 1 or -self, got 0)"
    if args.self and args.accessor:
        return "Cannot use -self with -accessor!"
    if args.self and args.mode:
        return "Cannot use -self with -mode!"
    if args.accessor and args.mode:
        return f"Cannot use -accessor with -mode={args.mode}!"
    return ""


def run_capabilities(invocation: Invocation) -> int:
    """`sys/capabilities-self` for PATH, or `sys/capabilities` for TOKEN PATH."""
    args, client, out = invocation.args, invocation.client, invocation.out
    if len(args.arguments) > 2:
        raise CommandFailed(
            f"Too many arguments (expected 1-2, got {len(args.arguments)})", EXIT_USAGE
        )
    *token, path = args.arguments
    with reporting("listing capabilities"):
        if token and token[0] != client.settings.token:
            body = {"token": token[0], "paths": [path]}
            response = client.request("POST", "sys/capabilities", body=body)
        else:
            response = client.request("POST", "sys/capabilities-self", body={"paths": [path]})
    data = (response or {}).get("data") or {}
    capabilities = data.get(path) or data.get("capabilities")
    if not capabilities:
        raise CommandFailed("No capabilities found", EXIT_USAGE)
    if out.is_table:
        out.line(", ".join(sorted(capabilities)))
    else:
        out.json(capabilities)
    return EXIT_OK
