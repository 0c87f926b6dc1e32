"""Strongroom's own per-request cost, without the server: the ASGI app called in a loop.

Calls `VaultApp` (on an unsealed in-memory core) and the bare app of `bare_app.py` with a
scope shaped like granian's, for the scenarios of `run.py` (the same requests, the root token
from `sys/init` where they are authenticated), and prints microseconds per request;
`--profile` adds the top functions by own time (cProfile) for each Strongroom scenario.

    python bench/profile_app.py [--requests 200000] [--scenarios lookup-self] [--profile]

Scenarios that write (`token-create`) run a tenth of `--requests`: each request stores a token.
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

# bench/ is on sys.path when this file is run
from bare_app import app as bare_app
from run import SCENARIO_NAMES, SCENARIOS, Scenario

from strongroom.http import VaultApp
from strongroom.testing.core import unsealed_core

Message = MutableMapping[str, Any]
ASGIApp = Callable[[Message, Any, Any], Awaitable[None]]
WRITE_SHARE = 10  # a writing scenario runs requests // WRITE_SHARE


def scope(scenario: Scenario, token: str) -> dict[str, Any]:
    """What granian's ASGI interface passes for the scenario's request from wrk."""
    headers = [(b"host", b"127.0.0.1:8200")]
    if scenario.authenticated:
        headers.append((b"x-vault-token", token.encode()))
    if scenario.body:
        headers.append((b"content-type", b"application/json"))
        headers.append((b"content-length", str(len(scenario.body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8200),
        "client": ("127.0.0.1", 50000),
        "scheme": "https",
        "method": scenario.method,
        "root_path": "",
        "path": scenario.path,
        "raw_path": scenario.path.encode(),
        "query_string": b"",
        "headers": headers,
        "state": {},
    }


def receiver(body: bytes) -> Callable[[], Awaitable[Message]]:
    message = {"type": "http.request", "body": body, "more_body": False}

    async def receive() -> Message:
        return dict(message)

    return receive


async def send(message: Message) -> None:
    return None


async def check(app: ASGIApp, scenario: Scenario, token: str) -> None:
    """One request, which must answer 200, as run.py checks before measuring."""
    statuses = []

    async def record(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope(scenario, token), receiver(scenario.body.encode()), record)
    if statuses != [200]:
        raise SystemExit(f"{scenario.name}: HTTP {statuses}")


async def per_request_us(app: ASGIApp, scenario: Scenario, token: str, requests: int) -> float:
    request, receive = scope(scenario, token), receiver(scenario.body.encode())
    started = time.perf_counter()
    for _ in range(requests):
        await app(dict(request), receive, send)  # a fresh scope each time, as granian gives
    return (time.perf_counter() - started) / requests * 1e6


async def main_async(requests: int, names: tuple[str, ...], profile: bool) -> None:
    unsealed = await unsealed_core()
    vault_app, token = VaultApp(unsealed.core), unsealed.root_token
    scenarios = [s for s in SCENARIOS if s.name in names]
    for scenario in scenarios:
        count = requests if scenario.method == "GET" else requests // WRITE_SHARE
        await check(vault_app, scenario, token)
        await per_request_us(vault_app, scenario, token, count // 10)  # warm caches
        ours = await per_request_us(vault_app, scenario, token, count)
        bare = await per_request_us(bare_app, scenario, token, count)
        print(
            f"{scenario.name:<13} {scenario.request:<26} strongroom {ours:7.2f} us"
            f"   bare {bare:6.2f} us   +{ours - bare:.2f} us"
        )
    if profile:
        for scenario in scenarios:
            count = requests if scenario.method == "GET" else requests // WRITE_SHARE
            profiler = cProfile.Profile()
            profiler.enable()
            await per_request_us(vault_app, scenario, token, count)
            profiler.disable()
            print(f"\n--- {scenario.name} ({scenario.request}): top functions by own time ---")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIO_NAMES),
        help=f"comma-separated subset of {','.join(SCENARIO_NAMES)}",
    )
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    names = tuple(args.scenarios.split(","))
    if not set(names) <= set(SCENARIO_NAMES) or args.requests < WRITE_SHARE * 10:
        parser.error(f"--scenarios takes names from {','.join(SCENARIO_NAMES)}; --requests >= 100")
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main_async(args.requests, names, args.profile))


if __name__ == "__main__":
    main()
