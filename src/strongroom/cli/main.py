"""The `strongroom` command: Vault-style subcommands with single-dash flags (`-config=FILE`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from strongroom.cli import (
    audit_command,
    auth_command,
    kv_command,
    lease_command,
    logical,
    login,
    operator,
    policy_command,
    secrets_command,
    server_command,
    status,
    token_command,
    transit_command,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="strongroom",
        description="Strongroom: a secrets-management server that speaks the Vault API.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    server_command.register(commands)
    status.register(commands)
    operator.register(commands)
    login.register(commands)
    token_command.register(commands)
    policy_command.register(commands)
    secrets_command.register(commands)
    auth_command.register(commands)
    lease_command.register(commands)
    logical.register(commands)
    kv_command.register(commands)
    audit_command.register(commands)
    transit_command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:
        # argparse exits 2 on a usage error; like the vault CLI we answer 1 (2 means "sealed").
        return 1 if exit.code == 2 else int(exit.code or 0)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
