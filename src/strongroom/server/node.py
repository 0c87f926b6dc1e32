"""Process wiring: storage, core and listeners on one event loop, and the signals that stop it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from strongroom.core import Core, CoreConfig
from strongroom.core.audit import AuditDeviceConfig
from strongroom.physical.cache import DEFAULT_CACHE_SIZE
from strongroom.physical.registry import create_backend
from strongroom.server.collector import tune_collector
from strongroom.server.config_schema import ServerConfig
from strongroom.server.listener import build_server

log = logging.getLogger(__name__)

Prepare = Callable[[Core], Awaitable[None]]


def core_config(config: ServerConfig) -> CoreConfig:
    return CoreConfig(
        storage_type=config.storage.kind,
        cluster_name=config.cluster_name or "",
        default_lease_ttl=config.default_lease_ttl,
        max_lease_ttl=config.max_lease_ttl,
        disable_unauthed_rekey=any(
            listener.disable_unauthed_rekey_endpoints for listener in config.listeners
        ),
        disable_unauthed_generate_root=any(
            listener.disable_unauthed_generate_root_endpoints for listener in config.listeners
        ),
        cache_size=0 if config.disable_cache else _cache_size(config.cache_size),
        audit_devices=tuple(
            AuditDeviceConfig(
                stanza.kind, stanza.name, stanza.options, stanza.description, stanza.local
            )
            for stanza in config.audit
        ),
        unsafe_allow_api_audit_creation=config.unsafe_allow_api_audit_creation,
        allow_audit_log_prefixing=config.allow_audit_log_prefixing,
        plugin_directory=config.plugin_directory or "",
    )


def _cache_size(configured: int | None) -> int:
    return DEFAULT_CACHE_SIZE if configured is None else max(configured, 0)


def _reopen_audit(core: Core, running: set[asyncio.Task[None]]) -> None:
    """SIGHUP: audit files are reopened, for log rotation."""
    log.info("SIGHUP: reopening audit devices")
    task = asyncio.get_running_loop().create_task(core.audit.reopen())
    running.add(task)  # keep a reference until it finishes
    task.add_done_callback(running.discard)


async def run_node(config: ServerConfig, prepare: Prepare | None = None) -> None:
    """Serve until SIGINT or SIGTERM, then stop the listeners, seal and close storage."""
    core = Core(create_backend(config.storage.kind, config.storage.options), core_config(config))
    servers = [build_server(core, listener) for listener in config.listeners]
    try:
        if prepare is not None:
            await prepare(core)
        tune_collector()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        reopening: set[asyncio.Task[None]] = set()
        loop.add_signal_handler(signal.SIGHUP, _reopen_audit, core, reopening)
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        for listener in config.listeners:
            scheme = "http" if listener.tls_disable else "https"
            log.info("listening on %s://%s:%d", scheme, listener.host, listener.port)
        waiter = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for server in servers:
            server.stop()  # type: ignore[no-untyped-call]
        for task in tasks:
            with contextlib.suppress(Exception):
                await task
        waiter.cancel()
        for task in done:
            if task is not waiter and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        await core.close()
        log.info("shut down")
