"""export, backup/restore, cache-config, the key cache under concurrency, automatic rotation,
post-quantum data keys, and what storage holds."""

from __future__ import annotations

import asyncio
import json

import pytest
from cryptography.hazmat.primitives import serialization
from transit_helpers import Transit, b64, unb64

from strongroom.engines.transit import build_transit_backend
from strongroom.engines.transit.keytypes import Family, post_quantum_available
from strongroom.engines.transit.records import KeyPolicy
from strongroom.errors import InternalError, NotFound
from strongroom.logical import Operation

PQ_KEM = pytest.mark.skipif(
    not post_quantum_available(Family.ML_KEM), reason="cryptography without ML-KEM"
)


async def test_export_needs_exportable_and_checks_types(transit: Transit) -> None:
    await transit.create("k")
    refused = await transit.fails("export/encryption-key/k", Operation.READ)
    assert refused.message == "private key material is not exportable"
    await transit.ok("keys/k/config", exportable=True)
    wrong = await transit.fails("export/signing-key/k", Operation.READ)
    assert wrong.message == "signing not supported for the key"
    bad_type = await transit.fails("export/everything/k", Operation.READ)
    assert "invalid export type" in bad_type.message
    bad_format = await transit.fails("export/encryption-key/k", Operation.READ, format="jwk")
    assert "invalid format" in bad_format.message
    no_der = await transit.fails("export/encryption-key/k", Operation.READ, format="der")
    assert "supported values are `` or `raw`" in no_der.message
    assert isinstance(await transit.fails("export/hmac-key/none", Operation.READ), NotFound)
    await transit.ok("keys/k/rotate")
    assert sorted(await transit.export("encryption-key", "k")) == ["1", "2"]
    assert list(await transit.export("encryption-key", "k", "latest")) == ["2"]
    assert list(await transit.export("encryption-key", "k", "v1")) == ["1"]
    missing = await transit.fails("export/encryption-key/k/7", Operation.READ)
    assert "does not exist" in missing.message
    await transit.ok("keys/k/config", min_decryption_version=2)
    below = await transit.fails("export/encryption-key/k/1", Operation.READ)
    assert "below minimum decryption version" in below.message


async def test_export_formats_of_asymmetric_keys(transit: Transit) -> None:
    await transit.create("ec", type="ecdsa-p256", exportable=True)
    sec1 = (await transit.export("signing-key", "ec"))["1"]
    assert sec1.startswith("-----BEGIN EC PRIVATE KEY-----") and not sec1.endswith("\n")
    pkcs8 = (await transit.export("signing-key", "ec", format="pem"))["1"]
    assert pkcs8.startswith("-----BEGIN PRIVATE KEY-----")
    der = unb64((await transit.export("signing-key", "ec", format="der"))["1"])
    assert serialization.load_der_private_key(der, None) is not None
    public = (await transit.export("public-key", "ec"))["1"]
    assert public.startswith("-----BEGIN PUBLIC KEY-----") and not public.endswith("\n")
    await transit.create("ed", type="ed25519")
    assert len(unb64((await transit.export("public-key", "ed"))["1"])) == 32  # public: allowed
    refused = await transit.fails("export/signing-key/ed", Operation.READ)
    assert refused.message == "private key material is not exportable"
    await transit.create("rsa", type="rsa-2048", exportable=True)
    rsa_public = (await transit.export("public-key", "rsa"))["1"]
    assert rsa_public.endswith("-----END PUBLIC KEY-----\n")
    raw = await transit.fails("export/signing-key/rsa", Operation.READ, format="raw")
    assert "supported values" in raw.message


async def test_backup_and_restore_round_trip(transit: Transit) -> None:
    await transit.create("k", type="ecdsa-p521")
    refused = await transit.fails("backup/k", Operation.READ)
    assert refused.message == "exporting is disallowed on the policy"
    await transit.ok("keys/k/config", exportable=True)
    plain = await transit.fails("backup/k", Operation.READ)
    assert plain.message == "plaintext backup is disallowed on the policy"
    await transit.ok("keys/k/config", allow_plaintext_backup=True)
    await transit.ok("keys/k/rotate")
    signature = (await transit.ok("sign/k", input=b64("m"), key_version=1))["signature"]
    backup = (await transit.read("backup/k"))["backup"]
    assert (await transit.read("keys/k"))["backup_info"]["version"] == 2
    await transit.none("restore/copy", backup=backup)
    copy = await transit.read("keys/copy")
    assert copy["latest_version"] == 2 and copy["keys"] == (await transit.read("keys/k"))["keys"]
    assert (await transit.ok("verify/copy", input=b64("m"), signature=signature))["valid"]
    for bad, message in [
        ("", "'backup' must be supplied"),
        ("not base64", "not base64-encoded JSON"),
        (b64("[1]"), "not a transit key backup"),
        (b64('{"policy": {"type": 77, "latest_version": 1}}'), "unsupported key type"),
        (b64('{"policy": {"type": 0, "latest_version": 1, "name": "x"}}'), "versions are missing"),
    ]:
        error = await transit.fails("restore", backup=bad)
        assert error.status == 400 and message in error.message
    path = await transit.fails("restore", backup=backup, name="a/b")
    assert path.status == 400


async def test_cache_config(transit: Transit) -> None:
    assert await transit.read("cache-config") == {"size": 0}
    too_small = await transit.fails("cache-config", size=5)
    assert "greater or equal to 10" in too_small.message
    assert await transit.ok("cache-config", size=10) == {"size": 10}
    for n in range(15):
        await transit.create(f"k{n}")
    assert len(transit.backend.store.cache) == 10
    # evicted keys load again from storage
    assert await transit.decrypt("k0", await transit.encrypt("k0", "x")) == b"x"
    assert await transit.read("cache-config") == {"size": 10}


async def test_concurrent_rotate_and_encrypt_never_lose_a_ciphertext(transit: Transit) -> None:
    await transit.create("k", type="chacha20-poly1305")

    async def encrypt(n: int) -> tuple[str, bytes]:
        plaintext = f"message {n}".encode()
        return await transit.encrypt("k", plaintext), plaintext

    async def rotate() -> None:
        await transit.ok("keys/k/rotate")

    jobs = [encrypt(n) if n % 4 else rotate() for n in range(200)]
    outcomes = await asyncio.gather(*jobs)
    produced = [outcome for outcome in outcomes if outcome is not None]
    assert (await transit.read("keys/k"))["latest_version"] == 51
    # A fresh backend (empty cache) over the same storage opens every ciphertext.
    fresh = Transit(
        build_transit_backend(transit.storage, transit.clock), transit.storage, transit.clock
    )
    for ciphertext, plaintext in produced:
        assert await fresh.decrypt("k", ciphertext) == plaintext


async def test_concurrent_upserts_create_one_key(transit: Transit) -> None:
    results = await asyncio.gather(*(transit.encrypt("new", f"m{n}") for n in range(20)))
    info = await transit.read("keys/new")
    assert info["latest_version"] == 1
    for n, ciphertext in enumerate(results):
        assert await transit.decrypt("new", ciphertext) == f"m{n}".encode()


async def test_another_nodes_rotation_is_picked_up(transit: Transit) -> None:
    await transit.create("k")
    other = Transit(
        build_transit_backend(transit.storage, transit.clock), transit.storage, transit.clock
    )
    assert await other.decrypt("k", await transit.encrypt("k", "warm")) == b"warm"
    await transit.ok("keys/k/rotate")
    newer = await transit.encrypt("k", "v2")
    # `other` still caches version 1 only: a newer version makes it reload.
    assert await other.decrypt("k", newer) == b"v2"
    await transit.ok("keys/k/config", deletion_allowed=True)
    await transit.none("keys/k", Operation.DELETE)
    other.backend.invalidate()
    assert isinstance(await other.fails("keys/k", Operation.READ), NotFound)


async def test_auto_rotation_follows_the_clock(transit: Transit) -> None:
    await transit.create("hourly", auto_rotate_period="1h")
    await transit.create("daily", auto_rotate_period="24h")
    await transit.create("never")
    assert await transit.backend.rotate_due_keys() == 0
    transit.clock.advance(3600)
    assert await transit.backend.rotate_due_keys() == 1
    assert await transit.backend.rotate_due_keys() == 0
    assert (await transit.read("keys/hourly"))["latest_version"] == 2
    transit.clock.advance(23 * 3600)
    assert await transit.backend.rotate_due_keys() == 2
    assert (await transit.read("keys/daily"))["latest_version"] == 2
    assert (await transit.read("keys/never"))["latest_version"] == 1
    await transit.ok("keys/hourly/config", auto_rotate_period=0)
    transit.clock.advance(48 * 3600)
    assert await transit.backend.rotate_due_keys() == 1  # daily only


@PQ_KEM
async def test_ml_kem_data_keys(transit: Transit) -> None:
    info = await transit.create("kem", type="ml-kem-768", exportable=True)
    assert info["supports_decryption"] and not info["supports_encryption"]
    data = await transit.ok("datakey/plaintext/kem")
    assert len(unb64(data["plaintext"])) == 32
    assert await transit.decrypt("kem", data["ciphertext"]) == unb64(data["plaintext"])
    await transit.ok("keys/kem/rotate")
    wrapped = await transit.ok("datakey/wrapped/kem")
    assert wrapped["key_version"] == 2 and "plaintext" not in wrapped
    bits = await transit.fails("datakey/plaintext/kem", bits=512)
    assert "256 bits" in bits.message
    refused = await transit.fails("encrypt/kem", plaintext=b64("x"))
    assert "not supported for key type ml-kem-768" in refused.message
    public = (await transit.export("public-key", "kem"))["1"]
    assert public.startswith("-----BEGIN PUBLIC KEY-----")
    backup_ready = await transit.ok("keys/kem/config", allow_plaintext_backup=True)
    assert backup_ready["allow_plaintext_backup"]
    backup = (await transit.read("backup/kem"))["backup"]
    await transit.none("restore/kem2", backup=backup)
    assert await transit.decrypt("kem2", data["ciphertext"]) == unb64(data["plaintext"])


async def test_records_are_versioned(transit: Transit) -> None:
    await transit.create("k")
    raw = await transit.storage.get("policy/k")
    assert raw is not None
    policy = KeyPolicy.deserialize(raw)
    assert policy.format == 1 and policy.latest_version == 1
    document = json.loads(raw)
    with pytest.raises(InternalError, match="newer version"):
        KeyPolicy.deserialize(json.dumps({**document, "format": 99}).encode())
    with pytest.raises(InternalError, match="unreadable"):
        KeyPolicy.deserialize(raw[::-1])
    # Fields added by a later version are ignored by this one.
    extended = KeyPolicy.deserialize(json.dumps({**document, "future": 1}).encode())
    assert extended == policy
    assert await transit.storage.list("") == ["policy/"]


@pytest.mark.parametrize(
    "kind",
    ["aes128-gcm96", "chacha20-poly1305", "ed25519", "ecdsa-p384", "rsa-2048", "hmac"],
)
async def test_backup_round_trip_of_every_type(transit: Transit, kind: str) -> None:
    await transit.create("k", type=kind, exportable=True, allow_plaintext_backup=True)
    await transit.ok("keys/k/rotate")
    await transit.ok("keys/k/config", min_decryption_version=2, min_encryption_version=2)
    await transit.ok("keys/k/trim", min_available_version=2)
    backup = (await transit.read("backup/k"))["backup"]
    await transit.none("restore/copy", backup=backup)
    original, copy = await transit.read("keys/k"), await transit.read("keys/copy")
    for field in ("latest_version", "min_available_version", "min_decryption_version", "type"):
        assert copy[field] == original[field]
    assert copy.get("keys") == original.get("keys")
    assert await transit.export("hmac-key", "copy") == await transit.export("hmac-key", "k")
    mac = (await transit.ok("hmac/k", input=b64("m")))["hmac"]
    assert (await transit.ok("verify/copy", input=b64("m"), hmac=mac))["valid"]


async def test_backup_of_a_public_only_version(transit: Transit) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    for kind, private in [
        ("ed25519", ed25519.Ed25519PrivateKey.generate()),
        ("ecdsa-p256", ec.generate_private_key(ec.SECP256R1())),
        ("rsa-2048", rsa.generate_private_key(65537, 2048)),
    ]:
        pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        await transit.none(
            f"keys/{kind}/import",
            type=kind,
            public_key=pem.decode(),
            exportable=True,
            allow_plaintext_backup=True,
        )
        backup = (await transit.read(f"backup/{kind}"))["backup"]
        await transit.none(f"restore/{kind}-copy", backup=backup)
        copy = await transit.export("public-key", f"{kind}-copy")
        assert copy == await transit.export("public-key", kind)
        assert (await transit.export("signing-key", f"{kind}-copy"))["1"] == ""
