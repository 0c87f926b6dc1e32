"""The real `strongroom` CLI, run as a process against a real server over TLS.

Settings reach the CLI only through the vault CLI's environment variables (VAULT_ADDR,
VAULT_CACERT, VAULT_TOKEN), as an operator's shell would provide them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from strongroom.testing.server import RunningServer, free_port

CLI = [sys.executable, "-m", "strongroom.cli.main"]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def table(self) -> dict[str, str]:
        """The "Key  Value" rows of the output (header and underline dropped)."""
        rows = {}
        for line in self.stdout.splitlines():
            cells = re.split(r"\s{2,}", line.strip(), maxsplit=1)
            if len(cells) == 2:
                rows[cells[0]] = cells[1]
        return rows

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class StrongroomCLI:
    """Runs `python -m strongroom.cli.main …` with a clean environment."""

    env: dict[str, str]
    token: str = ""

    def __call__(self, *args: str, stdin: str = "", token: str | None = None) -> Result:
        env = dict(self.env)
        chosen = self.token if token is None else token
        if chosen:
            env["VAULT_TOKEN"] = chosen
        completed = subprocess.run(
            [*CLI, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
            check=False,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)


def clean_environment(home: Path) -> dict[str, str]:
    """The test process's environment without any VAULT_*/STRONGROOM_* settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("VAULT_", "STRONGROOM_"))
    }
    env["HOME"] = str(home)  # no ~/.vault-token from the developer's machine
    return env


@pytest.fixture
def cli(server: RunningServer, tmp_path: Path) -> StrongroomCLI:
    env = clean_environment(tmp_path)
    env["VAULT_ADDR"] = server.address
    env["VAULT_CACERT"] = server.ca_file or ""
    return StrongroomCLI(env)


def unseal_over_http(server: RunningServer, keys: list[str]) -> None:
    with server.client() as http:
        for key in keys:
            status = http.put("/v1/sys/unseal", json={"key": key}).json()
        assert status["sealed"] is False


def ready(cli: StrongroomCLI, server: RunningServer, shares: int, threshold: int) -> list[str]:
    """Setup over plain HTTP (CLI start-ups are the slow part): initialised and unsealed.

    Returns the base64 unseal keys; the CLI runs with the root token unless told otherwise.
    """
    with server.client() as http:
        body = {"secret_shares": shares, "secret_threshold": threshold}
        init = http.put("/v1/sys/init", json=body).json()
    cli.token = init["root_token"]
    keys: list[str] = init["keys_base64"]
    unseal_over_http(server, keys[:threshold])
    return keys


def read_over_http(server: RunningServer, path: str = "sys/seal-status") -> Any:
    with server.client() as http:
        return http.get(f"/v1/{path}").json()


def put_over_http(server: RunningServer, path: str, body: Any = None, token: str = "") -> Any:
    with server.client() as http:
        headers = {"X-Vault-Token": token} if token else {}
        response = http.put(f"/v1/{path}", json=body, headers=headers)
        assert response.status_code < 400, response.text
        return response.json() if response.content else None


def test_status_init_unseal_and_seal(cli: StrongroomCLI, server: RunningServer) -> None:
    status = cli("status")
    assert status.code == 2, status.stderr
    assert status.stdout.splitlines()[:2] == [
        "Key                Value",
        "---                -----",
    ]
    rows = status.table()
    assert rows["Seal Type"] == "shamir"
    assert (rows["Initialized"], rows["Sealed"], rows["Unseal Progress"]) == (
        "false",
        "true",
        "0/0",
    )
    assert rows["Unseal Nonce"] == "n/a" and rows["HA Enabled"] == "false"
    assert rows["Version"].startswith("1.") and rows["Storage Type"] == "inmem"
    assert "Cluster Name" not in rows

    not_yet = cli("operator", "init", "-status")
    assert (not_yet.code, not_yet.stdout.strip()) == (2, "Strongroom is not initialized")

    created = cli("operator", "init", "-key-shares=3", "-key-threshold=2", "-format=json")
    assert created.code == 0, created.stderr
    init = created.json()
    cli.token = init["root_token"]
    assert (init["unseal_shares"], init["unseal_threshold"]) == (3, 2)
    assert init["root_token"].startswith("hvs.")
    assert init["recovery_keys_b64"] == [] and init["recovery_keys_shares"] == 0
    hex_keys, b64_keys = init["unseal_keys_hex"], init["unseal_keys_b64"]
    assert [bytes.fromhex(k) for k in hex_keys] == [base64.b64decode(k) for k in b64_keys]
    initialised = cli("operator", "init", "-status", "-format=json")
    assert (initialised.code, initialised.json()) == (0, {"Initialized": True})

    first = cli("operator", "unseal", b64_keys[0])
    assert first.code == 0, first.stderr  # still sealed, as with the vault CLI
    assert (first.table()["Sealed"], first.table()["Unseal Progress"]) == ("true", "1/2")
    second = cli("operator", "unseal", stdin=hex_keys[1] + "\n")  # no TTY: a line from stdin
    assert second.code == 0, second.stderr
    assert second.table()["Sealed"] == "false" and "Unseal Progress" not in second.table()

    unsealed = cli("status")
    assert unsealed.code == 0
    assert unsealed.table()["Cluster Name"] and unsealed.table()["Cluster ID"]
    document = cli("status", "-format=json").json()
    assert document["sealed"] is False and document["ha_enabled"] is False
    assert (document["t"], document["n"]) == (2, 3)

    sealed = cli("operator", "seal")
    assert (sealed.code, sealed.stdout.strip()) == (0, "Success! Strongroom is sealed.")

    put_over_http(server, "sys/unseal", {"key": b64_keys[2]})
    reset = cli("operator", "unseal", "-reset")
    assert reset.code == 0 and reset.table()["Unseal Progress"] == "0/2"


def test_init_prints_keys_and_advice(cli: StrongroomCLI) -> None:
    result = cli("operator", "init")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    keys = [line.split(": ", 1)[1] for line in lines if line.startswith("Unseal Key ")]
    assert [line.split(":")[0] for line in lines[:5]] == [f"Unseal Key {n}" for n in range(1, 6)]
    assert all(len(base64.b64decode(key)) == 33 for key in keys)
    assert re.search(r"^Initial Root Token: hvs\.\w{24}$", result.stdout, re.MULTILINE)
    assert "5 key shares and a key threshold of 3" in " ".join(lines)
    assert "strongroom operator rekey" in result.stdout
    assert max(len(line) for line in lines if not line.startswith("Unseal Key")) <= 78

    again = cli("operator", "init")
    assert again.code == 2 and again.stdout == ""
    assert again.stderr.startswith("Error initializing: Error making API request.")
    assert "Code: 400" in again.stderr and "* Vault is already initialized" in again.stderr


def test_key_status_and_rotate(cli: StrongroomCLI, server: RunningServer) -> None:
    ready(cli, server, 1, 1)
    status = cli("operator", "key-status")
    assert status.code == 0, status.stderr
    rows = status.table()
    assert rows["Key Term"] == "1" and int(rows["Encryption Count"]) >= 0
    assert re.fullmatch(r"\d\d \w{3} \d\d \d\d:\d\d UTC", rows["Install Time"])

    rotated = cli("operator", "rotate")
    assert rotated.code == 0, rotated.stderr
    assert rotated.stdout.startswith("Success! Rotated key\n\n")
    assert rotated.table()["Key Term"] == "2"
    document = cli("operator", "key-status", "-format=json").json()
    assert document["term"] == 2 and set(document) == {"term", "install_time", "encryptions"}


def test_rekey_with_verification(cli: StrongroomCLI, server: RunningServer) -> None:
    old_keys = ready(cli, server, 3, 2)
    started = cli(
        "operator", "rekey", "-init", "-key-shares=3", "-key-threshold=2", "-verify", token=""
    )
    assert started.code == 0, started.stderr
    assert started.stderr.startswith("WARNING!")
    rows = started.table()
    assert (rows["Started"], rows["Progress"], rows["New Shares"]) == ("true", "0/2", "3")
    assert rows["Verification Required"] == "true"
    nonce = rows["Nonce"]

    progress = cli("operator", "rekey", f"-nonce={nonce}", old_keys[0], token="")
    assert progress.code == 0 and progress.table()["Progress"] == "1/2"
    done = cli("operator", "rekey", f"-nonce={nonce}", "-", stdin=old_keys[1], token="")
    assert done.code == 0, done.stderr
    new_keys = re.findall(r"^Key \d: (\S+)$", done.stdout, re.MULTILINE)
    assert len(new_keys) == 3 and not set(new_keys) & set(old_keys)
    assert f"Operation nonce: {nonce}" in done.stdout
    verification_nonce = done.table()["Verification Nonce"]
    assert done.table()["Verification Progress"] == "0/2"

    verify = ["operator", "rekey", "-verify", f"-nonce={verification_nonce}"]
    step = cli(*verify, new_keys[0], token="")
    assert step.table()["Verification Progress"] == "1/2", step.stderr
    finished = cli(*verify, new_keys[2], token="")
    assert finished.code == 0, finished.stderr
    assert finished.stdout.startswith("Rekey verification successful.")
    assert read_over_http(server, "sys/rekey/init")["started"] is False

    put_over_http(server, "sys/seal", token=cli.token)
    assert (read_over_http(server)["t"], read_over_http(server)["n"]) == (2, 3)
    unseal_over_http(server, new_keys[1:3])


def test_rekey_cancel_and_rekey_without_verification(
    cli: StrongroomCLI, server: RunningServer
) -> None:
    keys = ready(cli, server, 1, 1)
    nonce = cli("operator", "rekey", "-init", "-format=json").json()["nonce"]
    refused = cli("operator", "rekey", "-cancel", token="")
    assert refused.code == 2 and "incorrect nonce" in refused.stderr
    cancelled = cli("operator", "rekey", "-cancel", f"-nonce={nonce}", token="")
    assert cancelled.code == 0, cancelled.stderr
    assert cancelled.stdout.strip() == "Success! Canceled rekeying (if it was started)"
    missing = cli("operator", "rekey", f"-nonce={nonce}", "00")
    assert missing.code == 1 and "No rekey is in progress" in missing.stderr

    cli("operator", "rekey", "-init", "-key-shares=2", "-key-threshold=2", "-format=json")
    # No key argument and no terminal: the share is read from stdin, the nonce from the server.
    done = cli("operator", "rekey", stdin=keys[0] + "\n", token="")
    assert done.code == 0, done.stderr
    assert len(re.findall(r"^Key \d: \S+$", done.stdout, re.MULTILINE)) == 2
    assert "replaced by 2 new key shares" in " ".join(done.stdout.split())
    assert (read_over_http(server)["t"], read_over_http(server)["n"]) == (2, 2)


def test_generate_root_and_decode(cli: StrongroomCLI, server: RunningServer) -> None:
    keys = ready(cli, server, 3, 2)
    started = cli("operator", "generate-root", "-init", token="")
    assert started.code == 0, started.stderr
    assert "one-time pad (OTP)" in started.stderr
    rows = started.table()
    nonce, otp = rows["Nonce"], rows["OTP"]
    assert (rows["Progress"], rows["Complete"], rows["OTP Length"]) == ("0/2", "false", "28")
    assert len(otp) == 28

    first = cli("operator", "generate-root", f"-nonce={nonce}", keys[2], token="")
    assert first.table()["Progress"] == "1/2" and "OTP" not in first.table()
    done = cli("operator", "generate-root", f"-nonce={nonce}", "-", stdin=keys[0], token="")
    assert done.code == 0, done.stderr
    assert done.table()["Complete"] == "true"
    encoded = done.table()["Encoded Token"]

    decoded = cli("operator", "generate-root", f"-decode={encoded}", f"-otp={otp}", token="")
    assert decoded.code == 0, decoded.stderr
    token = decoded.stdout.strip()
    assert re.fullmatch(r"hvs\.\w{24}", token) and token != cli.token
    assert cli("operator", "key-status", token=token).table()["Key Term"] == "1"

    own_otp = cli("operator", "generate-root", "-generate-otp", token="").stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9]{28}", own_otp)

    again = put_over_http(server, "sys/generate-root/attempt", {})
    cancelled = cli("operator", "generate-root", "-cancel", f"-nonce={again['nonce']}", token="")
    assert cancelled.code == 0, cancelled.stderr
    status = cli("operator", "generate-root", "-status").table()
    assert (status["Started"], status["Progress"], status["OTP Length"]) == ("false", "0/2", "28")


def test_request_errors(cli: StrongroomCLI, server: RunningServer) -> None:
    keys = ready(cli, server, 1, 1)
    wrong_token = "hvs.not-a-token-that-exists"
    denied = cli("operator", "key-status", token=wrong_token)
    assert denied.code == 2 and denied.stdout == ""
    assert denied.stderr.startswith("Error reading key status: Error making API request.")
    assert "Code: 403" in denied.stderr and "* permission denied" in denied.stderr
    assert wrong_token not in denied.stderr

    put_over_http(server, "sys/seal", token=cli.token)
    bad_key = base64.b64encode(bytes(33)).decode()
    rejected = cli("operator", "unseal", bad_key)
    assert rejected.code == 2 and "Error unsealing" in rejected.stderr
    assert bad_key not in rejected.stderr and keys[0] not in rejected.stderr

    nowhere = f"-address=https://127.0.0.1:{free_port()}"
    unreachable = cli("status", nowhere)
    assert unreachable.code == 1 and unreachable.stdout == ""
    assert unreachable.stderr.startswith("Error checking seal status: GET https://127.0.0.1:")
    assert "cannot reach the server" in unreachable.stderr
    assert cli("operator", "seal", nowhere).code == 2

    cli.env.pop("VAULT_CACERT")
    untrusted = cli("status")
    assert untrusted.code == 1 and "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr
    assert cli("status", "-tls-skip-verify").code == 2  # reached: sealed


def test_version(tmp_path: Path) -> None:
    result = StrongroomCLI(clean_environment(tmp_path))("version")
    assert result.code == 0
    assert re.fullmatch(r"Strongroom v\S+ \(Vault API 1\.\S+\)\n", result.stdout)
