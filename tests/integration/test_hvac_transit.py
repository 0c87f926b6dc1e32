"""Transit through every hvac `secrets.transit` method, against a real server over TLS."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import hvac
import pytest
from hvac import exceptions

from strongroom.testing.server import RunningServer

AsToken = Callable[[str], hvac.Client]
MOUNT = "transit"


def b64(raw: bytes | str) -> str:
    return base64.b64encode(raw.encode() if isinstance(raw, str) else raw).decode()


@pytest.fixture
def transit(root_client: hvac.Client) -> Any:
    root_client.sys.enable_secrets_engine("transit", path=MOUNT)
    return root_client.secrets.transit


def test_key_lifecycle(transit: Any) -> None:
    created = transit.create_key("orders", exportable=True, mount_point=MOUNT)
    assert created["data"]["type"] == "aes256-gcm96"
    transit.create_key("signer", key_type="ecdsa-p256", mount_point=MOUNT)
    read = transit.read_key("orders", mount_point=MOUNT)["data"]
    assert read["latest_version"] == 1 and read["exportable"] is True
    assert transit.list_keys(mount_point=MOUNT)["data"]["keys"] == ["orders", "signer"]
    rotated = transit.rotate_key("orders", mount_point=MOUNT)
    assert rotated["data"]["latest_version"] == 2
    configured = transit.update_key_configuration(
        "orders",
        min_decryption_version=1,
        min_encryption_version=2,
        deletion_allowed=True,
        auto_rotate_period="24h",
        mount_point=MOUNT,
    )
    assert configured["data"]["auto_rotate_period"] == 86400
    trimmed = transit.trim_key("orders", min_version=1, mount_point=MOUNT)
    assert trimmed["data"]["min_available_version"] == 1
    exported = transit.export_key("orders", key_type="encryption-key", mount_point=MOUNT)
    assert sorted(exported["data"]["keys"]) == ["1", "2"]
    latest = transit.export_key("orders", "hmac-key", version="latest", mount_point=MOUNT)
    assert list(latest["data"]["keys"]) == ["2"]
    response = transit.delete_key("orders", mount_point=MOUNT)
    assert response.status_code == 204
    with pytest.raises(exceptions.InvalidPath):
        transit.read_key("orders", mount_point=MOUNT)
    with pytest.raises(exceptions.InvalidRequest, match="deletion is not allowed"):
        transit.delete_key("signer", mount_point=MOUNT)


def test_encrypt_decrypt_rewrap_datakey(transit: Any) -> None:
    ciphertext = transit.encrypt_data("app", b64("secret"), mount_point=MOUNT)["data"]
    assert ciphertext["key_version"] == 1  # created by upsert
    plaintext = transit.decrypt_data("app", ciphertext["ciphertext"], mount_point=MOUNT)
    assert plaintext["data"]["plaintext"] == b64("secret")
    transit.rotate_key("app", mount_point=MOUNT)
    rewrapped = transit.rewrap_data("app", ciphertext["ciphertext"], mount_point=MOUNT)["data"]
    assert rewrapped["ciphertext"].startswith("vault:v2:")
    batch = transit.encrypt_data(
        "app",
        batch_input=[{"plaintext": b64("a"), "reference": "1"}, {"plaintext": b64("b")}],
        mount_point=MOUNT,
    )["data"]["batch_results"]
    assert [item["reference"] for item in batch] == ["1", ""]
    decrypted = transit.decrypt_data(
        "app", batch_input=[{"ciphertext": item["ciphertext"]} for item in batch], mount_point=MOUNT
    )["data"]["batch_results"]
    assert [item["plaintext"] for item in decrypted] == [b64("a"), b64("b")]
    with pytest.raises(exceptions.InvalidRequest):
        transit.encrypt_data(
            "app", batch_input=[{"plaintext": "%%"}, {"plaintext": b64("ok")}], mount_point=MOUNT
        )
    transit.create_key("tenant", derived=True, mount_point=MOUNT)
    data_key = transit.generate_data_key(
        "tenant", key_type="plaintext", context=b64("t1"), bits=256, mount_point=MOUNT
    )["data"]
    opened = transit.decrypt_data(
        "tenant", data_key["ciphertext"], context=b64("t1"), mount_point=MOUNT
    )
    assert opened["data"]["plaintext"] == data_key["plaintext"]
    wrapped = transit.generate_data_key("tenant", "wrapped", context=b64("t1"), mount_point=MOUNT)
    assert "plaintext" not in wrapped["data"]
    with pytest.raises(exceptions.InvalidRequest, match="cipher: message authentication failed"):
        transit.decrypt_data("tenant", data_key["ciphertext"], context=b64("t2"), mount_point=MOUNT)


def test_sign_verify_hmac_hash_random(transit: Any) -> None:
    transit.create_key("ed", key_type="ed25519", mount_point=MOUNT)
    transit.create_key("rsa", key_type="rsa-2048", mount_point=MOUNT)
    for name, options in [
        ("ed", {}),
        ("rsa", {"signature_algorithm": "pkcs1v15", "hash_algorithm": "sha2-512"}),
        ("rsa", {"signature_algorithm": "pss", "salt_length": "hash"}),
    ]:
        signed = transit.sign_data(name, hash_input=b64("doc"), mount_point=MOUNT, **options)
        signature = signed["data"]["signature"]
        verified = transit.verify_signed_data(
            name, hash_input=b64("doc"), signature=signature, mount_point=MOUNT, **options
        )
        assert verified["data"]["valid"] is True
    mac = transit.generate_hmac("ed", hash_input=b64("doc"), mount_point=MOUNT)["data"]["hmac"]
    checked = transit.verify_signed_data("ed", hash_input=b64("doc"), hmac=mac, mount_point=MOUNT)
    assert checked["data"]["valid"] is True
    summed = transit.hash_data(b64("doc"), algorithm="sha2-256", mount_point=MOUNT)
    assert summed["data"]["sum"] == hashlib.sha256(b"doc").hexdigest()
    random = transit.generate_random_bytes(n_bytes=24, output_format="hex", mount_point=MOUNT)
    assert len(bytes.fromhex(random["data"]["random_bytes"])) == 24


def test_backup_and_restore(transit: Any) -> None:
    transit.create_key("k", exportable=True, allow_plaintext_backup=True, mount_point=MOUNT)
    ciphertext = transit.encrypt_data("k", b64("kept"), mount_point=MOUNT)["data"]["ciphertext"]
    backup = transit.backup_key("k", mount_point=MOUNT)["data"]["backup"]
    restored = transit.restore_key(backup, name="copy", mount_point=MOUNT)
    assert restored.status_code == 204
    opened = transit.decrypt_data("copy", ciphertext, mount_point=MOUNT)
    assert opened["data"]["plaintext"] == b64("kept")
    with pytest.raises(exceptions.InvalidRequest, match="already exists"):
        transit.restore_key(backup, name="copy", mount_point=MOUNT)
    transit.restore_key(backup, name="copy", force=True, mount_point=MOUNT)


def test_upsert_needs_the_create_capability(
    root_client: hvac.Client, transit: Any, as_token: AsToken
) -> None:
    root_client.sys.create_or_update_policy(
        "encrypt-only", 'path "transit/encrypt/*" { capabilities = ["update"] }'
    )
    root_client.sys.create_or_update_policy(
        "encrypt-create", 'path "transit/encrypt/*" { capabilities = ["create", "update"] }'
    )
    only = as_token(
        root_client.auth.token.create(policies=["encrypt-only"])["auth"]["client_token"]
    )
    with pytest.raises(exceptions.Forbidden):
        only.secrets.transit.encrypt_data("fresh", b64("x"), mount_point=MOUNT)
    transit.create_key("existing", mount_point=MOUNT)
    assert only.secrets.transit.encrypt_data("existing", b64("x"), mount_point=MOUNT)["data"]
    creator = as_token(
        root_client.auth.token.create(policies=["encrypt-create"])["auth"]["client_token"]
    )
    created = creator.secrets.transit.encrypt_data("fresh", b64("x"), mount_point=MOUNT)
    assert created["data"]["key_version"] == 1
    root_client.write(f"{MOUNT}/config/keys", disable_upsert=True)
    with pytest.raises(exceptions.InvalidRequest, match="encryption key not found"):
        creator.secrets.transit.encrypt_data("other", b64("x"), mount_point=MOUNT)


def test_partial_failure_status_and_errors_over_http(
    server: RunningServer, root_client: hvac.Client, transit: Any
) -> None:
    transit.create_key("k", mount_point=MOUNT)
    with server.client() as http:
        http.headers["X-Vault-Token"] = root_client.token
        body = {
            "batch_input": [{"plaintext": b64("ok")}, {"plaintext": "bad!"}],
            "partial_failure_response_code": 207,
        }
        partial = http.post(f"/v1/{MOUNT}/encrypt/k", json=body)
        assert partial.status_code == 207
        results = partial.json()["data"]["batch_results"]
        assert results[1]["error"] == "unable to decode plaintext as base64"
        bad = http.post(f"/v1/{MOUNT}/decrypt/k", json={"ciphertext": "vault:v1:s3cr3t!!"})
        assert bad.status_code == 400
        assert bad.json() == {"errors": ["invalid ciphertext: could not decode base64"]}
        missing = http.post(f"/v1/{MOUNT}/decrypt/none", json={"ciphertext": "vault:v1:AAAA"})
        assert missing.status_code == 400
        assert missing.json() == {"errors": ["encryption key not found"]}
