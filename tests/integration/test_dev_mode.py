"""`strongroom server -dev`, the README's first command, with the real hvac client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import hvac

from strongroom.testing.server import RunningServer, free_port, stop, wait_until_up


def test_dev_server_is_unsealed_with_the_chosen_root_token(tmp_path: Path) -> None:
    port = free_port()
    output = tmp_path / "dev.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "strongroom.cli.main",
                "server",
                "-dev",
                "-dev-root-token-id=dev-root",
                f"-dev-listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(RunningServer(f"http://127.0.0.1:{port}", None, process, "-dev"), 15)
            client = hvac.Client(url=f"http://127.0.0.1:{port}", token="dev-root")
            assert client.sys.is_initialized()
            assert not client.sys.is_sealed()
            assert client.sys.get_encryption_key_status()["data"]["term"] == 1
            status = client.sys.read_seal_status()
            assert (status["t"], status["n"]) == (1, 1)
        finally:
            assert stop(process) == 0
    printed = output.read_text()
    assert "Root Token: dev-root" in printed
    assert "Unseal Key: " in printed
    assert f"http://127.0.0.1:{port}" in printed


def test_server_needs_a_config_or_dev() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "strongroom.cli.main", "server"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert "-config" in result.stderr


def test_dev_server_mounts_kv_version_2_at_secret(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "strongroom.cli.main",
            "server",
            "-dev",
            "-dev-root-token-id=dev-root",
            f"-dev-listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(RunningServer(f"http://127.0.0.1:{port}", None, process, "-dev"), 15)
        client = hvac.Client(url=f"http://127.0.0.1:{port}", token="dev-root")
        mounts = client.sys.list_mounted_secrets_engines()["data"]
        assert mounts["secret/"]["options"] == {"version": "2"}
        client.secrets.kv.v2.create_or_update_secret("app", secret={"password": "s3cret"})
        read = client.secrets.kv.v2.read_secret_version("app", raise_on_deleted_version=True)
        assert read["data"]["data"] == {"password": "s3cret"}
    finally:
        assert stop(process) == 0
