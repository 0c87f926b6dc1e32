"""Strongroom's own per-request cost, without the server: the ASGI app called in a loop.

Calls `VaultApp` and the bare app of `bare_app.py` with a scope shaped like granian's, for the
scenarios of `run.py` (the same requests, the root token from `sys/init` where they are
authenticated, the same set-up calls), and prints microseconds per request; `--profile` adds
the top functions by own time (cProfile) for each Strongroom scenario.

The core is the one `run.py` measures the scenario on: an unsealed in-memory core for
`strongroom`, an unsealed core on a real SQLite database (a temporary directory, WAL,
synchronous=FULL) for `strongroom-sqlite` (kv-read, kv-write). The SQLite scenarios run
`--concurrency` requests at a time (default 32, like wrk's connections), since the SQLite
backend commits concurrent writes together (group commit); for them the line shows the wall
time and the CPU time (every thread: the event loop and SQLite's) per request.

    python bench/profile_app.py [--requests 200000] [--scenarios lookup-self] [--profile]
    python bench/profile_app.py --scenarios kv-read,kv-write --profile

Scenarios that POST (`token-create`, `kv-write`, transit) run a tenth of `--requests`; the
transit ones run on the in-memory core, decrypt and verify with its own set-up answers. cProfile
sees only the event loop's thread: the time SQLite spends in its own thread shows up as waiting.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import itertools
import json
import os
import pstats
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import uvloop

# bench/ is on sys.path when this file is run
from bare_app import BODY as BARE_BODY
from run import COUNTER, SCENARIO_NAMES, SCENARIOS, Call, Scenario, kept_value

from strongroom.core import CoreConfig
from strongroom.core.audit import AuditDeviceConfig
from strongroom.http import VaultApp
from strongroom.physical.sqlite import SqliteBackend
from strongroom.server.collector import tune_collector
from strongroom.testing.core import unsealed_core

Message = MutableMapping[str, Any]
ASGIApp = Callable[[Message, Any, Any], Awaitable[None]]
WRITE_SHARE = 10  # a writing scenario runs requests // WRITE_SHARE


_BARE_HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]


async def bare_app(scope: Message, receive: Any, send: Any) -> None:
    """`bare_app.py`'s app in ASGI form, for an in-process call: read the body, answer."""
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": _BARE_HEADERS})
    await send({"type": "http.response.body", "body": BARE_BODY})


def scope(scenario: Scenario | Call, token: str, path: str | None = None) -> dict[str, Any]:
    """What granian's ASGI interface passes for the scenario's request from wrk."""
    path = path or scenario.path
    headers = [(b"host", b"127.0.0.1:8200")]
    if not isinstance(scenario, Scenario) or scenario.authenticated:
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
        "path": path,
        "raw_path": path.encode(),
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


async def call(app: ASGIApp, request: dict[str, Any], body: str) -> tuple[int, bytes]:
    """One request through the app: its status and body."""
    statuses, chunks = [], []

    async def record(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])
        else:
            chunks.append(message.get("body", b""))

    await app(request, receiver(body.encode()), record)
    return (statuses[0] if len(statuses) == 1 else 0), b"".join(chunks)


async def check(app: ASGIApp, scenario: Scenario, token: str) -> None:
    """One request, which must answer 200, as run.py checks before measuring."""
    status, body = await call(
        app, scope(scenario, token, scenario.concrete_path("check")), scenario.body
    )
    if status != 200:
        raise SystemExit(f"{scenario.name}: HTTP {status} {body[:200]!r}")


async def set_up(app: ASGIApp, scenarios: list[Scenario], token: str) -> dict[Call, str]:
    """The set-up calls of run.py, each once, each answering 2xx; returns the values kept from
    their answers (a ciphertext to decrypt, a signature to verify), as run.py's `set_up`."""
    kept = {}
    for setup in dict.fromkeys(c for s in scenarios for c in s.setup):
        status, body = await call(app, scope(setup, token), setup.body)
        if not 200 <= status < 300:
            raise SystemExit(f"set-up {setup.method} {setup.path}: HTTP {status} {body[:200]!r}")
        if setup.keep:
            kept[setup] = kept_value(setup, json.loads(body), "strongroom")
    return kept


_runs = itertools.count(1)


async def per_request_us(
    app: ASGIApp, scenario: Scenario, token: str, requests: int, concurrency: int = 1
) -> tuple[float, float]:
    """Wall and CPU (all threads) microseconds per request, `concurrency` requests at a time."""
    receive = receiver(scenario.body.encode())
    if COUNTER in scenario.path:  # a path of its own per request, as request.lua does
        run = next(_runs)
        paths: Any = (scenario.concrete_path(f"{run}-{i}") for i in range(requests))
        requests_ = (scope(scenario, token, path) for path in paths)
    else:
        request = scope(scenario, token)
        requests_ = (dict(request) for _ in range(requests))  # a fresh scope each, as granian

    async def worker() -> None:
        for request in requests_:
            await app(request, receive, send)

    wall, cpu = time.perf_counter(), time.process_time()
    if concurrency == 1:
        await worker()
    else:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall / requests * 1e6, cpu / requests * 1e6


@contextlib.asynccontextmanager
async def apps(
    scenarios: list[Scenario],
) -> AsyncIterator[dict[str, tuple[ASGIApp, str, dict[Call, str]]]]:
    """The app, root token and kept set-up values for each Strongroom target the scenarios
    need; the SQLite one on a database in a temporary directory (removed afterwards)."""
    found: dict[str, tuple[ASGIApp, str, dict[Call, str]]] = {}
    with tempfile.TemporaryDirectory(prefix="strongroom-profile-") as tmp:
        backend = None
        for target in dict.fromkeys(s.ours for s in scenarios):
            physical, config = None, None
            if target in ("strongroom-sqlite", "strongroom-audit"):
                physical = backend = SqliteBackend(str(Path(tmp) / f"{target}.db"))
            if target == "strongroom-audit":
                log = {"file_path": os.environ.get("AUDIT_FILE") or str(Path(tmp) / "audit.log")}
                config = CoreConfig(audit_devices=(AuditDeviceConfig("file", "bench", log),))
            unsealed = await unsealed_core(physical, config=config)
            app = VaultApp(unsealed.core)
            ours = [s for s in scenarios if s.ours == target]
            kept = await set_up(app, ours, unsealed.root_token)
            found[target] = app, unsealed.root_token, kept
        try:
            yield found
        finally:
            if backend is not None:
                await backend.close()


def concurrency_of(scenario: Scenario, concurrency: int) -> int:
    return concurrency if scenario.ours in ("strongroom-sqlite", "strongroom-audit") else 1


async def main_async(
    requests: int, names: tuple[str, ...], profile: bool, concurrency: int
) -> None:
    chosen = [s for s in SCENARIOS if s.name in names]
    async with apps(chosen) as by_target:
        tune_collector()  # as the server does once its node is built
        # A body that uses a set-up answer (transit-decrypt's ciphertext) gets this core's.
        scenarios = [replace(s, body=s.body_with(by_target[s.ours][2])) for s in chosen]
        name_width = max([13, *(len(s.name) for s in scenarios)])
        request_width = max([26, *(len(s.request) for s in scenarios)])
        for scenario in scenarios:
            vault_app, token, _ = by_target[scenario.ours]
            count = requests if scenario.method == "GET" else requests // WRITE_SHARE
            parallel = concurrency_of(scenario, concurrency)
            await check(vault_app, scenario, token)
            await per_request_us(vault_app, scenario, token, count // 10, parallel)  # warm up
            ours, ours_cpu = await per_request_us(vault_app, scenario, token, count, parallel)
            bare, _ = await per_request_us(bare_app, scenario, token, count, parallel)
            line = (
                f"{scenario.name:<{name_width}} {scenario.request:<{request_width}}"
                f" {scenario.ours:<17} {ours:7.2f} us"
                f"   bare {bare:6.2f} us   +{ours - bare:.2f} us"
            )
            if parallel > 1:
                line += f"   (cpu {ours_cpu:.2f} us/request, {parallel} at a time)"
            print(line)
        if profile:
            for scenario in scenarios:
                vault_app, token, _ = by_target[scenario.ours]
                count = requests if scenario.method == "GET" else requests // WRITE_SHARE
                parallel = concurrency_of(scenario, concurrency)
                profiler = cProfile.Profile()
                profiler.enable()
                await per_request_us(vault_app, scenario, token, count, parallel)
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
    parser.add_argument(
        "--concurrency",
        type=int,
        default=32,
        help="requests at a time for the SQLite scenarios (kv-read, kv-write)",
    )
    args = parser.parse_args()
    names = tuple(args.scenarios.split(","))
    if not set(names) <= set(SCENARIO_NAMES) or args.requests < WRITE_SHARE * 10:
        parser.error(f"--scenarios takes names from {','.join(SCENARIO_NAMES)}; --requests >= 100")
    if args.concurrency < 1:
        parser.error("--concurrency must be positive")
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main_async(args.requests, names, args.profile, args.concurrency))


if __name__ == "__main__":
    main()
