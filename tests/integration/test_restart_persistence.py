"""State written before a restart is there after unseal, with durable storage backends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import hvac
import pytest

from strongroom.testing.server import free_port, running_server, write_config


@pytest.mark.parametrize("kind", ["file", "sqlite"])
def test_state_survives_restart(server_factory: Any, tmp_path: Path, kind: str) -> None:
    storage = {kind: {"path": str(tmp_path / f"{kind}-data")}}
    with server_factory(storage) as server:
        client = hvac.Client(url=server.address, verify=server.ca_file)
        result = client.sys.initialize(3, 2)
        client.sys.submit_unseal_keys(result["keys"][:2])
        client.token = result["root_token"]
        client.sys.rotate_encryption_key()
        client.sys.rotate_encryption_key()
        cluster_id = client.sys.read_health_status(method="GET")["cluster_id"]
    with server_factory(storage) as server:
        client = hvac.Client(url=server.address, verify=server.ca_file)
        assert client.sys.is_initialized()
        assert client.sys.is_sealed()
        client.sys.submit_unseal_keys(result["keys"][1:3])
        client.token = result["root_token"]
        assert client.sys.get_encryption_key_status()["data"]["term"] == 3
        assert client.sys.read_health_status(method="GET")["cluster_id"] == cluster_id


def test_hcl_config_with_several_files(tmp_path: Path, tls: dict[str, str]) -> None:
    port = free_port()
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "10-storage.hcl").write_text(
        f'storage "sqlite" {{\n  path = "{tmp_path / "db"}"\n}}\ncluster_name = "hcl-test"\n'
    )
    listener = (
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n'
        f'  tls_cert_file = "{tls["cert"]}"\n  tls_key_file = "{tls["key"]}"\n'
        '  tls_min_version = "tls13"\n}\n'
    )
    (tmp_path / "listener.hcl").write_text(listener + 'log_level = "debug"\n')
    files = [str(tmp_path / "conf.d"), str(tmp_path / "listener.hcl")]
    with running_server(files, f"https://127.0.0.1:{port}", tls["ca"]) as server:
        client = hvac.Client(url=server.address, verify=server.ca_file)
        result = client.sys.initialize(1, 1)
        client.sys.submit_unseal_keys(result["keys"])
        assert client.sys.read_health_status(method="GET")["cluster_name"] == "hcl-test"


def test_bad_config_fails_start_up_naming_file_and_key(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        {"storage": {"inmem": {}}, "listener": {"tcp": {"tls_min_version": "tls10"}}},
        "broken.json",
    )
    result = subprocess.run(
        [sys.executable, "-m", "strongroom.cli.main", "server", f"-config={config}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert "broken.json" in result.stderr
    assert "tls_min_version" in result.stderr


def test_unknown_key_is_only_a_warning(server_factory: Any, tmp_path: Path) -> None:
    with server_factory(None, no_such_setting=True) as server:
        client = hvac.Client(url=server.address, verify=server.ca_file)
        assert not client.sys.is_initialized()
    log = (tmp_path / "server.log").read_text()
    assert "no_such_setting" in log
