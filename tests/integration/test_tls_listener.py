"""TLS listener options: minimum version and required client certificates."""

from __future__ import annotations

import ssl
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest
import trustme

from strongroom.testing.server import RunningServer, free_port, running_server, write_config


def start(
    tmp_path: Path,
    tls: dict[str, str],
    client_cert: tuple[str, str] | None = None,
    **listener: object,
) -> AbstractContextManager[RunningServer]:
    port = free_port()
    document = {
        "storage": {"inmem": {}},
        "listener": [
            {
                "tcp": {
                    "address": f"127.0.0.1:{port}",
                    "tls_cert_file": tls["cert"],
                    "tls_key_file": tls["key"],
                    **listener,
                }
            }
        ],
    }
    config = write_config(tmp_path, document)
    address = f"https://127.0.0.1:{port}"
    return running_server([config], address, tls["ca"], client_cert=client_cert)


def context(ca: str, maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=ca)
    if maximum is not None:
        ctx.maximum_version = maximum
    return ctx


def test_tls13_minimum_refuses_tls12_clients(tmp_path: Path, tls: dict[str, str]) -> None:
    with start(tmp_path, tls, tls_min_version="tls13") as server:
        with httpx.Client(verify=context(tls["ca"])) as client:
            assert client.get(f"{server.address}/v1/sys/init").status_code == 200
        with (
            httpx.Client(verify=context(tls["ca"], ssl.TLSVersion.TLSv1_2)) as client,
            pytest.raises(httpx.ConnectError),
        ):
            client.get(f"{server.address}/v1/sys/init")


def test_required_client_certificates(tmp_path: Path, tls: dict[str, str]) -> None:
    client_ca = trustme.CA()
    client_ca.cert_pem.write_to_path(str(tmp_path / "client-ca.pem"))
    issued = client_ca.issue_cert("operator@example.com")
    cert, key = str(tmp_path / "client.pem"), str(tmp_path / "client.key")
    issued.cert_chain_pems[0].write_to_path(cert)
    issued.private_key_pem.write_to_path(key)
    with start(
        tmp_path,
        tls,
        client_cert=(cert, key),
        tls_client_ca_file=str(tmp_path / "client-ca.pem"),
        tls_require_and_verify_client_cert=True,
    ) as server:
        with httpx.Client(verify=context(tls["ca"])) as client, pytest.raises(httpx.TransportError):
            client.get(f"{server.address}/v1/sys/init")
        with server.client() as client:
            assert client.get("/v1/sys/init").json() == {"initialized": False}
