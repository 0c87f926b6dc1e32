"""byok-export through a real server over TLS. hvac's `secrets.transit` has no method for it (nor
for `wrapping_key` or import), so these use hvac's raw `read`, `write_data` and `adapter.get`
(for a query parameter). Two transit mounts stand for two clusters: `source` knows `target`'s
wrapping key as the public-only `target-wrap`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import hvac
import pytest
from hvac import exceptions

AsToken = Callable[[str], hvac.Client]
SOURCE, TARGET = "source", "target"
EXPORT_PATH = f"{SOURCE}/byok-export/target-wrap"


def b64(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


@pytest.fixture
def mounts(root_client: hvac.Client) -> hvac.Client:
    for path in (SOURCE, TARGET):
        root_client.sys.enable_secrets_engine("transit", path=path)
    pem = root_client.read(f"{TARGET}/wrapping_key")["data"]["public_key"]
    root_client.write_data(
        f"{SOURCE}/keys/target-wrap/import", data={"type": "rsa-4096", "public_key": pem}
    )
    return root_client


def test_key_moves_between_mounts(mounts: hvac.Client) -> None:
    transit = mounts.secrets.transit
    transit.create_key("orders", exportable=True, mount_point=SOURCE)
    sealed = transit.encrypt_data("orders", b64("hello"), mount_point=SOURCE)["data"]["ciphertext"]

    exported = mounts.read(f"{EXPORT_PATH}/orders")["data"]
    assert exported["name"] == "orders" and exported["type"] == "aes256-gcm96"
    mounts.write_data(f"{TARGET}/keys/orders/import", data={"ciphertext": exported["keys"]["1"]})

    opened = transit.decrypt_data("orders", sealed, mount_point=TARGET)["data"]["plaintext"]
    assert opened == b64("hello")

    transit.create_key("signer", key_type="ed25519", exportable=True, mount_point=SOURCE)
    latest = f"/v1/{EXPORT_PATH}/signer/latest"
    one = mounts.adapter.get(latest, params={"hash": "SHA384"})["data"]["keys"]
    mounts.write_data(
        f"{TARGET}/keys/signer/import",
        data={"type": "ed25519", "ciphertext": one["1"], "hash_function": "SHA384"},
    )
    signature = transit.sign_data("signer", b64("m"), mount_point=TARGET)["data"]["signature"]
    verified = transit.verify_signed_data(
        "signer", b64("m"), signature=signature, mount_point=SOURCE
    )
    assert verified["data"]["valid"] is True


def test_refusals_are_400(mounts: hvac.Client) -> None:
    mounts.secrets.transit.create_key("locked", mount_point=SOURCE)
    with pytest.raises(exceptions.InvalidRequest, match="key is not exportable"):
        mounts.read(f"{EXPORT_PATH}/locked")
    mounts.secrets.transit.create_key("open", exportable=True, mount_point=SOURCE)
    with pytest.raises(exceptions.InvalidRequest, match="must be an RSA key"):
        mounts.read(f"{SOURCE}/byok-export/open/open")
    with pytest.raises(exceptions.InvalidRequest, match="version does not exist"):
        mounts.read(f"{EXPORT_PATH}/open/9")


def test_acl_is_on_the_byok_export_path(mounts: hvac.Client, as_token: AsToken) -> None:
    mounts.secrets.transit.create_key("open", exportable=True, mount_point=SOURCE)
    mounts.sys.create_or_update_policy(
        "byok", f'path "{SOURCE}/byok-export/target-wrap/*" {{ capabilities = ["read"] }}'
    )
    mounts.sys.create_or_update_policy(
        "plain-export", f'path "{SOURCE}/export/*" {{ capabilities = ["read"] }}'
    )
    allowed = as_token(mounts.auth.token.create(policies=["byok"])["auth"]["client_token"])
    assert list(allowed.read(f"{EXPORT_PATH}/open")["data"]["keys"]) == ["1"]
    with pytest.raises(exceptions.Forbidden):
        allowed.read(f"{SOURCE}/byok-export/other-wrap/open")
    exporter = as_token(mounts.auth.token.create(policies=["plain-export"])["auth"]["client_token"])
    with pytest.raises(exceptions.Forbidden):
        exporter.read(f"{EXPORT_PATH}/open")
