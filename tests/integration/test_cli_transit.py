"""Transit through the real CLI against a real server over TLS: BYOK import and generic writes.

Keys are made here, imported with `strongroom transit import` / `import-version`, then used
through the API in both directions (a ciphertext or signature made here is accepted by the
server, and the server's is checked here): only the material we hold could pass both.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import hvac
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from test_cli import StrongroomCLI
from test_cli_access import cli_for, ok

from strongroom.testing.server import RunningServer

MOUNT = "transit"
PROGRESS = [
    "Retrieving wrapping key.",
    "Wrapping source key with ephemeral key.",
    "Encrypting ephemeral key with wrapping key.",
    "Submitting wrapped key.",
    "Success!",
]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def vault_ciphertext(key: bytes, version: int, plaintext: bytes) -> str:
    """Vault's AES-GCM ciphertext: `vault:v<N>:` + base64(12-byte nonce ‖ ciphertext ‖ tag)."""
    nonce = os.urandom(12)
    return f"vault:v{version}:" + b64(nonce + AESGCM(key).encrypt(nonce, plaintext, None))


def local_decrypt(key: bytes, ciphertext: str) -> bytes:
    sealed = base64.b64decode(ciphertext.split(":", 2)[2])
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], None)


@pytest.fixture
def cli(server: RunningServer, root_client: hvac.Client, tmp_path: Path) -> StrongroomCLI:
    """The root token's CLI, with the transit engine at `transit/`."""
    root_client.sys.enable_secrets_engine("transit", path=MOUNT)
    return cli_for(server.address, server.ca_file or "", tmp_path, root_client.token)


def test_import_an_aes_key_then_a_new_version(
    cli: StrongroomCLI, root_client: hvac.Client, tmp_path: Path
) -> None:
    transit = root_client.secrets.transit
    first, second = os.urandom(32), os.urandom(32)
    key_file = tmp_path / "aes.b64"
    key_file.write_text(b64(first) + "\n")
    imported = ok(
        cli("transit", "import", f"{MOUNT}/keys/byok", f"@{key_file}", "type=aes256-gcm96")
    )
    assert imported.stdout.splitlines() == PROGRESS
    info = transit.read_key("byok", mount_point=MOUNT)["data"]
    assert info["type"] == "aes256-gcm96" and info["imported_key"] is True
    mine = vault_ciphertext(first, 1, b"made outside")
    decrypted = transit.decrypt_data("byok", mine, mount_point=MOUNT)["data"]["plaintext"]
    assert base64.b64decode(decrypted) == b"made outside"
    theirs = transit.encrypt_data("byok", b64(b"made inside"), mount_point=MOUNT)["data"]
    assert local_decrypt(first, theirs["ciphertext"]) == b"made inside"

    ok(cli("transit", "import-version", "-format=json", f"{MOUNT}/keys/byok", b64(second)))
    assert transit.read_key("byok", mount_point=MOUNT)["data"]["latest_version"] == 2
    newer = vault_ciphertext(second, 2, b"second version")
    decrypted = transit.decrypt_data("byok", newer, mount_point=MOUNT)["data"]["plaintext"]
    assert base64.b64decode(decrypted) == b"second version"
    latest = transit.encrypt_data("byok", b64(b"x"), mount_point=MOUNT)["data"]["ciphertext"]
    assert latest.startswith("vault:v2:") and local_decrypt(second, latest) == b"x"


def test_import_an_ed25519_key_and_verify_signatures_both_ways(
    cli: StrongroomCLI, root_client: hvac.Client
) -> None:
    transit = root_client.secrets.transit
    private = ed25519.Ed25519PrivateKey.generate()
    pkcs8 = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    ok(cli("transit", "import", f"{MOUNT}/keys/signer", b64(pkcs8), "type=ed25519"))
    message = b"signed outside"
    signature = "vault:v1:" + b64(private.sign(message))
    verified = transit.verify_signed_data(
        "signer", b64(message), signature=signature, mount_point=MOUNT
    )
    assert verified["data"]["valid"] is True
    signed = transit.sign_data("signer", b64(b"signed inside"), mount_point=MOUNT)["data"]
    private.public_key().verify(
        base64.b64decode(signed["signature"].removeprefix("vault:v1:")), b"signed inside"
    )  # raises if the server's key is not ours


def test_encrypt_and_decrypt_through_the_generic_write(cli: StrongroomCLI) -> None:
    plaintext = b64(b"through write")
    encrypted = ok(
        cli("write", "-format=json", f"{MOUNT}/encrypt/orders", f"plaintext={plaintext}")
    )
    ciphertext = encrypted.json()["data"]["ciphertext"]
    assert ciphertext.startswith("vault:v1:")  # the key was created on first use (upsert)
    decrypted = ok(
        cli("write", "-field=plaintext", f"{MOUNT}/decrypt/orders", f"ciphertext={ciphertext}")
    )
    assert decrypted.stdout.strip() == plaintext
