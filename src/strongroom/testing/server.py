"""Run a real Strongroom server process for tests: a config file in, a base URL out."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


@dataclass
class RunningServer:
    address: str  # e.g. https://127.0.0.1:41234
    ca_file: str | None
    process: subprocess.Popen[bytes]
    config_file: str
    # (certificate, key) presented to a listener that requires client certificates.
    client_cert: tuple[str, str] | None = None

    def client(self) -> httpx.Client:
        verify: ssl.SSLContext | bool = False
        if self.ca_file:
            verify = ssl.create_default_context(cafile=self.ca_file)
            if self.client_cert:
                verify.load_cert_chain(*self.client_cert)
        return httpx.Client(base_url=self.address, verify=verify, timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(directory: Path, document: dict[str, Any], name: str = "config.json") -> str:
    path = directory / name
    path.write_text(json.dumps(document))
    return str(path)


@contextmanager
def running_server(
    config_files: list[str],
    address: str,
    ca_file: str | None = None,
    *,
    extra_args: list[str] | None = None,
    timeout: float = 15.0,
    log_file: Path | None = None,
    client_cert: tuple[str, str] | None = None,
) -> Iterator[RunningServer]:
    """Start `strongroom server -config=…` and wait until it answers `GET sys/init`."""
    command = [sys.executable, "-m", "strongroom.cli.main", "server"]
    command += [f"-config={path}" for path in config_files] + (extra_args or [])
    output = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(command, stdout=output, stderr=output, env=dict(os.environ))
    server = RunningServer(address, ca_file, process, config_files[0], client_cert)
    try:
        wait_until_up(server, timeout)
        yield server
    finally:
        stop(process)
        if log_file:
            output.close()  # type: ignore[union-attr]


def wait_until_up(server: RunningServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with server.client() as client:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"server exited with code {server.process.returncode}")
            try:
                client.get("/v1/sys/init")
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> int:
    """SIGTERM, then SIGKILL if it does not exit in time; returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    """Block until something accepts TCP connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
