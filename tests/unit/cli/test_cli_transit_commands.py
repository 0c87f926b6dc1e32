"""`strongroom transit import|import-version` against a scripted server.

The server's side is played here with the private half of the wrapping key: each test unwraps
what the command sent (RSA-OAEP, then AES key unwrap with padding) and compares it with the key
material given on the command line. The integration test imports into a real server.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding

from strongroom.cli import command
from strongroom.cli.client import Client, ClientSettings
from strongroom.cli.main import main

MATERIAL = bytes(range(32))
KEY_B64 = base64.b64encode(MATERIAL).decode()
MOUNTS = ("transit", "secret/transit")


@pytest.fixture(scope="module")
def wrapping_key() -> rsa.RSAPrivateKey:
    # 2048 bits keeps the tests quick; the command takes any RSA key the server publishes.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class Transit:
    """Transit mounts at MOUNTS sharing one wrapping key; what the command sent."""

    def __init__(self, private: rsa.RSAPrivateKey) -> None:
        self.private = private
        self.public_key = public_pem(private)
        self.requests: list[httpx.Request] = []
        self.import_status = 204

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/v1/")
        mount = path.partition("/keys/")[0].removesuffix("/wrapping_key")
        if mount not in MOUNTS:
            return httpx.Response(404, json={"errors": []})
        if (request.method, path) == ("GET", f"{mount}/wrapping_key"):
            return httpx.Response(200, json={"data": {"public_key": self.public_key}})
        if request.method == "PUT" and "/keys/" in path:
            if self.import_status >= 400:
                return httpx.Response(self.import_status, json={"errors": ["key exists"]})
            return httpx.Response(self.import_status)
        return httpx.Response(404, json={"errors": []})

    def sent(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.requests[-1].content)
        return body

    def unwrap(self, ciphertext: str, algorithm: hashes.HashAlgorithm) -> bytes:
        """What the server does with an import's ciphertext."""
        raw = base64.b64decode(ciphertext)
        split = self.private.key_size // 8
        aes_key = self.private.decrypt(
            raw[:split], padding.OAEP(padding.MGF1(algorithm), algorithm, None)
        )
        assert len(aes_key) == 32
        return aes_key_unwrap_with_padding(aes_key, raw[split:])


@pytest.fixture
def transit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, wrapping_key: rsa.RSAPrivateKey
) -> Transit:
    server = Transit(wrapping_key)

    def client(settings: ClientSettings, *, wrap_ttl: str | None = None) -> Client:
        return Client(settings, wrap_ttl=wrap_ttl, transport=httpx.MockTransport(server))

    monkeypatch.setattr(command, "Client", client)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("STRONGROOM_ADDR", "STRONGROOM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAULT_ADDR", "https://sr.test")
    monkeypatch.setenv("VAULT_TOKEN", "hvs.root")
    return server


def test_import_wraps_the_key_for_the_wrapping_key(
    transit: Transit, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["transit", "import", "transit/keys/byok", KEY_B64, "type=aes256-gcm96"]
    assert main([*argv, "exportable=true"]) == 0
    fetch, submit = transit.requests
    assert (fetch.method, fetch.url.path) == ("GET", "/v1/transit/wrapping_key")
    assert (submit.method, submit.url.path) == ("PUT", "/v1/transit/keys/byok/import")
    assert submit.headers["X-Vault-Token"] == "hvs.root"
    sent = transit.sent()
    assert set(sent) == {"ciphertext", "type", "exportable"}
    assert sent["type"] == "aes256-gcm96" and sent["exportable"] == "true"
    assert transit.unwrap(sent["ciphertext"], hashes.SHA256()) == MATERIAL
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "Retrieving wrapping key.",
        "Wrapping source key with ephemeral key.",
        "Encrypting ephemeral key with wrapping key.",
        "Submitting wrapped key.",
        "Success!",
    ]
    assert not err and KEY_B64 not in out


def test_each_import_uses_a_fresh_ephemeral_key(transit: Transit) -> None:
    for _ in range(2):
        assert main(["transit", "import", "transit/keys/byok", KEY_B64]) == 0
    first, second = (json.loads(r.content)["ciphertext"] for r in transit.requests[1::2])
    assert first != second
    # AES-KWP is deterministic: different wrapped parts mean different AES keys.
    assert base64.b64decode(first)[256:] != base64.b64decode(second)[256:]


def test_import_version_from_a_file_with_line_breaks(
    transit: Transit, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    material = os.urandom(64)
    encoded = base64.b64encode(material).decode()
    key_file = tmp_path / "key.b64"
    key_file.write_text(f"{encoded[:40]}\n{encoded[40:]}\n")
    argv = ["transit", "import-version", "-format=json", "/secret/transit/keys/k/", f"@{key_file}"]
    assert main([*argv, "hash_function=sha512"]) == 0
    assert transit.requests[0].url.path == "/v1/secret/transit/wrapping_key"
    assert transit.requests[-1].url.path == "/v1/secret/transit/keys/k/import_version"
    sent = transit.sent()
    assert sent["hash_function"] == "sha512"  # passed on, and used for OAEP
    assert transit.unwrap(sent["ciphertext"], hashes.SHA512()) == material
    assert capsys.readouterr().out == ""  # no progress lines in a JSON document's place


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["transit/byok", KEY_B64], "in the form :path:/keys/:name:"),
        (["transit/keys/", KEY_B64], "in the form :path:/keys/:name:"),
        (["transit/keys/a/b", KEY_B64], "in the form :path:/keys/:name:"),
        (["transit/keys/k", "not base64!"], "error base64 decoding source key material"),
        (["transit/keys/k", "===="], "error base64 decoding source key material"),
        (["transit/keys/k", ""], "error base64 decoding source key material: it is empty"),
        (["transit/keys/k", "@/nonexistent/key"], "error reading key material file"),
        (["transit/keys/k", KEY_B64, "hash_function=MD5"], "unsupported hash_function 'MD5'"),
        (["transit/keys/k", KEY_B64, "type"], "Failed to parse K=V data"),
    ],
)
def test_local_mistakes_send_nothing(
    transit: Transit, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["transit", "import", *argv]) == 1
    assert message in capsys.readouterr().err
    assert not transit.requests


def test_a_missing_mount_or_a_refused_import(
    transit: Transit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["transit", "import", "nothing/keys/k", KEY_B64]) == 2
    err = capsys.readouterr().err
    assert "Error fetching wrapping key" in err and "GET https://sr.test/v1/nothing/" in err
    assert len(transit.requests) == 1
    transit.import_status = 400
    assert main(["transit", "import", "transit/keys/k", KEY_B64]) == 2
    err = capsys.readouterr().err
    assert "Error importing key to transit/keys/k/import" in err and "key exists" in err
    assert KEY_B64 not in err


@pytest.mark.parametrize("public_key", ["not a PEM", None, "ec"])
def test_a_wrapping_key_that_is_not_rsa(
    transit: Transit, public_key: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    if public_key == "ec":
        public_key = public_pem(ec.generate_private_key(ec.SECP256R1()))
    transit.public_key = public_key  # type: ignore[assignment]
    assert main(["transit", "import", "transit/keys/k", KEY_B64]) == 2
    assert "error parsing wrapping key" in capsys.readouterr().err
    assert len(transit.requests) == 1  # nothing submitted
