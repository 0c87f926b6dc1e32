"""`strongroom login [-method=M] [K=V …]`: log in and keep the token in the token helper file.

As the vault CLI's `login`, each method turns `K=V` arguments into a token:

- `token` (the default): `TOKEN` (or `token=…`; `-` or a prompt when omitted) is looked up
  with `auth/token/lookup-self`;
- `userpass`: `username=… [password=…]` logs in at `auth/<path>/login/<username>`; without a
  password it is prompted for without echo on a terminal, else read as one line from stdin;
- `approle`: `role_id=… [secret_id=…]` logs in at `auth/<path>/login`.

`-path` names the mount (default: the method's name). A value can come from a file (`k=@FILE`)
or stdin (`k=-`). The token is stored in `~/.vault-token` (mode 0600), where later commands find
it when `VAULT_TOKEN` is not set. Logins never send the token they may replace, and no
argument is repeated in an error message: they may be secrets.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from strongroom.cli.arguments import InvalidArguments, parse_data
from strongroom.cli.client import (
    Client,
    ClientError,
    InvalidResponse,
    JSONObject,
    response_errors,
    store_helper_token,
)
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
NO_AUTH = (
    "The server returned a secret, but the secret has no authentication information "
    "attached. This should never happen and is likely a bug."
)
BAD_ARGUMENTS = (
    "Error parsing configuration: arguments must be K=V pairs, K=@FILE or K=- "
    "(they are not shown: they may hold secrets)"
)

# How a method logs in: (client, mount, K=V configuration) -> the login response.
Login = Callable[[Client, str, dict[str, Any]], JSONObject]


def register(commands: Any) -> None:
    parser = add_command(
        commands, "login", run_login, help="authenticate and store the token", field=True
    )
    parser.add_argument(
        "config",
        nargs="*",
        metavar="K=V",
        help='the method\'s configuration: token: TOKEN ("-" reads stdin; omitted: prompt); '
        "userpass: username=NAME [password=…] (omitted: prompt); "
        "approle: role_id=ID [secret_id=…]; a value may be @FILE or - (stdin)",
    )
    parser.add_argument(
        "-method", default=METHOD, help=f"the auth method: {', '.join(LOGINS)} (default: token)"
    )
    parser.add_argument(
        "-path", default="", metavar="MOUNT", help="where the method is mounted (default: -method)"
    )
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
    method = args.method.strip().strip("/") or METHOD
    if method not in LOGINS:
        raise CommandFailed(
            f"Unknown auth method: {method}. Supported methods: {', '.join(LOGINS)}.",
            EXIT_USAGE,
        )
    config = _configuration(method, args.config)
    mount = (_text(config, "mount") or args.path or method).strip("/")
    secret = LOGINS[method](invocation.client, mount, config)
    auth = secret.get("auth")
    if not isinstance(auth, dict) or not auth.get("client_token"):
        raise CommandFailed(wrap(NO_AUTH), EXIT_REMOTE)
    if args.no_store:
        if not args.token_only:
            _warn(
                out,
                "The token was not stored in the token helper. Set the VAULT_TOKEN "
                "environment variable or pass the token below with each request to "
                "Strongroom.",
            )
    elif not _stored(out, str(auth["client_token"]), secret):
        return EXIT_REMOTE
    if args.no_print:
        return EXIT_OK
    if args.field:
        return print_field(out, secret, args.field)
    if out.is_table:
        out.line(wrap(SUCCESS_UNSTORED if args.no_store else SUCCESS) + "\n")
    print_secret(out, secret)
    return EXIT_OK


def _configuration(method: str, arguments: list[str]) -> dict[str, Any]:
    """The `K=V` arguments as a dict; for the token method a bare first one is the token."""
    if method == METHOD and arguments and "=" not in arguments[0]:
        arguments = [f"token={arguments[0]}", *arguments[1:]]
    try:
        return parse_data(arguments, sys.stdin)
    except InvalidArguments:
        raise CommandFailed(BAD_ARGUMENTS, EXIT_USAGE) from None


def _text(config: dict[str, Any], key: str) -> str:
    value = config.get(key)
    if value is not None and not isinstance(value, str):
        raise CommandFailed(f"Error parsing configuration: {key} must be one string", EXIT_USAGE)
    return value or ""


def _required(config: dict[str, Any], key: str) -> str:
    value = _text(config, key)
    if not value:
        raise CommandFailed(f"Error authenticating: '{key}' must be specified", EXIT_USAGE)
    return value


def _token_login(client: Client, mount: str, config: dict[str, Any]) -> JSONObject:
    """The token method checks the token and shows its lookup as a login (the mount is unused)."""
    token = read_secret(_text(config, "token"), "Token (will be hidden): ", "token")
    with reporting("authenticating: error looking up token"):
        lookup = client.request("GET", "auth/token/lookup-self", token=token) or {}
    return login_secret(token, lookup.get("data") or {})


def _userpass_login(client: Client, mount: str, config: dict[str, Any]) -> JSONObject:
    username = _required(config, "username")
    password = _text(config, "password") or read_secret(
        None, "Password (will be hidden): ", "password"
    )
    return _authenticate(client, f"auth/{mount}/login/{username}", {"password": password})


def _approle_login(client: Client, mount: str, config: dict[str, Any]) -> JSONObject:
    body = {"role_id": _required(config, "role_id")}
    secret_id = _text(config, "secret_id")
    if secret_id:  # a role with bind_secret_id=false needs none
        body["secret_id"] = secret_id
    return _authenticate(client, f"auth/{mount}/login", body)


def _authenticate(client: Client, path: str, body: JSONObject) -> JSONObject:
    """`PUT path` without the client's token (an empty `X-Vault-Token` is none): as the vault
    CLI, a login never sends the stored token it is about to replace."""
    url = client.url(path)
    with reporting("authenticating"):
        response = client.raw("PUT", path, body=body, headers={"X-Vault-Token": ""})
        if response.status_code >= 400:
            raise ClientError("PUT", url, response.status_code, response_errors(response))
        try:
            document = response.json()
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise InvalidResponse("PUT", url, response.status_code)
    return document


LOGINS: dict[str, Login] = {
    "token": _token_login,
    "userpass": _userpass_login,
    "approle": _approle_login,
}


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
