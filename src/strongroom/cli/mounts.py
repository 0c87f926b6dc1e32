"""What `secrets` and `auth` share: mount flags, the bodies they send, the tables they print.

The two differ only in their API prefix, their words and a few flags, so each one is a
`MountKind` and the commands are written once. Only the flags given on the command line are
sent: a flag left out leaves the mount's setting as it is.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from strongroom.cli.arguments import duration, duration_or_system, key_value
from strongroom.cli.client import JSONObject
from strongroom.cli.command import EXIT_OK, Invocation, add_command, reporting
from strongroom.cli.output import go_value

# (flag, API field) of the repeatable list flags, sent only when given.
LIST_FLAGS = (
    ("-audit-non-hmac-request-keys", "audit_non_hmac_request_keys"),
    ("-audit-non-hmac-response-keys", "audit_non_hmac_response_keys"),
    ("-passthrough-request-headers", "passthrough_request_headers"),
    ("-allowed-response-headers", "allowed_response_headers"),
)
LISTING_VISIBILITY = ("unauth", "hidden")
TOKEN_TYPES = ("default-service", "default-batch", "service", "batch")
NO_TTL_TYPES = ("system", "cubbyhole")  # `-detailed` shows no TTLs for these


@dataclass(frozen=True)
class MountKind:
    api: str  # `sys/mounts` or `sys/auth`
    thing: str  # "secrets engine", "auth method"
    enabled: str  # the success message of `enable`, with {type} and {path}
    enable_error: str  # what failed, for `enable`
    list_error: str
    auth: bool

    def tune_path(self, path: str) -> str:
        return f"{self.api}/{path}tune"


SECRETS = MountKind(
    api="sys/mounts",
    thing="secrets engine",
    enabled="Success! Enabled the {type} secrets engine at: {path}",
    enable_error="enabling",
    list_error="listing secrets engines",
    auth=False,
)
AUTH = MountKind(
    api="sys/auth",
    thing="auth method",
    enabled="Success! Enabled {type} auth method at: {path}",
    enable_error="enabling {type} auth",
    list_error="listing enabled authentications",
    auth=True,
)


def mount_path(path: str) -> str:
    """`path/`: no surrounding spaces or slashes, and one trailing slash, as vault shows it."""
    return path.strip().strip("/") + "/"


# -- flags ------------------------------------------------------------------------------------


def add_config_flags(parser: argparse.ArgumentParser, kind: MountKind, *, tune: bool) -> None:
    """The flags `enable` and `tune` share (TTLs, audit keys, headers, options, version)."""
    ttl = duration_or_system if tune else duration
    parser.add_argument("-description", default=None, help="a human-friendly description")
    parser.add_argument("-default-lease-ttl", type=ttl, default=None, metavar="DURATION")
    parser.add_argument("-max-lease-ttl", type=ttl, default=None, metavar="DURATION")
    for flag, _ in LIST_FLAGS:
        parser.add_argument(flag, action="append", default=None, metavar="KEY")
    parser.add_argument("-listing-visibility", choices=LISTING_VISIBILITY, default=None)
    parser.add_argument(
        "-options",
        action="append",
        default=[],
        type=key_value,
        metavar="K=V",
        help="an option of the plugin (repeatable)",
    )
    parser.add_argument("-version", type=int, default=0, help="the plugin version (options)")
    if kind.auth:
        parser.add_argument("-token-type", choices=TOKEN_TYPES, default=None)


def add_enable_flags(parser: argparse.ArgumentParser, kind: MountKind) -> None:
    parser.add_argument("type", metavar="TYPE")
    parser.add_argument("-path", default="", help="where to mount it (default: TYPE)")
    add_config_flags(parser, kind, tune=False)
    parser.add_argument("-local", action="store_true", help="do not replicate the mount")
    parser.add_argument("-seal-wrap", action="store_true", help="seal-wrap its storage")
    parser.add_argument("-external-entropy-access", action="store_true")
    if not kind.auth:
        parser.add_argument("-force-no-cache", action="store_true")


# -- request bodies --------------------------------------------------------------------------


def config_fields(args: argparse.Namespace) -> JSONObject:
    """The mount configuration given by flags: only the ones that were set."""
    fields: JSONObject = {}
    for name in ("default_lease_ttl", "max_lease_ttl", "listing_visibility", "token_type"):
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = value
    for flag, name in LIST_FLAGS:
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value is not None:
            fields[name] = [item.strip() for item in value]
    if getattr(args, "force_no_cache", False):
        fields["force_no_cache"] = True
    return fields


def mount_options(args: argparse.Namespace) -> dict[str, str] | None:
    options = dict(args.options)
    if args.version > 0:
        options["version"] = str(args.version)
    return options or None


def enable_body(args: argparse.Namespace) -> JSONObject:
    body: JSONObject = {
        "type": args.type.strip(),
        "description": args.description or "",
        "config": config_fields(args),
        "local": args.local,
        "seal_wrap": args.seal_wrap,
        "external_entropy_access": args.external_entropy_access,
    }
    options = mount_options(args)
    if options:
        body["options"] = options
    return body


def tune_body(args: argparse.Namespace) -> JSONObject:
    body = config_fields(args)
    if args.description is not None:
        body["description"] = args.description
    options = mount_options(args)
    if options:
        body["options"] = options
    return body


# -- the commands -----------------------------------------------------------------------------


def register_commands(group: Any, kind: MountKind) -> None:
    """`enable`, `disable`, `list` and `tune` of one kind of mount."""
    enable = add_command(group, "enable", _bound(run_enable, kind), help=f"enable a {kind.thing}")
    add_enable_flags(enable, kind)
    disable = add_command(
        group, "disable", _bound(run_disable, kind), help=f"disable a {kind.thing}"
    )
    disable.add_argument("path", metavar="PATH")
    listing = add_command(
        group, "list", _bound(run_list, kind), help=f"list the enabled {kind.thing}s"
    )
    listing.add_argument("-detailed", action="store_true", help="show every mount setting")
    tune = add_command(group, "tune", _bound(run_tune, kind), help=f"tune a {kind.thing}")
    tune.add_argument("path", metavar="PATH")
    add_config_flags(tune, kind, tune=True)


def _bound(
    run: Callable[[Invocation, MountKind], int], kind: MountKind
) -> Callable[[Invocation], int]:
    def handler(invocation: Invocation) -> int:
        return run(invocation, kind)

    return handler


def run_enable(invocation: Invocation, kind: MountKind) -> int:
    args = invocation.args
    body = enable_body(args)
    path = mount_path(args.path or body["type"])
    with reporting(kind.enable_error.format(type=body["type"])):
        invocation.client.send("POST", f"{kind.api}/{path}", body=body)
    invocation.out.line(kind.enabled.format(type=body["type"], path=path))
    return EXIT_OK


def run_disable(invocation: Invocation, kind: MountKind) -> int:
    path = mount_path(invocation.args.path)
    with reporting(f"disabling {kind.thing} at {path}"):
        invocation.client.send("DELETE", f"{kind.api}/{path}")
    invocation.out.line(f"Success! Disabled the {kind.thing} (if it existed) at: {path}")
    return EXIT_OK


def run_tune(invocation: Invocation, kind: MountKind) -> int:
    path = mount_path(invocation.args.path)
    with reporting(f"tuning {kind.thing} {path}"):
        invocation.client.send("POST", kind.tune_path(path), body=tune_body(invocation.args))
    invocation.out.line(f"Success! Tuned the {kind.thing} at: {path}")
    return EXIT_OK


def run_list(invocation: Invocation, kind: MountKind) -> int:
    out = invocation.out
    with reporting(kind.list_error):
        response = invocation.client.get(kind.api)
    mounts = mount_table(response)
    if not out.is_table:
        out.json(mounts)
    elif invocation.args.detailed:
        out.columns(
            detailed_header(kind), [detailed_row(p, mounts[p], kind) for p in sorted(mounts)]
        )
    else:
        out.columns(simple_header(kind), [simple_row(p, mounts[p], kind) for p in sorted(mounts)])
    return EXIT_OK


def mount_table(response: JSONObject) -> dict[str, JSONObject]:
    """`path/` → mount entry, from `data` (or, from older servers, the top level)."""
    data = response.get("data")
    source = data if isinstance(data, dict) else response
    return {path: entry for path, entry in source.items() if isinstance(entry, dict)}


# -- list tables ------------------------------------------------------------------------------


def simple_header(kind: MountKind) -> Sequence[str]:
    return ["Path", "Type", "Accessor", "Description", *(["Version"] if kind.auth else [])]


def simple_row(path: str, mount: JSONObject, kind: MountKind) -> list[object]:
    row = [path, mount.get("type"), mount.get("accessor"), mount.get("description")]
    return row + ([mount.get("plugin_version")] if kind.auth else [])


def detailed_header(kind: MountKind) -> Sequence[str]:
    return [
        "Path",
        "Plugin",
        "Accessor",
        "Default TTL",
        "Max TTL",
        "Token Type" if kind.auth else "Force No Cache",
        "Replication",
        "Seal Wrap",
        "External Entropy Access",
        "Options",
        "Description",
        "UUID",
        "Version",
        "Running Version",
        "Running SHA256",
        "Deprecation Status",
    ]


def detailed_row(path: str, mount: JSONObject, kind: MountKind) -> list[object]:
    config = mount.get("config") or {}
    type_ = str(mount.get("type") or "")
    return [
        path,
        type_,
        mount.get("accessor"),
        _ttl(type_, config.get("default_lease_ttl")),
        _ttl(type_, config.get("max_lease_ttl")),
        config.get("token_type") if kind.auth else bool(config.get("force_no_cache")),
        "local" if mount.get("local") else "replicated",
        bool(mount.get("seal_wrap")),
        bool(mount.get("external_entropy_access")),
        go_value(mount.get("options") or {}),
        mount.get("description"),
        mount.get("uuid"),
        mount.get("plugin_version"),
        mount.get("running_plugin_version"),
        mount.get("running_sha256"),
        mount.get("deprecation_status"),
    ]


def _ttl(type_: str, ttl: object) -> str:
    if type_ in NO_TTL_TYPES:
        return ""
    return str(ttl) if ttl else "system"
