"""Bring your own key: wrapping_key, keys/<name>/import and import_version."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding
from transit_helpers import Transit, b64, unb64

from strongroom.logical import Operation


async def wrap(transit: Transit, target: bytes, hash_function: str = "SHA256") -> str:
    """What a client does: RSA-OAEP an ephemeral AES key, then KWP the target with it."""
    pem = (await transit.read("wrapping_key"))["public_key"]
    public = serialization.load_pem_public_key(pem.encode())
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 4096
    algorithm = {"SHA256": hashes.SHA256(), "SHA512": hashes.SHA512()}[hash_function]
    ephemeral = os.urandom(32)
    wrapped = public.encrypt(ephemeral, padding.OAEP(padding.MGF1(algorithm), algorithm, None))
    return b64(wrapped + aes_key_wrap_with_padding(ephemeral, target))


def pkcs8(private: object) -> bytes:
    return private.private_bytes(  # type: ignore[attr-defined,no-any-return]
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


async def test_wrapping_key_is_stable(transit: Transit) -> None:
    first = (await transit.read("wrapping_key"))["public_key"]
    assert first.startswith("-----BEGIN PUBLIC KEY-----")
    assert (await transit.read("wrapping_key"))["public_key"] == first
    assert await transit.storage.list("") == ["wrapping_key"]  # not listed as a key


async def test_import_symmetric_key_and_use_it(transit: Transit) -> None:
    material = os.urandom(32)
    ciphertext = await wrap(transit, material, "SHA512")
    await transit.none(
        "keys/byok/import", ciphertext=ciphertext, hash_function="SHA512", exportable=True
    )
    info = await transit.read("keys/byok")
    assert info["imported_key"] is True and info["imported_key_allow_rotation"] is False
    assert unb64((await transit.export("encryption-key", "byok"))["1"]) == material
    sealed = unb64((await transit.encrypt("byok", "hi")).split(":", 2)[2])
    assert AESGCM(material).decrypt(sealed[:12], sealed[12:], None) == b"hi"
    refused = await transit.fails("keys/byok/rotate")
    assert "does not allow rotation" in refused.message
    again = await transit.fails("keys/byok/import", ciphertext=ciphertext)
    assert "cannot be used with an existing key" in again.message
    newer = os.urandom(32)
    await transit.none("keys/byok/import_version", ciphertext=await wrap(transit, newer))
    assert (await transit.read("keys/byok"))["latest_version"] == 2
    assert unb64((await transit.export("encryption-key", "byok", "2"))["2"]) == newer


@pytest.mark.parametrize(
    ("kind", "private"),
    [
        ("ecdsa-p256", lambda: ec.generate_private_key(ec.SECP256R1())),
        ("ed25519", ed25519.Ed25519PrivateKey.generate),
        ("rsa-2048", lambda: rsa.generate_private_key(65537, 2048)),
    ],
)
async def test_import_asymmetric_keys(transit: Transit, kind: str, private: object) -> None:
    key = private()  # type: ignore[operator]
    ciphertext = await wrap(transit, pkcs8(key))
    await transit.none("keys/mine/import", type=kind, ciphertext=ciphertext, allow_rotation=True)
    signed = await transit.ok("sign/mine", input=b64("m"))
    raw = unb64(signed["signature"].split(":", 2)[2])
    public = key.public_key()
    if kind == "ed25519":
        public.verify(raw, b"m")
    elif kind == "ecdsa-p256":
        public.verify(raw, b"m", ec.ECDSA(hashes.SHA256()))
    else:
        pss = padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.AUTO)
        public.verify(raw, b"m", pss, hashes.SHA256())
    assert (await transit.ok("keys/mine/rotate"))["latest_version"] == 2


async def test_public_key_import_then_private_key(transit: Transit) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    await transit.none("keys/pub/import", type="ecdsa-p384", public_key=pem.decode())
    outside = key.sign(b"m", ec.ECDSA(hashes.SHA256()))
    checked = await transit.ok("verify/pub", input=b64("m"), signature="vault:v1:" + b64(outside))
    assert checked["valid"] is True
    no_private = await transit.fails("sign/pub", input=b64("m"))
    assert "does not contain a private part" in no_private.message
    other = ec.generate_private_key(ec.SECP384R1())
    mismatch = await transit.fails(
        "keys/pub/import_version", ciphertext=await wrap(transit, pkcs8(other)), version=1
    )
    assert "key pair does not match" in mismatch.message
    await transit.none(
        "keys/pub/import_version", ciphertext=await wrap(transit, pkcs8(key)), version=1
    )
    assert (await transit.ok("sign/pub", input=b64("m")))["key_version"] == 1
    done = await transit.fails(
        "keys/pub/import_version", ciphertext=await wrap(transit, pkcs8(key)), version=1
    )
    assert "cannot be updated" in done.message


async def test_bad_imports_are_400(transit: Transit) -> None:
    short = await transit.fails("keys/a/import", ciphertext=b64(b"x" * 100))
    assert short.message == "provided ciphertext is too short"
    garbage = await transit.fails("keys/a/import", ciphertext=b64(os.urandom(600)))
    assert garbage.status == 400 and "unwrap" in garbage.message
    wrong_size = await transit.fails("keys/a/import", ciphertext=await wrap(transit, bytes(16)))
    assert "invalid key size" in wrong_size.message
    wrong_type = await transit.fails(
        "keys/a/import",
        type="ecdsa-p256",
        ciphertext=await wrap(transit, pkcs8(ed25519.Ed25519PrivateKey.generate())),
    )
    assert "not a valid ecdsa-p256 key" in wrong_type.message
    hash_fn = await transit.fails("keys/a/import", ciphertext=b64(bytes(600)), hash_function="MD5")
    assert "unknown hash function" in hash_fn.message
    both = await transit.fails("keys/a/import", ciphertext="x", public_key="y")
    assert "only one of the following fields" in both.message
    public_symmetric = await transit.fails("keys/a/import", public_key="-----BEGIN")
    assert "does not support public_key import" in public_symmetric.message
    convergent = await transit.fails("keys/a/import", convergent_encryption=True)
    assert "convergent" in convergent.message
    rotation = await transit.fails("keys/a/import", auto_rotate_period="2h")
    assert "allow_rotation must be set" in rotation.message
    await transit.create("native")
    not_imported = await transit.fails("keys/native/import_version", ciphertext="x")
    assert "only be used with an imported key" in not_imported.message
    assert isinstance(await transit.fails("keys/a", Operation.READ), Exception)


async def test_imported_derived_key_uses_vaults_legacy_kdf(transit: Transit) -> None:
    """Vault gives imported derived keys its first KDF (SP 800-108 counter mode, HMAC-SHA256,
    counter from 0, no label): checked here against HMAC computed by `cryptography`."""
    from cryptography.hazmat.primitives import hmac

    material = os.urandom(32)
    await transit.none("keys/legacy/import", ciphertext=await wrap(transit, material), derived=True)
    info = await transit.read("keys/legacy")
    assert info["kdf"] == info["kdf_mode"] == "hmac-sha256-counter"
    mac = hmac.HMAC(material, hashes.SHA256())
    mac.update(b"\x00\x00\x00\x00" + b"ctx" + (256).to_bytes(4, "big"))
    derived = mac.finalize()
    sealed = unb64((await transit.encrypt("legacy", "x", context=b64("ctx"))).split(":", 2)[2])
    assert AESGCM(derived).decrypt(sealed[:12], sealed[12:], None) == b"x"
