"""Strongroom's own per-request cost, without the server: the ASGI app called in a loop.

Calls `VaultApp` (on an unsealed in-memory core) and the bare app of `bare_app.py` with a
scope shaped like granian's, and prints microseconds per request; `--profile` adds the top
functions by own time (cProfile) for each Strongroom endpoint.

    python bench/profile_app.py [--requests 200000] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvloop
from bare_app import app as bare_app  # bench/ is on sys.path when this file is run

from strongroom.http import VaultApp
from strongroom.testing.core import unsealed_core

Message = MutableMapping[str, Any]
ASGIApp = Callable[[Message, Any, Any], Awaitable[None]]
ENDPOINTS = ("/v1/sys/health", "/v1/sys/seal-status")


def scope(path: str) -> dict[str, Any]:
    """What granian's ASGI interface passes for `GET <path>` from wrk."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8200),
        "client": ("127.0.0.1", 50000),
        "scheme": "https",
        "method": "GET",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8200")],
        "state": {},
    }


async def receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(message: Message) -> None:
    return None


async def per_request_us(app: ASGIApp, path: str, requests: int) -> float:
    request = scope(path)
    started = time.perf_counter()
    for _ in range(requests):
        await app(dict(request), receive, send)  # a fresh scope each time, as granian gives
    return (time.perf_counter() - started) / requests * 1e6


async def main_async(requests: int, profile: bool) -> None:
    vault_app = VaultApp((await unsealed_core()).core)
    for path in ENDPOINTS:
        await per_request_us(vault_app, path, requests // 10)  # warm caches
        ours = await per_request_us(vault_app, path, requests)
        bare = await per_request_us(bare_app, path, requests)
        print(f"{path:<20} strongroom {ours:6.2f} us   bare {bare:6.2f} us   +{ours - bare:.2f} us")
    if profile:
        for path in ENDPOINTS:
            profiler = cProfile.Profile()
            profiler.enable()
            await per_request_us(vault_app, path, requests)
            profiler.disable()
            print(f"\n--- {path}: top functions by own time ---")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main_async(args.requests, args.profile))


if __name__ == "__main__":
    main()
