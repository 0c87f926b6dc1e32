"""The issue's "done when" for OCSP and CRLs, with the real `openssl` against a real server over
TLS: `openssl ocsp` says `good` before and `revoked` after a revocation (POST, with a nonce,
the response verified against the PKI root), a GET request answers the same, and `openssl
crl` reads the complete and the delta CRL."""

from __future__ import annotations

import base64
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import hvac
import pytest
import requests
from cryptography import x509
from cryptography.x509 import ocsp

from strongroom.testing.server import RunningServer

pytestmark = pytest.mark.skipif(
    subprocess.run(["openssl", "version"], capture_output=True, check=False).returncode != 0,
    reason="needs the openssl command",
)


def openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False
    )


@pytest.fixture
def issued(root_client: hvac.Client, server: RunningServer, tmp_path: Path) -> dict[str, Any]:
    """A root and a leaf in pki/, their PEM files, and a CA file trusting both the server's TLS
    CA and the PKI root (openssl checks the TLS connection and the OCSP signature with it)."""
    root_client.sys.enable_secrets_engine("pki", path="pki")
    pki = root_client.secrets.pki
    root = pki.generate_root("internal", "OCSP Root", extra_params={"key_type": "ec"})["data"]
    pki.create_or_update_role("web", {"allow_any_name": True, "key_type": "ec", "ttl": "1h"})
    leaf = pki.generate_certificate("web", "www.example.test")["data"]
    (tmp_path / "ca.pem").write_text(root["certificate"] + "\n")
    (tmp_path / "leaf.pem").write_text(leaf["certificate"] + "\n")
    assert server.ca_file is not None
    trusted = Path(server.ca_file).read_text() + root["certificate"] + "\n"
    (tmp_path / "trusted.pem").write_text(trusted)
    return {
        "pki": pki,
        "serial": leaf["serial_number"],
        "dir": tmp_path,
        "token": root_client.token,
    }


def ask(server: RunningServer, directory: Path) -> subprocess.CompletedProcess[str]:
    return openssl(
        "ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-CAfile", "trusted.pem",
        "-url", f"{server.address}/v1/pki/ocsp", "-resp_text", cwd=directory,
    )  # fmt: skip


def test_openssl_ocsp_good_then_revoked(issued: dict[str, Any], server: RunningServer) -> None:
    directory = issued["dir"]
    before = ask(server, directory)
    assert before.returncode == 0, before.stderr
    assert "leaf.pem: good" in before.stdout
    assert "Response verify OK" in before.stderr and "WARNING" not in before.stderr  # nonce

    issued["pki"].revoke_certificate(issued["serial"])
    after = ask(server, directory)
    assert after.returncode == 0, after.stderr
    assert "leaf.pem: revoked" in after.stdout and "Revocation Time" in after.stdout


def test_get_request_and_crls(issued: dict[str, Any], server: RunningServer) -> None:
    directory = issued["dir"]
    made = openssl(
        "ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce", "-reqout", "req.der",
        cwd=directory,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    encoded = urllib.parse.quote(base64.b64encode((directory / "req.der").read_bytes()), safe="")
    answer = requests.get(
        f"{server.address}/v1/pki/ocsp/{encoded}", verify=server.ca_file, timeout=10
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/ocsp-response"
    assert ocsp.load_der_ocsp_response(answer.content).certificate_status.name == "GOOD"

    pki = issued["pki"]
    pki.set_crl_configuration(extra_params={"auto_rebuild": True, "enable_delta": True})
    pki.revoke_certificate(issued["serial"])
    rotated = requests.get(
        f"{server.address}/v1/pki/crl/rotate-delta",
        headers={"X-Vault-Token": issued["token"]},
        verify=server.ca_file,
        timeout=10,
    )
    assert rotated.status_code == 200
    for path, name in (("crl", "crl.der"), ("crl/delta", "delta.der")):
        fetched = requests.get(f"{server.address}/v1/pki/{path}", verify=server.ca_file, timeout=10)
        assert fetched.headers["content-type"] == "application/pkix-crl"
        (directory / name).write_bytes(fetched.content)
    serial = issued["serial"].replace(":", "").upper().lstrip("0")
    complete = openssl("crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text", cwd=directory)
    assert complete.returncode == 0 and serial not in complete.stdout  # auto_rebuild: not yet
    delta = openssl("crl", "-inform", "DER", "-in", "delta.der", "-noout", "-text", cwd=directory)
    assert delta.returncode == 0, delta.stderr
    assert "Delta CRL Indicator: critical" in delta.stdout and serial in delta.stdout
    verified = openssl(
        "crl", "-inform", "DER", "-in", "delta.der", "-CAfile", "ca.pem", "-noout", cwd=directory
    )
    assert "verify OK" in verified.stderr + verified.stdout
    parsed = x509.load_der_x509_crl((directory / "delta.der").read_bytes())
    assert parsed.extensions.get_extension_for_class(x509.DeltaCRLIndicator).critical
