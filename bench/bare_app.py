"""The ceiling: a raw ASGI app served exactly the way Strongroom serves its listeners.

Every request's body is read (as Strongroom reads it) and answered with the same ~220-byte JSON
body, with the headers Strongroom sends. The server is granian's embedded server
(`Interfaces.RSGI`, TLS, one uvloop event loop), configured as in
`strongroom.server.listener.build_server` and run as `strongroom.cli.server_command` runs it, so
Strongroom / bare measures only Strongroom's own per-request work.

    python bench/bare_app.py --port 8300 --cert server.pem --key server.key
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path
from typing import Any

import orjson
import uvloop
from granian.constants import Interfaces, SSLProtocols
from granian.server.embed import Server

# Shaped like Strongroom's sys/health body (without the cluster name and id).
BODY = orjson.dumps(
    {
        "initialized": True,
        "sealed": False,
        "standby": False,
        "performance_standby": False,
        "replication_performance_mode": "disabled",
        "replication_dr_mode": "disabled",
        "server_time_utc": 1764806400,
        "version": "1.19.0",
        "enterprise": False,
    }
)
# The same two headers as `strongroom.http.wire.JSON_HEADERS`.
HEADERS = [("content-type", "application/json"), ("cache-control", "no-store")]


class App:
    """The RSGI app: read the body, answer."""

    async def __rsgi__(self, scope: Any, protocol: Any) -> None:
        await protocol()
        protocol.response_bytes(200, HEADERS, BODY)


def build_server(port: int, cert: Path, key: Path) -> Server:
    """The arguments of `strongroom.server.listener.build_server` for a TLS listener."""
    return Server(
        App(),
        address="127.0.0.1",
        port=port,
        interface=Interfaces.RSGI,
        websockets=False,
        log_enabled=False,
        backlog=1024,
        ssl_cert=cert,
        ssl_key=key,
        ssl_protocol_min=SSLProtocols.tls12,
    )


async def serve(server: Server) -> None:
    """Serve until SIGINT or SIGTERM, as `strongroom.server.node.run_node` does."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, server.stop)
    await server.serve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", type=Path, required=True)
    parser.add_argument("--key", type=Path, required=True)
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(build_server(args.port, args.cert, args.key)))


if __name__ == "__main__":
    main()
