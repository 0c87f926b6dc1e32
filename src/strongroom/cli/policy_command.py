"""`strongroom policy write|read|list|delete|fmt`: ACL policies (`sys/policies/acl/*`).

Policy names are lower-cased, as the server stores them. `fmt` works on the file alone: the
policy is validated as the server would, then rewritten in the vault CLI's HCL layout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from strongroom.cli.client import LIST
from strongroom.cli.command import (
    EXIT_OK,
    EXIT_USAGE,
    CommandFailed,
    Invocation,
    add_command,
    add_group,
    add_local_command,
    reporting,
)
from strongroom.cli.hcl_format import HCLSyntaxError, format_hcl
from strongroom.cli.output import Output

ACL = "sys/policies/acl"


def register(commands: Any) -> None:
    policy = add_group(commands, "policy", help="write, read, list, delete and format policies")
    write = add_command(policy, "write", run_write, help="upload a policy")
    write.add_argument("name", metavar="NAME")
    write.add_argument("file", metavar="FILE", help='the policy file ("-" reads stdin)')
    read = add_command(policy, "read", run_read, help="print a policy")
    read.add_argument("name", metavar="NAME")
    add_command(policy, "list", run_list, help="list the policy names")
    delete = add_command(policy, "delete", run_delete, help="delete a policy")
    delete.add_argument("name", metavar="NAME")
    fmt = add_local_command(
        policy, "fmt", run_fmt, help="validate a policy file and rewrite it formatted"
    )
    fmt.add_argument("file", metavar="FILE")


def policy_name(name: str) -> str:
    return name.strip().lower()


def run_write(invocation: Invocation) -> int:
    args, out = invocation.args, invocation.out
    name = policy_name(args.name)
    text = _policy_text(args.file.strip())
    with reporting("uploading policy"):
        invocation.client.send("PUT", f"{ACL}/{name}", body={"policy": text})
    if name != args.name:
        out.warn(f'Policy name was converted from "{args.name}" to "{name}"')
    out.line(f"Success! Uploaded policy: {name}")
    return EXIT_OK


def _policy_text(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandFailed(f"Error opening policy file: {exc}", EXIT_USAGE) from None


def run_read(invocation: Invocation) -> int:
    out, name = invocation.out, policy_name(invocation.args.name)
    with reporting(f"reading policy named {name}"):
        response = invocation.client.find(f"{ACL}/{name}") or {}
    rules = (response.get("data") or {}).get("policy") or ""
    if not rules:
        raise CommandFailed(f"No policy named: {name}")
    if out.is_table:
        out.line(rules.strip())
    else:
        out.json({"policy": rules})
    return EXIT_OK


def run_list(invocation: Invocation) -> int:
    out = invocation.out
    with reporting("listing policies"):
        response = invocation.client.request("GET", ACL, params=LIST) or {}
    names = [str(name) for name in (response.get("data") or {}).get("keys") or []]
    if out.is_table:
        for name in names:
            out.line(name)
    else:
        out.json(names)
    return EXIT_OK


def run_delete(invocation: Invocation) -> int:
    name = policy_name(invocation.args.name)
    with reporting(f"deleting {name}"):
        invocation.client.send("DELETE", f"{ACL}/{name}")
    invocation.out.line(f"Success! Deleted policy: {name}")
    return EXIT_OK


def run_fmt(args: argparse.Namespace, out: Output) -> int:
    # Imported here: the policy parser loads the HCL grammar, which the other commands skip.
    from strongroom.errors import InvalidParameter
    from strongroom.policy import parse_policy

    path = Path(args.file.strip()).expanduser()
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandFailed(f"Error reading source file: {exc}", EXIT_USAGE) from None
    try:
        parse_policy(path.name, text)
        formatted = format_hcl(text)
    except InvalidParameter as exc:
        raise CommandFailed(str(exc), EXIT_USAGE) from None
    except HCLSyntaxError as exc:
        raise CommandFailed(f"Error printing result: {exc}", EXIT_USAGE) from None
    try:
        path.write_text(formatted)
    except OSError as exc:
        raise CommandFailed(f"Error writing result: {exc}", EXIT_USAGE) from None
    out.line(f"Success! Formatted policy: {args.file.strip()}")
    return EXIT_OK
