"""`strongroom login [TOKEN]`: check a token and keep it in the token helper file.

Only the token method exists: the token is looked up (`auth/token/lookup-self`) and stored in
`~/.vault-token` (mode 0600), where later commands find it when `VAULT_TOKEN` is not set.
"""

from __future__ import annotations

import os
from typing import Any

from strongroom.cli.client import JSONObject, store_helper_token
from strongroom.cli.command import (
    EXIT_OK,
    EXIT_REMOTE,
    EXIT_USAGE,
    CommandFailed,
    Invocation,
    add_command,
    read_secret,
    reporting,
)
from strongroom.cli.output import Output, wrap
from strongroom.cli.secret import print_field, print_secret

METHOD = "token"
TOKEN_VARIABLES = ("STRONGROOM_TOKEN", "VAULT_TOKEN")
SUCCESS = (
    "Success! You are now authenticated. The token information displayed below is already "
    'stored in the token helper. You do NOT need to run "strongroom login" again. Future '
    "Strongroom requests will automatically use this token."
)
# The vault CLI prints SUCCESS with -no-store too, which then is not true.
SUCCESS_UNSTORED = "Success! You are now authenticated."


def register(commands: Any) -> None:
    parser = add_command(
        commands, "login", run_login, help="authenticate with a token and store it", field=True
    )
    parser.add_argument(
        "token",
        nargs="?",
        default=None,
        metavar="TOKEN",
        help='the token; "-" reads it from stdin; omitted: prompt',
    )
    parser.add_argument("-method", default=METHOD, help="the auth method (only token is supported)")
    parser.add_argument(
        "-no-store", action="store_true", help="do not store the token in the token helper"
    )
    parser.add_argument(
        "-no-print", action="store_true", help="print nothing when the login succeeds"
    )
    parser.add_argument(
        "-token-only",
        action="store_true",
        help="print only the token, and do not store it (-no-store -field=token)",
    )


def run_login(invocation: Invocation) -> int:
    args, out = invocation.args, invocation.out
    if args.token_only:
        args.no_store, args.field = True, "token"
    if args.no_store and args.no_print:
        raise CommandFailed("-no-store and -no-print cannot be used together", EXIT_USAGE)
    if args.method.strip("/") != METHOD:
        raise CommandFailed(
            f"Unknown auth method: {args.method}. Only the token method is supported.",
            EXIT_USAGE,
        )
    token = read_secret(args.token, "Token (will be hidden): ", "token")
    with reporting("authenticating: error looking up token"):
        lookup = invocation.client.request("GET", "auth/token/lookup-self", token=token) or {}
    secret = login_secret(token, lookup.get("data") or {})
    if args.no_store:
        if not args.token_only:
            _warn(
                out,
                "The token was not stored in the token helper. Set the VAULT_TOKEN "
                "environment variable or pass the token below with each request to "
                "Strongroom.",
            )
    elif not _stored(out, token, secret):
        return EXIT_REMOTE
    if args.no_print:
        return EXIT_OK
    if args.field:
        return print_field(out, secret, args.field)
    if out.is_table:
        out.line(wrap(SUCCESS_UNSTORED if args.no_store else SUCCESS) + "\n")
    print_secret(out, secret)
    return EXIT_OK


def _stored(out: Output, token: str, secret: JSONObject) -> bool:
    """Whether the token is now in the token helper file; if not, says so and shows it."""
    try:
        store_helper_token(token)
    except (OSError, RuntimeError) as exc:
        out.error(f"Error storing token: {exc}")
        _warn(
            out,
            "Authentication was successful, but the token was not persisted. The "
            "resulting token is shown below for your records.",
        )
        print_secret(out, secret)
        return False
    for name in TOKEN_VARIABLES:
        if os.environ.get(name):
            _warn(
                out,
                f"WARNING! The {name} environment variable is set! The value of this "
                f"variable will take precedence; if this is unwanted please unset {name} "
                "or update its value accordingly.",
            )
            break
    return True


def _warn(out: Output, text: str) -> None:
    out.warn(text)
    out.error("")


def login_secret(token: str, lookup: JSONObject) -> JSONObject:
    """The `auth` response a login returns, built from the token's lookup (as the vault CLI)."""
    token_policies = list(lookup.get("policies") or [])
    identity_policies = list(lookup.get("identity_policies") or [])
    return {
        "request_id": "",
        "lease_id": "",
        "lease_duration": 0,
        "renewable": False,
        "data": None,
        "warnings": None,
        "auth": {
            "client_token": lookup.get("id") or token,
            "accessor": lookup.get("accessor") or "",
            "policies": token_policies + identity_policies,
            "token_policies": token_policies,
            "identity_policies": identity_policies or None,
            "metadata": lookup.get("meta"),
            "orphan": False,
            "entity_id": "",
            "lease_duration": lookup.get("ttl") or 0,
            "renewable": bool(lookup.get("renewable")),
            "mfa_requirement": None,
        },
    }
