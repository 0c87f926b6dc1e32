"""`strongroom server` and `strongroom version`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from strongroom import VAULT_COMPATIBLE_VERSION, __version__
from strongroom.errors import ConfigError

DEFAULT_DEV_ADDRESS = "127.0.0.1:8200"


def register(commands: Any) -> None:
    server = commands.add_parser("server", help="run a Strongroom server")
    server.add_argument(
        "-config",
        action="append",
        default=[],
        metavar="PATH",
        help="a configuration file or directory (repeatable; merged in order)",
    )
    server.add_argument("-dev", action="store_true", help="in-memory, unsealed development mode")
    server.add_argument("-dev-root-token-id", default=None, metavar="ID")
    server.add_argument("-dev-listen-address", default=DEFAULT_DEV_ADDRESS, metavar="ADDR")
    server.add_argument("-log-level", default=None, metavar="LEVEL")
    server.set_defaults(run=run_server)

    version = commands.add_parser("version", help="print the version")
    version.set_defaults(run=run_version)


def run_version(args: argparse.Namespace) -> int:
    print(f"Strongroom v{__version__} (Vault API {VAULT_COMPATIBLE_VERSION})")
    return 0


def run_server(args: argparse.Namespace) -> int:
    # Imported here so the client commands start without loading the server (granian, HCL, core).
    from strongroom.server.config import load_config
    from strongroom.server.dev import dev_config, dev_setup
    from strongroom.server.logging_setup import configure_logging
    from strongroom.server.node import run_node

    try:
        warnings: list[str] = []
        if args.dev:
            config = dev_config(args.dev_listen_address)
            prepare = dev_setup(args.dev_root_token_id, args.dev_listen_address)
        elif args.config:
            config, warnings = load_config(args.config)
            prepare = None
        else:
            print("error: a -config file or -dev is required", file=sys.stderr)
            return 1
        configure_logging(args.log_level or config.log_level, config.log_format)
        for warning in warnings:
            print(f"WARNING: {warning}", file=sys.stderr)
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(run_node(config, prepare))
    except ConfigError as exc:
        print(f"error loading configuration: {exc}", file=sys.stderr)
        return 1
    return 0


def _loop_factory() -> Any:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on every supported platform
        return None
    return uvloop.new_event_loop
