"""certbot, a real ACME client, against a real Strongroom server over HTTPS: it registers,
orders, answers http-01 from its own standalone server on 127.0.0.1:80 (the server validates
on port 80, as Vault does), finalizes, downloads the certificate, and later revokes it.

The identifier is the IP address 127.0.0.1 (RFC 8738): certbot refuses single-label names such
as `localhost` ("Requested name is not a FQDN"), and no multi-label name resolves to this host
here without editing /etc/hosts; an IP identifier needs no DNS at all, and the role allows IP
SANs. The issued certificate must chain to the PKI root (`openssl verify`) and, once revoked,
be on the CRL.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import hvac
import pytest
from cryptography import x509

from strongroom.testing.server import RunningServer

# certbot is a test dependency: it sits next to the interpreter running the tests.
CERTBOT = shutil.which("certbot") or str(Path(sys.executable).parent / "certbot")
ACME_HEADERS = ["Replay-Nonce", "Link", "Location"]


def _why_port_80_is_unavailable() -> str:
    """Why 127.0.0.1:80 cannot be bound; the empty string when it can (released at once)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", 80))
        except OSError as failure:
            if failure.errno in (errno.EACCES, errno.EADDRINUSE, errno.EPERM):
                return f"cannot bind 127.0.0.1:80 ({errno.errorcode[failure.errno]})"
            raise
    return ""


_PORT_80_UNAVAILABLE = _why_port_80_is_unavailable()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(_PORT_80_UNAVAILABLE), reason=_PORT_80_UNAVAILABLE),
]


def certbot(*args: str, tmp_path: Path, ca_file: str) -> subprocess.CompletedProcess[str]:
    """Run certbot to completion with its own directories (a timeout kills it: run() waits on
    the child it started and kills that child, by its PID, before raising)."""
    command = [
        CERTBOT,
        *args,
        "--config-dir",
        str(tmp_path / "config"),
        "--work-dir",
        str(tmp_path / "work"),
        "--logs-dir",
        str(tmp_path / "logs"),
        "--non-interactive",
    ]
    environment = {**os.environ, "REQUESTS_CA_BUNDLE": ca_file}
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=180, env=environment, check=False
    )
    assert result.returncode == 0, (
        result.stdout + result.stderr + _read(tmp_path / "logs" / "letsencrypt.log")
    )
    return result


def _read(path: Path) -> str:
    return path.read_text()[-6000:] if path.exists() else ""


@pytest.fixture
def acme_mount(root_client: hvac.Client, server: RunningServer) -> dict[str, Any]:
    """pki/ with a root, a role ACME may use, the cluster path, ACME on, and the mount tuned to
    let ACME's headers through."""
    root_client.sys.enable_secrets_engine(
        "pki", path="pki", config={"allowed_response_headers": ACME_HEADERS}
    )
    pki = root_client.secrets.pki
    root = pki.generate_root("internal", "ACME Root", extra_params={"key_type": "ec"})["data"]
    pki.create_or_update_role(
        "acme", {"allow_ip_sans": True, "allow_localhost": True, "key_type": "any", "ttl": "1h"}
    )
    root_client.write_data("pki/config/cluster", data={"path": f"{server.address}/v1/pki"})
    root_client.write_data("pki/config/acme", data={"enabled": True})
    return {"pki": pki, "root": root["certificate"]}


def test_certbot_obtains_and_revokes(
    acme_mount: dict[str, Any], server: RunningServer, tmp_path: Path
) -> None:
    assert server.ca_file is not None
    directory = f"{server.address}/v1/pki/roles/acme/acme/directory"
    certbot(
        "certonly",
        "--standalone",
        "--http-01-address",
        "127.0.0.1",
        "--http-01-port",
        "80",
        "--server",
        directory,
        "--ip-address",
        "127.0.0.1",
        "--cert-name",
        "strongroom-test",
        "--no-eff-email",
        "--agree-tos",
        "--register-unsafely-without-email",
        tmp_path=tmp_path,
        ca_file=server.ca_file,
    )
    live = tmp_path / "config" / "live" / "strongroom-test"
    leaf = x509.load_pem_x509_certificate((live / "cert.pem").read_bytes())
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]

    (tmp_path / "root.pem").write_text(acme_mount["root"] + "\n")
    verified = subprocess.run(
        ["openssl", "verify", "-CAfile", str(tmp_path / "root.pem"), str(live / "fullchain.pem")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert verified.returncode == 0 and ": OK" in verified.stdout, verified.stderr

    certbot(
        "revoke",
        "--cert-path",
        str(live / "cert.pem"),
        "--server",
        directory,
        "--reason",
        "keycompromise",
        "--no-delete-after-revoke",
        tmp_path=tmp_path,
        ca_file=server.ca_file,
    )
    crl_pem = server.client().get("/v1/pki/crl/pem").content
    crl = x509.load_pem_x509_crl(crl_pem)
    assert crl.get_revoked_certificate_by_serial_number(leaf.serial_number) is not None
