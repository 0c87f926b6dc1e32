"""sign, verify, hmac, hash, random: every signing type, the options, batches and bad input."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from transit_helpers import Transit, b64, unb64

from strongroom.engines.transit.keytypes import Family, post_quantum_available
from strongroom.logical import Operation

MESSAGE = b64("pay 100 to alice")
SIGNING_TYPES = ["ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa-2048"]
PQ = pytest.mark.skipif(
    not post_quantum_available(Family.ML_DSA), reason="cryptography without ML-DSA"
)


@pytest.mark.parametrize("kind", SIGNING_TYPES)
async def test_sign_and_verify_every_type(transit: Transit, kind: str) -> None:
    await transit.create("k", type=kind)
    signed = await transit.ok("sign/k", input=MESSAGE)
    assert signed["key_version"] == 1 and signed["signature"].startswith("vault:v1:")
    assert (await transit.ok("verify/k", input=MESSAGE, signature=signed["signature"]))["valid"]
    tampered = await transit.ok("verify/k", input=b64("pay 900"), signature=signed["signature"])
    assert tampered["valid"] is False


@PQ
@pytest.mark.parametrize("kind", ["ml-dsa-44", "ml-dsa-65", "ml-dsa-87"])
async def test_ml_dsa_sign_verify_rotate(transit: Transit, kind: str) -> None:
    info = await transit.create("k", type=kind, exportable=True)
    assert info["supports_signing"] and info["keys"]["1"]["name"] == kind
    signed = await transit.ok("sign/k", input=MESSAGE)
    await transit.ok("keys/k/rotate")
    assert (await transit.ok("verify/k", input=MESSAGE, signature=signed["signature"]))["valid"]
    newer = await transit.ok("sign/k", input=MESSAGE)
    assert newer["key_version"] == 2
    assert "PRIVATE KEY" in (await transit.export("signing-key", "k"))["2"]


@pytest.mark.parametrize(
    "options",
    [
        {"signature_algorithm": "pss"},
        {"signature_algorithm": "pss", "salt_length": "hash"},
        {"signature_algorithm": "pss", "salt_length": "20", "hash_algorithm": "sha2-512"},
        {"signature_algorithm": "pkcs1v15", "hash_algorithm": "sha3-256"},
        {"signature_algorithm": "pkcs1v15", "hash_algorithm": "sha1"},
    ],
)
async def test_rsa_signature_options(transit: Transit, options: dict[str, str]) -> None:
    await transit.create("rsa", type="rsa-2048")
    signed = await transit.ok("sign/rsa", input=MESSAGE, **options)
    verified = await transit.ok(
        "verify/rsa", input=MESSAGE, signature=signed["signature"], **options
    )
    assert verified["valid"] is True
    if options["signature_algorithm"] == "pss":
        other = "pkcs1v15"
        mixed = {**options, "signature_algorithm": other, "salt_length": "auto"}
        wrong = await transit.ok(
            "verify/rsa", input=MESSAGE, signature=signed["signature"], **mixed
        )
        assert wrong["valid"] is False


async def test_prehashed_and_hash_none(transit: Transit) -> None:
    await transit.create("rsa", type="rsa-2048")
    digest = b64(hashlib.sha256(b"doc").digest())
    prehashed = await transit.ok("sign/rsa/sha2-256", input=digest, prehashed=True)
    plain = {"input": b64("doc"), "signature": prehashed["signature"]}
    assert (await transit.ok("verify/rsa/sha2-256", **plain))["valid"]
    raw = {"prehashed": True, "signature_algorithm": "pkcs1v15", "hash_algorithm": "none"}
    unsalted = await transit.ok("sign/rsa", input=digest, **raw)
    assert (await transit.ok("verify/rsa", input=digest, signature=unsalted["signature"], **raw))[
        "valid"
    ]
    refused = await transit.fails("sign/rsa", input=digest, hash_algorithm="none")
    assert "requires both prehashed=true and signature_algorithm=pkcs1v15" in refused.message
    short = await transit.fails("sign/rsa", input=b64("abc"), prehashed=True)
    assert "prehashed input length" in short.message
    await transit.create("ec", type="ecdsa-p256")
    ec_signed = await transit.ok("sign/ec", input=digest, prehashed=True)
    assert (await transit.ok("verify/ec", input=b64("doc"), signature=ec_signed["signature"]))[
        "valid"
    ]


async def test_derived_ed25519_returns_the_context_public_key(transit: Transit) -> None:
    await transit.create("ed", type="ed25519", derived=True)
    signed = await transit.ok("sign/ed", input=MESSAGE, context=b64("user-1"))
    info = await transit.read("keys/ed", context=b64("user-1"))
    assert signed["public_key"] == info["keys"]["1"]["public_key"]
    ok = await transit.ok(
        "verify/ed", input=MESSAGE, signature=signed["signature"], context=b64("user-1")
    )
    assert ok["valid"]
    other = await transit.ok(
        "verify/ed", input=MESSAGE, signature=signed["signature"], context=b64("user-2")
    )
    assert other["valid"] is False
    missing = await transit.fails("sign/ed", input=MESSAGE)
    assert "missing 'context'" in missing.message


async def test_sign_and_verify_batches(transit: Transit) -> None:
    await transit.create("k", type="ecdsa-p256")
    signed = await transit.ok(
        "sign/k", batch_input=[{"input": MESSAGE, "reference": "a"}, {"input": "%%"}]
    )
    first, second = signed["batch_results"]
    assert first["reference"] == "a" and first["key_version"] == 1
    assert second == {
        "key_version": 0,
        "error": "unable to decode input as base64",
        "reference": "",
    }
    checked = await transit.ok(
        "verify/k",
        batch_input=[
            {"input": MESSAGE, "signature": first["signature"], "reference": "x"},
            {"input": b64("other"), "signature": first["signature"]},
            {"input": MESSAGE, "signature": "vault:v1:%%"},
        ],
    )
    results = checked["batch_results"]
    assert results[0] == {"valid": True, "reference": "x"}
    assert results[1] == {"valid": False, "reference": ""}
    assert results[2]["valid"] is False and "base64" in results[2]["error"]
    mixed = await transit.fails(
        "verify/k", batch_input=[{"input": MESSAGE, "signature": "s"}, {"input": MESSAGE}]
    )
    assert "missing" in mixed.message


async def test_jws_marshaling(transit: Transit) -> None:
    await transit.create("k", type="ecdsa-p384")
    signed = await transit.ok("sign/k", input=MESSAGE, marshaling_algorithm="jws")
    payload = signed["signature"].split(":", 2)[2]
    assert "=" not in payload and "+" not in payload and "/" not in payload
    assert len(payload) == 128  # 2 * 48 bytes, unpadded base64url
    ok = await transit.ok(
        "verify/k", input=MESSAGE, signature=signed["signature"], marshaling_algorithm="jws"
    )
    assert ok["valid"]
    bad = await transit.fails("sign/k", input=MESSAGE, marshaling_algorithm="pem")
    assert "invalid marshaling type" in bad.message


async def test_signature_version_rules(transit: Transit) -> None:
    await transit.create("k", type="ed25519")
    old = (await transit.ok("sign/k", input=MESSAGE))["signature"]
    await transit.ok("keys/k/rotate")
    assert (await transit.ok("verify/k", input=MESSAGE, signature=old))["valid"]
    await transit.ok("keys/k/config", min_decryption_version=2)
    too_old = await transit.fails("verify/k", input=MESSAGE, signature=old)
    assert "too old" in too_old.message
    newer = await transit.fails("verify/k", input=MESSAGE, signature="vault:v9:AAAA")
    assert newer.message == "invalid signature: version is too new"
    version = await transit.fails("sign/k", input=MESSAGE, key_version=5)
    assert "higher than the latest key version" in version.message
    neither = await transit.fails("verify/k", input=MESSAGE)
    assert "neither a 'signature' nor an 'hmac'" in neither.message
    await transit.create("aes")
    wrong = await transit.fails("verify/aes", input=MESSAGE, signature=old)
    assert "does not support verification" in wrong.message


async def test_hmac_generate_and_verify(transit: Transit) -> None:
    info = await transit.create("k", exportable=True)
    assert info["latest_version"] == 1
    produced = await transit.ok("hmac/k/sha2-512", input=MESSAGE)
    key = unb64((await transit.export("hmac-key", "k"))["1"])
    expected = hmac.new(key, unb64(MESSAGE), hashlib.sha512).digest()
    assert produced["hmac"] == "vault:v1:" + b64(expected)
    good = {"input": MESSAGE, "hmac": produced["hmac"], "algorithm": "sha2-512"}
    assert (await transit.ok("verify/k", **good))["valid"]
    assert (await transit.ok("verify/k/sha2-512", input=b64("x"), hmac=produced["hmac"]))[
        "valid"
    ] is False
    batch = await transit.ok(
        "hmac/k", batch_input=[{"input": MESSAGE, "reference": "r"}, {"input": "%%"}]
    )
    first, second = batch["batch_results"]
    assert first["reference"] == "r" and first["hmac"].startswith("vault:v1:")
    assert "base64" in second["error"]
    checked = await transit.ok(
        "verify/k",
        batch_input=[
            {"input": MESSAGE, "hmac": first["hmac"]},
            {"input": b64("x"), "hmac": first["hmac"]},
        ],
    )
    assert checked["batch_results"] == [{"valid": True, "reference": ""}, {"reference": ""}]
    await transit.create("mac", type="hmac")
    own = await transit.ok("hmac/mac/sha3-256", input=MESSAGE)
    assert own["hmac"].startswith("vault:v1:")
    bad = await transit.fails("hmac/k/md5", input=MESSAGE)
    assert "unsupported algorithm" in bad.message
    assert (await transit.fails("hmac/k")).message == "missing input for HMAC"


async def test_hash_and_random(transit: Transit) -> None:
    hashed = await transit.ok("hash/sha2-512", input=b64("abc"), format="base64")
    assert unb64(hashed["sum"]) == hashlib.sha512(b"abc").digest()
    sha3 = await transit.ok("hash", input=b64("abc"), algorithm="sha3-256")
    assert sha3["sum"] == hashlib.sha3_256(b"abc").hexdigest()
    assert "missing required parameter 'input'" in (await transit.fails("hash")).message
    assert "unsupported hash algorithm" in (await transit.fails("hash/md5", input="")).message
    random = await transit.ok("random/48", format="hex")
    assert len(bytes.fromhex(random["random_bytes"])) == 48
    assert len(unb64((await transit.ok("random/platform/16"))["random_bytes"])) == 16
    assert len(unb64((await transit.ok("random", bytes=8))["random_bytes"])) == 8
    too_many = await transit.fails("random", bytes=10**9)
    assert "between 1 and" in too_many.message
    response = await transit(Operation.UPDATE, "random/seal", {})
    assert response is not None and response.data is not None
