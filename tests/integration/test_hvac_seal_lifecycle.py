"""The seal lifecycle with the real hvac client against a real server process over TLS."""

from __future__ import annotations

import base64

import hvac
import pytest
from hvac import exceptions

from strongroom.seal.root_generation import decode_token
from strongroom.testing.server import RunningServer


def initialise(client: hvac.Client, shares: int = 5, threshold: int = 3) -> dict[str, object]:
    result: dict[str, object] = client.sys.initialize(shares, threshold)
    return result


def unseal(client: hvac.Client, keys: list[str]) -> None:
    client.sys.submit_unseal_keys(keys)
    assert not client.sys.is_sealed()


def test_initialise_unseal_and_seal(client: hvac.Client) -> None:
    assert not client.sys.is_initialized()
    result = initialise(client)
    keys = result["keys"]
    assert isinstance(keys, list) and len(keys) == 5
    assert client.sys.is_initialized()
    assert client.sys.is_sealed()
    status = client.sys.submit_unseal_key(keys[0])
    assert status["sealed"] and status["progress"] == 1 and status["t"] == 3
    unseal(client, keys[1:3])
    client.token = result["root_token"]
    assert client.sys.read_health_status(method="GET")["sealed"] is False
    client.sys.seal()
    assert client.sys.is_sealed()
    with pytest.raises(exceptions.VaultDown):
        client.sys.get_encryption_key_status()
    unseal(client, keys[2:5])


def test_health_status_codes(client: hvac.Client) -> None:
    response = client.sys.read_health_status(method="GET")
    assert response.status_code == 501
    keys = initialise(client, 1, 1)["keys"]
    assert client.sys.read_health_status(method="GET").status_code == 503
    assert client.sys.read_health_status(method="HEAD").status_code == 503
    # A 200 comes back as the decoded body.
    assert client.sys.read_health_status(method="GET", sealed_code=200)["sealed"] is True
    unseal(client, keys)  # type: ignore[arg-type]
    health = client.sys.read_health_status(method="GET")
    assert health["initialized"] and not health["sealed"] and not health["standby"]
    assert health["version"].startswith("1.")


def test_keyring_status_and_rotation(client: hvac.Client) -> None:
    result = initialise(client, 3, 2)
    unseal(client, result["keys"][:2])  # type: ignore[index]
    client.token = result["root_token"]
    status = client.sys.get_encryption_key_status()
    assert status["data"]["term"] == 1
    client.sys.rotate_encryption_key()
    assert client.sys.get_encryption_key_status()["data"]["term"] == 2
    client.token = "hvs.not-a-real-token-at-all"
    with pytest.raises(exceptions.Forbidden):
        client.sys.rotate_encryption_key()


def test_wrong_unseal_key_is_invalid_request(client: hvac.Client) -> None:
    keys: list[str] = initialise(client, 3, 2)["keys"]  # type: ignore[assignment]
    client.sys.submit_unseal_key(keys[0])
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.submit_unseal_key(base64.b64encode(bytes(32) + b"\x07").decode())
    assert client.sys.read_seal_status()["progress"] == 0
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.submit_unseal_key("zz-not-hex-or-base64")


def test_rekey_flow_with_verification(client: hvac.Client) -> None:
    result = initialise(client, 3, 2)
    old_keys: list[str] = result["keys"]  # type: ignore[assignment]
    unseal(client, old_keys[:2])
    started = client.sys.start_rekey(secret_shares=4, secret_threshold=3, require_verification=True)
    assert started["started"] and started["required"] == 2
    assert client.sys.read_rekey_progress()["nonce"] == started["nonce"]
    done = client.sys.rekey_multi(old_keys[:2], nonce=started["nonce"])
    assert done["complete"] and done["verification_required"]
    new_keys = done["keys"]
    assert len(new_keys) == 4
    progress = client.sys.read_rekey_verify_progress()
    assert progress["nonce"] == done["verification_nonce"]
    verified = client.sys.rekey_verify_multi(new_keys[:3], nonce=done["verification_nonce"])
    assert verified["complete"]
    client.token = result["root_token"]
    client.sys.seal()
    assert client.sys.read_seal_status()["t"] == 3
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.submit_unseal_keys(old_keys)
    unseal(client, new_keys[1:4])


def test_rekey_cancel(client: hvac.Client) -> None:
    result = initialise(client, 1, 1)
    unseal(client, result["keys"])  # type: ignore[arg-type]
    client.sys.start_rekey(secret_shares=3, secret_threshold=2)
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.cancel_rekey()  # anonymous, without the nonce
    client.token = result["root_token"]
    client.sys.cancel_rekey()
    assert client.sys.read_rekey_progress()["started"] is False


def test_generate_root_flow(client: hvac.Client) -> None:
    result = initialise(client, 3, 2)
    keys: list[str] = result["keys"]  # type: ignore[assignment]
    unseal(client, keys[:2])
    started = client.sys.start_root_token_generation()
    otp = started["otp"]
    assert started["started"] and len(otp) == started["otp_length"]
    assert client.sys.read_root_generation_progress()["progress"] == 0
    client.sys.generate_root(keys[0], started["nonce"])
    done = client.sys.generate_root(keys[2], started["nonce"])
    assert done["complete"]
    token = decode_token(done["encoded_root_token"], otp)
    client.token = token
    assert client.sys.get_encryption_key_status()["data"]["term"] == 1
    again = client.sys.start_root_token_generation()
    client.sys.cancel_root_generation()
    assert not client.sys.read_root_generation_progress()["started"]
    assert again["nonce"]


def test_json_limits_and_large_bodies_over_tls(server: RunningServer) -> None:
    with server.client() as http:
        response = http.put("/v1/sys/init", content=b"{" * 600 + b"}" * 600)
        assert response.status_code == 400
        response = http.put("/v1/sys/unseal", content=b" " * (33 * 1024 * 1024))
        assert response.status_code == 413
        response = http.request("LIST", "/v1/sys/nowhere")
        assert response.status_code == 503
