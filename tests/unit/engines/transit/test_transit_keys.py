"""Named keys: create, read (Vault's exact shape), list, delete, config, rotate, trim."""

from __future__ import annotations

import pytest
from transit_helpers import Transit, b64

from strongroom.errors import InvalidParameter, NotFound
from strongroom.logical import Operation

SYMMETRIC_FIELDS = {
    "name",
    "type",
    "derived",
    "deletion_allowed",
    "min_available_version",
    "min_decryption_version",
    "min_encryption_version",
    "latest_version",
    "exportable",
    "allow_plaintext_backup",
    "supports_encryption",
    "supports_decryption",
    "supports_signing",
    "supports_derivation",
    "auto_rotate_period",
    "imported_key",
    "soft_deleted",
    "keys",
}


async def test_create_returns_vaults_key_info(transit: Transit) -> None:
    info = await transit.create("orders")
    assert set(info) == SYMMETRIC_FIELDS
    assert info["type"] == "aes256-gcm96"
    assert info["keys"] == {"1": 1_800_000_000}
    assert (info["latest_version"], info["min_decryption_version"]) == (1, 1)
    assert (info["min_encryption_version"], info["min_available_version"]) == (0, 0)
    assert info["supports_encryption"] and info["supports_derivation"]
    assert not info["supports_signing"]
    assert await transit.read("keys/orders") == info


async def test_asymmetric_key_info_lists_public_keys(transit: Transit) -> None:
    info = await transit.create("signer", type="ecdsa-p256")
    version = info["keys"]["1"]
    assert set(version) == {"name", "public_key", "certificate_chain", "creation_time"}
    assert version["name"] == "P-256"
    assert version["public_key"].startswith("-----BEGIN PUBLIC KEY-----\n")
    assert version["public_key"].endswith("-----END PUBLIC KEY-----\n")
    assert version["creation_time"] == "2027-01-15T08:00:00Z"
    ed = await transit.create("ed", type="ed25519")
    assert ed["keys"]["1"]["name"] == "ed25519" and len(ed["keys"]["1"]["public_key"]) == 44
    rsa = await transit.create("rsa", type="rsa-2048")
    assert rsa["keys"]["1"]["name"] == "rsa-2048"
    assert rsa["supports_encryption"] and rsa["supports_signing"]


async def test_derived_and_convergent_settings_are_reported(transit: Transit) -> None:
    info = await transit.create("conv", derived=True, convergent_encryption=True)
    assert info["kdf"] == "hkdf_sha256"
    assert info["convergent_encryption"] is True
    assert info["convergent_encryption_version"] == -1
    ed = await transit.create("ed", type="ed25519", derived=True)
    assert ed["keys"]["1"]["public_key"] == ""
    with_context = await transit.read("keys/ed", context=b64("tenant-1"))
    assert len(with_context["keys"]["1"]["public_key"]) == 44


async def test_hmac_key_has_a_size_and_no_keys_map(transit: Transit) -> None:
    info = await transit.create("mac", type="hmac", key_size=64)
    assert info["key_size"] == 64 and "keys" not in info
    exported = await transit.ok("keys/mac/config", exportable=True)
    assert exported["exportable"] is True
    assert len((await transit.export("hmac-key", "mac"))["1"]) == 88  # base64 of 64 bytes


async def test_creating_an_existing_key_keeps_it_and_warns(transit: Transit) -> None:
    first = await transit.create("k")
    response = await transit(Operation.UPDATE, "keys/k", {"type": "ed25519"})
    assert response is not None and response.data == first
    assert response.warnings == ["key k already existed"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"type": "des"}, "unknown key type"),
        ({"convergent_encryption": True}, "convergent encryption requires derivation"),
        ({"type": "ecdsa-p256", "derived": True}, "not supported for keys of type ecdsa-p256"),
        ({"type": "ed25519", "derived": True, "convergent_encryption": True}, "convergent"),
        ({"key_size": 64}, "key_size is not valid"),
        ({"type": "hmac", "key_size": 16}, "invalid key_size"),
        ({"auto_rotate_period": "10m"}, "at least an hour"),
    ],
)
async def test_bad_creation_settings_are_400(
    transit: Transit, settings: dict[str, object], message: str
) -> None:
    error = await transit.fails("keys/k", **settings)
    assert error.status == 400 and message in error.message
    assert await transit.fails("keys/k", Operation.READ) is not None


async def test_list_and_delete_only_when_allowed(transit: Transit) -> None:
    assert isinstance(await transit.fails("keys", Operation.LIST), NotFound)
    for name in ("b", "a", "c"):
        await transit.create(name)
    assert (await transit.ok("keys", Operation.LIST))["keys"] == ["a", "b", "c"]
    refused = await transit.fails("keys/a", Operation.DELETE)
    assert refused.status == 400 and "deletion is not allowed" in refused.message
    await transit.ok("keys/a/config", deletion_allowed=True)
    assert await transit(Operation.DELETE, "keys/a") is None
    assert (await transit.ok("keys", Operation.LIST))["keys"] == ["b", "c"]
    assert isinstance(await transit.fails("keys/a", Operation.READ), NotFound)
    gone = await transit.fails("keys/a", Operation.DELETE)
    assert gone.status == 400 and "not found" in gone.message


async def test_rotate_adds_versions_with_their_creation_times(transit: Transit) -> None:
    await transit.create("k")
    transit.clock.advance(60)
    info = await transit.ok("keys/k/rotate")
    assert info["latest_version"] == 2
    assert info["keys"] == {"1": 1_800_000_000, "2": 1_800_000_060}
    missing = await transit.fails("keys/nope/rotate")
    assert missing.status == 400 and missing.message == "key not found"


async def test_config_rules(transit: Transit) -> None:
    await transit.create("k")
    for _ in range(3):
        await transit.ok("keys/k/rotate")
    info = await transit.ok("keys/k/config", min_decryption_version=2, min_encryption_version=3)
    assert (info["min_decryption_version"], info["min_encryption_version"]) == (2, 3)
    too_new = await transit.fails("keys/k/config", min_decryption_version=9)
    assert "latest key version is 4" in too_new.message
    inverted = await transit.fails("keys/k/config", min_encryption_version=1)
    assert "must be greater than or equal to min decryption version" in inverted.message
    negative = await transit.fails("keys/k/config", min_decryption_version=-1)
    assert "cannot be negative" in negative.message
    response = await transit(Operation.UPDATE, "keys/k/config", {"min_decryption_version": 0})
    assert response is not None and response.data is not None
    assert response.data["min_decryption_version"] == 1 and response.warnings
    # exportable and allow_plaintext_backup can be switched on, never off
    await transit.ok("keys/k/config", exportable=True, allow_plaintext_backup=True)
    info = await transit.ok("keys/k/config", exportable=False, allow_plaintext_backup=False)
    assert info["exportable"] and info["allow_plaintext_backup"]
    info = await transit.ok("keys/k/config", auto_rotate_period="2h")
    assert info["auto_rotate_period"] == 7200
    missing = await transit.fails("keys/none/config", deletion_allowed=True)
    assert isinstance(missing, InvalidParameter)


async def test_trim_removes_old_versions(transit: Transit) -> None:
    await transit.create("k", exportable=True)
    old = await transit.encrypt("k", "old")
    for _ in range(3):
        await transit.ok("keys/k/rotate")
    unset = await transit.fails("keys/k/trim", min_available_version=2)
    assert "minimum encryption version is not set" in unset.message
    await transit.ok("keys/k/config", min_encryption_version=3, min_decryption_version=3)
    above = await transit.fails("keys/k/trim", min_available_version=4)
    assert "cannot be greater than minimum encryption version" in above.message
    info = await transit.ok("keys/k/trim", min_available_version=3)
    assert info["min_available_version"] == 3 and sorted(info["keys"]) == ["3", "4"]
    assert sorted(await transit.export("encryption-key", "k")) == ["3", "4"]
    back = await transit.fails("keys/k/trim", min_available_version=2)
    assert "cannot be decremented" in back.message
    lower = await transit.fails("keys/k/config", min_decryption_version=2)
    assert "min available version" in lower.message
    too_old = await transit.fails("decrypt/k", ciphertext=old)
    assert too_old.status == 400 and "too old" in too_old.message
    assert (await transit.fails("keys/k/trim")).message == "missing min_available_version"
