"""A real Strongroom server (granian, TLS) running in a background thread of the test process.

Unlike `server.running_server` it can be given extra engines, and tests can reach its core
(for example to advance a fake clock).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from strongroom.clock import Clock
from strongroom.core import Core, CoreConfig
from strongroom.core.engines import EngineFactory
from strongroom.physical.inmem import InmemBackend
from strongroom.server.config_schema import ListenerConfig
from strongroom.server.listener import build_server
from strongroom.testing.server import free_port, wait_for_port

T = TypeVar("T")


class InProcessServer:
    def __init__(self, core: Core, loop: asyncio.AbstractEventLoop, address: str) -> None:
        self.core = core
        self.loop = loop
        self.address = address

    def run(self, coroutine: Callable[[], Awaitable[T]]) -> T:
        """Run a coroutine on the server's loop (e.g. to drive the core directly)."""
        return asyncio.run_coroutine_threadsafe(_call(coroutine), self.loop).result(30)


async def _call(coroutine: Callable[[], Awaitable[T]]) -> T:
    return await coroutine()


@contextmanager
def in_process_server(
    tls: Mapping[str, str],
    *,
    engines: Mapping[str, EngineFactory] | None = None,
    auth_methods: Mapping[str, EngineFactory] | None = None,
    clock: Clock | None = None,
    config: CoreConfig | None = None,
) -> Iterator[InProcessServer]:
    """Serve a fresh in-memory core over TLS on a free port until the block ends."""
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict[str, Any] = {}

    async def serve() -> None:
        core = Core(InmemBackend(), config, clock, engines, auth_methods)
        listener = ListenerConfig(
            address=f"127.0.0.1:{port}",
            host="127.0.0.1",
            port=port,
            tls_cert_file=tls["cert"],
            tls_key_file=tls["key"],
            source="test",
        )
        server = build_server(core, listener)
        state.update(core=core, server=server)
        task = asyncio.create_task(server.serve())
        ready.set()
        await task
        await core.close()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    ready.wait(15)
    wait_for_port(port)
    try:
        yield InProcessServer(state["core"], loop, f"https://127.0.0.1:{port}")
    finally:
        loop.call_soon_threadsafe(state["server"].stop)
        thread.join(15)
