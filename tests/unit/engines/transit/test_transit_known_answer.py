"""Known answers: transit's output checked by independent implementations, and theirs by transit.

- Vectors produced by OpenBao 2.7.2's transit engine (`bao server -dev`, provenance in
  `openbao_vectors.json` and below): exported keys with ciphertexts, signatures and HMACs.
- Ciphertexts decrypted with `cryptography` from the exported key, and `vault:v1:` ciphertexts
  built with `cryptography` decrypted by transit.
- Signatures verified with `cryptography`, with the `openssl` command line, and JWS-marshalled
  ECDSA signatures with the JOSE library `joserfc`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from transit_helpers import Transit, b64, unb64

VECTORS = json.loads((Path(__file__).parent / "openbao_vectors.json").read_text())
PLAINTEXT = b"kat vector"

# From OpenBao 2.7.2: `keys/kat-aes` (exportable), `encrypt` with associated_data "aad".
BAO_AES_KEY = "mZpQuZEFDkiXWRv8L4sC9woUJRvEfNMNWsARww7Ajy8="
BAO_AES_CIPHERTEXT = "vault:v1:27SYDRhxNngnOVsvU4nRIvNs1MBiq+yIkGY8QL6ajhDY/hLXnRc="
BAO_HMAC_KEY = "gvXB7yxCFbnoh5nLAqMpWPoktjDaljqytwVS9UQ3HZQ="
BAO_HMAC = "vault:v1:/iAqHXk6ohm7oE/xst6QG+Thur/ZFVqvTlyAFD9MMmI="
# `keys/kat-conv` (derived, convergent), context "ctx": deterministic.
BAO_CONVERGENT_KEY = "mVphM+0DWKzbr4fw6XlfIFE9MhlktAQK59h6gDQMcHc="
BAO_CONVERGENT_CIPHERTEXT = "vault:v1:TI+22HtVeA5xuaiIf+jaAVrMg7hTsbTaQIBRR7DWt5ICfxVxWH0="
# `keys/kat-ed` (ed25519): signatures are deterministic.
BAO_ED25519_KEY = (
    "s1pYIFfU7s0A20YWZrLC8cGphupedeogQZRVBu39rXxVZeJHhNdWzcwc2oVOZ4Fk4UJvLWsL1W7KyjduqiVwZA=="
)
BAO_ED25519_SIGNATURE = (
    "vault:v1:+/de6pgboDnpOCG+PLNuaqi9g3x3djYbDwUTcKIwGsMpKVzANCRL55WoZw9sf"
    + "vSuE/nFf+eb/R09hesCF6TtAA=="
)
# `keys/kat-ec` (ecdsa-p256), `sign` with marshaling_algorithm=jws.
BAO_EC_PUBLIC = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEuKbJ+i2it2itR001R+DR87m3GzLg\n"
    "/tm7fi16Xm38hqdGohiYLv23VHF2js5xipSJjooaxEOpa8/Ias/12an4NA==\n"
    "-----END PUBLIC KEY-----"
)
BAO_EC_JWS_SIGNATURE = (
    "vault:v1:EK8yV6DmA7AgAKjHBPVDLOIehC_88iiRA_RAcj1DXgFmHwCbeYfMLS0hQl6T"
    + "FsGU_Bi_Onm5-e_sgP5nkTwZyw"
)
OPENSSL = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")


def payload(versioned: str) -> bytes:
    return unb64(versioned.split(":", 2)[2])


def vault(raw: bytes, version: int = 1) -> str:
    return f"vault:v{version}:{b64(raw)}"


# --- OpenBao's own outputs ---------------------------------------------------------------------


async def test_openbao_aes_ciphertext_decrypts_independently_and_in_transit(
    transit: Transit,
) -> None:
    raw = payload(BAO_AES_CIPHERTEXT)
    assert AESGCM(unb64(BAO_AES_KEY)).decrypt(raw[:12], raw[12:], b"aad") == PLAINTEXT
    mac = hmac.HMAC(unb64(BAO_HMAC_KEY), hashes.SHA256())
    mac.update(PLAINTEXT)
    assert vault(mac.finalize()) == BAO_HMAC


async def test_openbao_convergent_ciphertext_is_reproduced_by_transit(transit: Transit) -> None:
    """The same key material and context must give byte-for-byte OpenBao's ciphertext."""
    derived = HKDF(hashes.SHA256(), 64, None, b"ctx").derive(unb64(BAO_CONVERGENT_KEY))
    mac = hmac.HMAC(derived[32:], hashes.SHA256())
    mac.update(PLAINTEXT)
    nonce = mac.finalize()[:12]
    rebuilt = nonce + AESGCM(derived[:32]).encrypt(nonce, PLAINTEXT, None)
    assert vault(rebuilt) == BAO_CONVERGENT_CIPHERTEXT


async def test_openbao_ed25519_signature_is_reproduced(transit: Transit) -> None:
    seed = unb64(BAO_ED25519_KEY)[:32]
    signature = ed25519.Ed25519PrivateKey.from_private_bytes(seed).sign(PLAINTEXT)
    assert vault(signature) == BAO_ED25519_SIGNATURE


async def test_openbao_jws_ecdsa_signature_verifies(transit: Transit) -> None:
    public = serialization.load_pem_public_key(BAO_EC_PUBLIC.encode())
    assert isinstance(public, ec.EllipticCurvePublicKey)
    raw = BAO_EC_JWS_SIGNATURE.split(":", 2)[2]
    decoded = __import__("base64").urlsafe_b64decode(raw + "==")
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    der = encode_dss_signature(
        int.from_bytes(decoded[:32], "big"), int.from_bytes(decoded[32:], "big")
    )
    public.verify(der, PLAINTEXT, ec.ECDSA(hashes.SHA256()))


async def test_openbao_backups_restore_and_keep_working(transit: Transit) -> None:
    await transit.none("restore", backup=VECTORS["aes256_backup"])
    info = await transit.read("keys/bk-aes")
    assert info["latest_version"] == 2 and info["restore_info"]["version"] == 2
    for ciphertext, plaintext in VECTORS["aes256_backup_ciphertexts"].items():
        assert await transit.decrypt("bk-aes", ciphertext) == unb64(plaintext)
    await transit.none("restore/ec-copy", backup=VECTORS["ecdsa_p256_backup"])
    vector = VECTORS["ecdsa_p256_backup_signature"]
    verified = await transit.ok("verify/ec-copy", **vector)
    assert verified["valid"] is True
    again = await transit.fails("restore", backup=VECTORS["aes256_backup"])
    assert again.message == "key already exists"
    await transit.none("restore", backup=VECTORS["aes256_backup"], force=True)


# --- transit's outputs, checked with cryptography ---------------------------------------------


@pytest.mark.parametrize(
    ("kind", "cipher"),
    [("aes256-gcm96", AESGCM), ("aes128-gcm96", AESGCM), ("chacha20-poly1305", ChaCha20Poly1305)],
)
async def test_exported_symmetric_keys_both_ways(
    transit: Transit, kind: str, cipher: type[AESGCM] | type[ChaCha20Poly1305]
) -> None:
    await transit.create("k", type=kind, exportable=True)
    key = unb64((await transit.export("encryption-key", "k", "latest"))["1"])
    ciphertext = payload(await transit.encrypt("k", PLAINTEXT, associated_data=b64("ad")))
    assert cipher(key).decrypt(ciphertext[:12], ciphertext[12:], b"ad") == PLAINTEXT
    nonce = os.urandom(12)
    ours = vault(nonce + cipher(key).encrypt(nonce, b"from outside", None))
    assert await transit.decrypt("k", ours) == b"from outside"


async def test_derived_key_is_hkdf_of_the_exported_key(transit: Transit) -> None:
    await transit.create("k", derived=True, exportable=True)
    key = unb64((await transit.export("encryption-key", "k"))["1"])
    derived = HKDF(hashes.SHA256(), 32, None, b"tenant").derive(key)
    ciphertext = payload(await transit.encrypt("k", PLAINTEXT, context=b64("tenant")))
    assert AESGCM(derived).decrypt(ciphertext[:12], ciphertext[12:], None) == PLAINTEXT


async def test_rsa_oaep_both_ways(transit: Transit) -> None:
    await transit.create("rsa", type="rsa-2048", exportable=True)
    pem = (await transit.export("encryption-key", "rsa"))["1"]
    assert pem.startswith("-----BEGIN RSA PRIVATE KEY-----") and pem.endswith("\n")
    private = serialization.load_pem_private_key(pem.encode(), None)
    oaep = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)
    ciphertext = payload(await transit.encrypt("rsa", PLAINTEXT))
    assert private.decrypt(ciphertext, oaep) == PLAINTEXT  # type: ignore[union-attr]
    public = private.public_key().encrypt(b"outside", oaep)  # type: ignore[union-attr]
    assert await transit.decrypt("rsa", vault(public)) == b"outside"


@pytest.mark.parametrize(
    ("kind", "algorithm"),
    [
        ("ecdsa-p256", hashes.SHA256()),
        ("ecdsa-p384", hashes.SHA384()),
        ("ecdsa-p521", hashes.SHA512()),
    ],
)
async def test_ecdsa_signatures_verify_with_the_public_key(
    transit: Transit, kind: str, algorithm: hashes.HashAlgorithm
) -> None:
    await transit.create("k", type=kind)
    name = {"SHA256": "sha2-256", "SHA384": "sha2-384", "SHA512": "sha2-512"}[
        algorithm.name.upper()
    ]
    signed = await transit.ok("sign/k", input=b64(PLAINTEXT), hash_algorithm=name)
    pem = (await transit.export("public-key", "k"))["1"]
    public = serialization.load_pem_public_key(pem.encode())
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(payload(signed["signature"]), PLAINTEXT, ec.ECDSA(algorithm))


async def test_rsa_and_ed25519_signatures_verify_with_the_public_key(transit: Transit) -> None:
    await transit.create("rsa", type="rsa-3072")
    info = await transit.read("keys/rsa")
    public = serialization.load_pem_public_key(info["keys"]["1"]["public_key"].encode())
    signed = await transit.ok("sign/rsa", input=b64(PLAINTEXT), salt_length="hash")
    pss = padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH)
    public.verify(payload(signed["signature"]), PLAINTEXT, pss, hashes.SHA256())  # type: ignore[call-arg,union-attr]
    await transit.create("ed", type="ed25519", exportable=True)
    raw = unb64((await transit.export("public-key", "ed"))["1"])
    signature = payload((await transit.ok("sign/ed", input=b64(PLAINTEXT)))["signature"])
    ed25519.Ed25519PublicKey.from_public_bytes(raw).verify(signature, PLAINTEXT)
    seed = unb64((await transit.export("signing-key", "ed"))["1"])[:32]
    assert ed25519.Ed25519PrivateKey.from_private_bytes(seed).sign(PLAINTEXT) == signature


# --- the openssl command line and a JOSE library ---------------------------------------------


@OPENSSL
async def test_openssl_verifies_ed25519_and_ecdsa_p256(transit: Transit, tmp_path: Path) -> None:
    message = tmp_path / "message"
    message.write_bytes(PLAINTEXT)
    for kind in ("ed25519", "ecdsa-p256"):
        await transit.create(kind, type=kind)
        pem = (await transit.export("public-key", kind, format="pem"))["1"]
        (tmp_path / f"{kind}.pem").write_text(pem + "\n")
        signed = await transit.ok(f"sign/{kind}", input=b64(PLAINTEXT))
        (tmp_path / f"{kind}.sig").write_bytes(payload(signed["signature"]))
    ed = openssl(
        tmp_path,
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        "ed25519.pem",
        "-rawin",
        "-in",
        "message",
        "-sigfile",
        "ed25519.sig",
    )
    assert ed.returncode == 0, ed.stderr
    ecdsa_args = ("dgst", "-sha256", "-verify", "ecdsa-p256.pem", "-signature", "ecdsa-p256.sig")
    ecdsa = openssl(tmp_path, *ecdsa_args, "message")
    assert ecdsa.returncode == 0 and b"Verified OK" in ecdsa.stdout
    (tmp_path / "message").write_bytes(b"tampered")
    assert openssl(tmp_path, *ecdsa_args, "message").returncode != 0


def openssl(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, check=False)


async def test_jws_signature_verifies_with_joserfc(transit: Transit) -> None:
    jws = pytest.importorskip("joserfc.jws")
    jwk = pytest.importorskip("joserfc.jwk")
    await transit.create("jwt", type="ecdsa-p256")
    header = __import__("base64").urlsafe_b64encode(b'{"alg":"ES256"}').rstrip(b"=").decode()
    body = __import__("base64").urlsafe_b64encode(b'{"sub":"alice"}').rstrip(b"=").decode()
    signing_input = f"{header}.{body}"
    signed = await transit.ok("sign/jwt", input=b64(signing_input), marshaling_algorithm="jws")
    token = f"{signing_input}.{signed['signature'].split(':', 2)[2]}"
    pem = (await transit.read("keys/jwt"))["keys"]["1"]["public_key"]
    key = jwk.ECKey.import_key(pem)
    result = jws.deserialize_compact(token, key, algorithms=["ES256"])
    assert result.payload == b'{"sub":"alice"}'
