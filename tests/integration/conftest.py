"""Real server processes over real TLS, for the hvac client and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hvac
import pytest
import trustme

from strongroom.testing.server import RunningServer, free_port, running_server, write_config


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A throwaway CA and a server certificate for 127.0.0.1 and localhost."""
    directory = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    paths = {
        "ca": str(directory / "ca.pem"),
        "cert": str(directory / "server.pem"),
        "key": str(directory / "server.key"),
    }
    ca.cert_pem.write_to_path(paths["ca"])
    cert.cert_chain_pems[0].write_to_path(paths["cert"])
    cert.private_key_pem.write_to_path(paths["key"])
    return paths


def tls_listener(tls: dict[str, str], port: int) -> dict[str, Any]:
    return {
        "tcp": {
            "address": f"127.0.0.1:{port}",
            "tls_cert_file": tls["cert"],
            "tls_key_file": tls["key"],
        }
    }


@pytest.fixture
def server_factory(tmp_path: Path, tls: dict[str, str]) -> Any:
    """Start a server over TLS with the given storage stanza; stopped when the test ends."""

    def start(storage: dict[str, Any] | None = None, **settings: Any) -> Any:
        port = free_port()
        document = {
            "backend": storage or {"inmem": {}},
            "listener": tls_listener(tls, port),
            "disable_mlock": True,
            **settings,
        }
        config = write_config(tmp_path, document, f"config-{port}.json")
        return running_server(
            [config], f"https://127.0.0.1:{port}", tls["ca"], log_file=tmp_path / "server.log"
        )

    return start


@pytest.fixture
def server(server_factory: Any) -> Iterator[RunningServer]:
    """A fresh uninitialised server (in-memory storage, JSON config, TLS listener)."""
    with server_factory() as running:
        yield running


@pytest.fixture
def client(server: RunningServer) -> hvac.Client:
    return hvac.Client(url=server.address, verify=server.ca_file)


@pytest.fixture
def as_token(server: RunningServer) -> Callable[[str], hvac.Client]:
    """An hvac client for the given token on the test's server."""
    return lambda token: hvac.Client(url=server.address, verify=server.ca_file, token=token)


@pytest.fixture
def root_client(server: RunningServer) -> hvac.Client:
    """An hvac client with the root token of a freshly initialised and unsealed server."""
    client = hvac.Client(url=server.address, verify=server.ca_file)
    result = client.sys.initialize(1, 1)
    client.sys.submit_unseal_keys(result["keys"])
    client.token = result["root_token"]
    return client
