"""Audit devices on a real server, through hvac: the API, config-declared devices, log rotation
on SIGHUP, `strongroom audit verify`, and failing closed when the disk is full or gone."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hvac
import hvac.exceptions
import pytest

from strongroom.testing.server import RunningServer

SECRET = "audit-" + uuid.uuid4().hex


def unsealed(server: RunningServer) -> hvac.Client:
    client = hvac.Client(url=server.address, verify=server.ca_file)
    result = client.sys.initialize(1, 1)
    client.sys.submit_unseal_keys(result["keys"])
    client.token = result["root_token"]
    return client


def entries(log: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in log.read_bytes().splitlines()]
    return [line for line in lines if line.get("type") != "checkpoint"]


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def verify_command(
    server: RunningServer, client: hvac.Client, *args: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "VAULT_ADDR": server.address,
        "VAULT_TOKEN": client.token,
        "VAULT_CACERT": server.ca_file or "",
    }
    command = [sys.executable, "-m", "strongroom.cli.main", "audit", "verify", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60)


def test_hvac_enables_lists_hashes_and_disables(server_factory: Any, tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    with server_factory(unsafe_allow_api_audit_creation=True) as server:
        client = unsealed(server)
        client.sys.enable_audit_device(
            "file", description="to disk", options={"file_path": str(log)}, path="disk"
        )
        listed = client.sys.list_enabled_audit_devices()["data"]
        assert listed["disk/"]["type"] == "file"
        assert listed["disk/"]["description"] == "to disk"
        assert listed["disk/"]["options"] == {"file_path": str(log)}

        client.sys.enable_secrets_engine("kv", path="kv", options={"version": "2"})
        client.secrets.kv.v2.create_or_update_secret("app", {"password": SECRET}, mount_point="kv")
        read = client.secrets.kv.v2.read_secret_version(
            "app", mount_point="kv", raise_on_deleted_version=True
        )
        assert read["data"]["data"]["password"] == SECRET

        hashed = client.sys.calculate_hash("disk", SECRET)["data"]["hash"]
        assert SECRET not in log.read_text()
        response = next(
            e
            for e in entries(log)
            if e["type"] == "response"
            and e["request"]["path"] == "kv/data/app"
            and e["request"]["operation"] == "read"
        )
        assert response["response"]["data"]["data"]["password"] == hashed

        client.sys.disable_audit_device("disk")
        assert "disk/" not in client.sys.list_enabled_audit_devices()["data"]


def test_the_api_refuses_devices_unless_the_config_allows_it(
    root_client: hvac.Client, tmp_path: Path
) -> None:
    with pytest.raises(hvac.exceptions.InvalidRequest, match="cannot enable audit device via API"):
        root_client.sys.enable_audit_device("file", options={"file_path": str(tmp_path / "a")})


def test_declared_device_rotation_and_verification(server_factory: Any, tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    declared = [{"type": "file", "path": "file", "options": {"file_path": str(log)}}]
    with server_factory(audit=declared) as server:
        client = unsealed(server)
        with pytest.raises(hvac.exceptions.InvalidRequest, match="configuration-managed"):
            client.sys.disable_audit_device("file")
        client.sys.list_mounted_secrets_engines()

        # logrotate: move the file away, then SIGHUP; the device signs the old file and
        # continues its chain in a new one.
        log.rename(tmp_path / "audit.log.1")
        server.process.send_signal(signal.SIGHUP)
        wait_for(log.exists)
        for _ in range(3):
            client.sys.list_mounted_secrets_engines()
        rotated = (tmp_path / "audit.log.1").read_bytes().splitlines()
        assert json.loads(rotated[-1])["type"] == "checkpoint"

        result = verify_command(server, client, "-device=file", str(log))
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("intact: ") and "in 2 file(s)" in result.stdout

        # Lines cut off the end: the device's next lines (the key read of `verify -device`
        # itself) continue the chain, so the cut shows as a gap.
        lines = log.read_bytes().splitlines(keepends=True)
        log.write_bytes(b"".join(lines[:-2]))
        result = verify_command(server, client, "-device=file", str(log))
        assert result.returncode == 2
        assert "2 line(s) deleted" in result.stderr


@contextlib.contextmanager
def small_tmpfs(directory: Path, size: str = "256k") -> Iterator[Path]:
    directory.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False)


def fill(directory: Path) -> Path:
    """Write a filler file until the filesystem is full."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):
            while os.write(fd, b"\0" * 4096):
                pass
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_fails_closed_and_loses_nothing(server_factory: Any, tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "disk") as disk:
        log = disk / "audit.log"
        declared = [{"type": "file", "path": "file", "options": {"file_path": str(log)}}]
        with server_factory(audit=declared) as server:
            client = unsealed(server)
            client.sys.enable_secrets_engine("kv", path="kv", options={"version": "1"})
            client.secrets.kv.v1.create_or_update_secret(
                "app", {"password": SECRET}, mount_point="kv"
            )
            public_key = client.adapter.get("/v1/sys/audit/file/public-key")["data"]["public_key"]
            before = len(entries(log))

            filler = fill(disk)
            for _ in range(3):
                with pytest.raises(hvac.exceptions.InternalServerError):
                    client.secrets.kv.v1.read_secret("app", mount_point="kv")
            # A request entry may still fit in the file's last page; no response got out.
            assert {e["type"] for e in entries(log)[before:]} <= {"request"}

            filler.unlink()
            assert (
                client.secrets.kv.v1.read_secret("app", mount_point="kv")["data"]["password"]
                == SECRET
            )
        # Every acknowledged request is in the log, in one unbroken chain.
        (tmp_path / "audit.pub").write_text(public_key)
        written = entries(log)
        assert [e["request"]["path"] for e in written[-2:]] == ["kv/app", "kv/app"]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "strongroom.cli.main",
                "audit",
                "verify",
                f"-public-key={tmp_path / 'audit.pub'}",
                str(log),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0 and "intact" in result.stdout, result.stderr
        assert SECRET not in log.read_text()


def test_a_removed_directory_fails_closed_until_it_is_back(
    server_factory: Any, tmp_path: Path
) -> None:
    directory = tmp_path / "audit"
    directory.mkdir()
    declared = [
        {"type": "file", "path": "file", "options": {"file_path": str(directory / "audit.log")}}
    ]
    with server_factory(audit=declared) as server:
        client = unsealed(server)
        client.sys.enable_secrets_engine("kv", path="kv", options={"version": "1"})
        client.secrets.kv.v1.create_or_update_secret("app", {"password": SECRET}, mount_point="kv")
        shutil.rmtree(directory)
        with pytest.raises(hvac.exceptions.InternalServerError):
            client.secrets.kv.v1.read_secret("app", mount_point="kv")
        directory.mkdir()
        assert (
            client.secrets.kv.v1.read_secret("app", mount_point="kv")["data"]["password"] == SECRET
        )
        assert [e["request"]["path"] for e in entries(directory / "audit.log")] == [
            "kv/app",
            "kv/app",
        ]
