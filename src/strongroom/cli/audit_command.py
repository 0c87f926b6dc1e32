"""`strongroom audit enable|disable|list` (`sys/audit/*`) and `audit verify FILE`.

`verify` works on local files: it checks the hash chain and the signed checkpoints of a log and
of the numbered files rotation left beside it, and prints "intact" with the entry count or the
first problem. The public key comes from `-public-key=FILE` (PEM; repeatable for a file that
outlived a device) or from the server (`-device=PATH`, read from `sys/audit/PATH/public-key`).
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from strongroom.audit.logfiles import rotated_series, verify_series
from strongroom.cli.arguments import key_value
from strongroom.cli.client import Client
from strongroom.cli.command import (
    EXIT_OK,
    EXIT_REMOTE,
    EXIT_USAGE,
    CommandFailed,
    Invocation,
    add_command,
    add_group,
    reporting,
)
from strongroom.cli.mounts import mount_path, mount_table

EXIT_TAMPERED = 2


def register(commands: Any) -> None:
    audit = add_group(commands, "audit", help="enable, disable, list and verify audit devices")
    enable = add_command(audit, "enable", run_enable, help="enable an audit device")
    enable.add_argument("type", metavar="TYPE", help="file, socket or syslog")
    enable.add_argument("options", nargs="*", type=key_value, metavar="KEY=VALUE")
    enable.add_argument("-path", default=None, help="where to enable it (default: TYPE)")
    enable.add_argument("-description", default="", help="a human-friendly description")
    enable.add_argument("-local", action="store_true", help="not replicated")
    disable = add_command(audit, "disable", run_disable, help="disable an audit device")
    disable.add_argument("path", metavar="PATH")
    listing = add_command(audit, "list", run_list, help="list the enabled audit devices")
    listing.add_argument("-detailed", action="store_true", help="show options too")
    verify = add_command(
        audit, "verify", run_verify, help="check an audit log's chain and signed checkpoints"
    )
    verify.add_argument("files", nargs="+", metavar="FILE")
    verify.add_argument(
        "-public-key", action="append", default=[], metavar="FILE", help="the device's PEM key"
    )
    verify.add_argument("-device", default="", metavar="PATH", help="fetch the key from here")
    verify.add_argument("-prefix", default="", help="the device's prefix option")
    verify.add_argument(
        "-no-rotated", action="store_true", help="do not look for FILE.1, FILE.2.gz, …"
    )


def run_enable(invocation: Invocation) -> int:
    args = invocation.args
    path = mount_path(args.path or args.type)
    body = {
        "type": args.type,
        "description": args.description,
        "local": args.local,
        "options": dict(args.options),
    }
    with reporting("enabling audit device"):
        invocation.client.send("PUT", f"sys/audit/{path}", body=body)
    invocation.out.line(f"Success! Enabled the {args.type} audit device at: {path}")
    return EXIT_OK


def run_disable(invocation: Invocation) -> int:
    path = mount_path(invocation.args.path)
    with reporting("disabling audit device"):
        invocation.client.send("DELETE", f"sys/audit/{path}")
    invocation.out.line(f"Success! Disabled audit device (if it was enabled) at: {path}")
    return EXIT_OK


def run_list(invocation: Invocation) -> int:
    out = invocation.out
    with reporting("retrieving audit devices"):
        devices = mount_table(invocation.client.get("sys/audit"))
    if not out.is_table:
        out.json(devices)
        return EXIT_OK
    if not devices:
        out.line("No audit devices are enabled.")
        return EXIT_OK
    rows = []
    for path in sorted(devices):
        device = devices[path]
        row = [path, device.get("type"), device.get("description")]
        if invocation.args.detailed:
            options = device.get("options") or {}
            row.append(" ".join(f"{key}={value}" for key, value in sorted(options.items())))
        rows.append(row)
    header = ["Path", "Type", "Description", *(["Options"] if invocation.args.detailed else [])]
    out.columns(header, rows)
    return EXIT_OK


def run_verify(invocation: Invocation) -> int:
    args = invocation.args
    keys = [_read_key(path) for path in args.public_key]
    written = 0  # the seq the server says it wrote last (with -device)
    if args.device:
        key, written = _device_key(invocation.client, args.device)
        keys.append(key)
    if not keys:
        raise CommandFailed("give -public-key=FILE or -device=PATH", EXIT_USAGE)
    files: list[str] = []
    for file in args.files:
        files.extend([file] if args.no_rotated or len(args.files) > 1 else rotated_series(file))
    try:
        result = verify_series(files, keys, prefix=args.prefix.encode())
    except OSError as exc:
        raise CommandFailed(f"Error reading audit log: {exc.strerror or exc}", EXIT_USAGE) from None
    if not result.intact:
        raise CommandFailed(f"Tampered: {result.summary()}", EXIT_TAMPERED)
    last = result.files[-1].result.end.seq
    if last < written:
        raise CommandFailed(
            f"Tampered: the log ends at seq {last} but the server wrote up to seq {written}"
            " (truncated)",
            EXIT_TAMPERED,
        )
    invocation.out.line(result.summary())
    return EXIT_OK


def _read_key(path: str) -> Ed25519PublicKey:
    try:
        with open(path, "rb") as stream:
            key = load_pem_public_key(stream.read())
    except (OSError, ValueError):
        raise CommandFailed(f"{path}: not a readable PEM public key", EXIT_USAGE) from None
    if not isinstance(key, Ed25519PublicKey):
        raise CommandFailed(f"{path}: not an Ed25519 public key", EXIT_USAGE)
    return key


def _device_key(client: Client, device: str) -> tuple[Ed25519PublicKey, int]:
    """The device's key and the seq of the last line it wrote (read before the file is)."""
    with reporting("reading the device's public key", EXIT_REMOTE):
        response = client.get(f"sys/audit/{mount_path(device).rstrip('/')}/public-key")
    data = response.get("data") or {}
    key = load_pem_public_key(str(data.get("public_key", "")).encode())
    if not isinstance(key, Ed25519PublicKey):
        raise CommandFailed("the server's key is not an Ed25519 public key")
    return key, int(data.get("seq") or 0)
