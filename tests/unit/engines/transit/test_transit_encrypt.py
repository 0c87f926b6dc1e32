"""encrypt, decrypt, rewrap, datakey: batches, associated data, derivation, convergence,
upsert, version rules and bad input."""

from __future__ import annotations

import pytest
from transit_helpers import Transit, b64, unb64

from strongroom.engines.transit.batch import MAX_BATCH_ITEMS
from strongroom.logical import Operation

SECRET = "correct horse battery staple"


@pytest.mark.parametrize("kind", ["aes128-gcm96", "aes256-gcm96", "chacha20-poly1305", "rsa-2048"])
async def test_round_trip_for_every_encryption_type(transit: Transit, kind: str) -> None:
    await transit.create("k", type=kind)
    ciphertext = await transit.encrypt("k", SECRET)
    assert ciphertext.startswith("vault:v1:")
    assert await transit.decrypt("k", ciphertext) == SECRET.encode()
    assert await transit.encrypt("k", SECRET) != ciphertext  # random nonce / OAEP padding


async def test_upsert_creates_the_key_once(transit: Transit) -> None:
    data = await transit.ok("encrypt/fresh", plaintext=b64("x"), type="chacha20-poly1305")
    assert data["key_version"] == 1
    assert (await transit.read("keys/fresh"))["type"] == "chacha20-poly1305"
    derived = await transit.ok("encrypt/tenant", plaintext=b64("x"), context=b64("c"))
    assert derived["ciphertext"].startswith("vault:v1:")
    assert (await transit.read("keys/tenant"))["derived"] is True
    signing = await transit.fails("encrypt/bad", plaintext=b64("x"), type="ecdsa-p256")
    assert "not supported for this operation" in signing.message
    convergent = await transit.fails("encrypt/c", plaintext=b64("x"), convergent_encryption=True)
    assert "context is required" in convergent.message


async def test_disable_upsert(transit: Transit) -> None:
    assert await transit.read("config/keys") == {"disable_upsert": False}
    await transit.ok("config/keys", disable_upsert=True)
    missing = await transit.fails("encrypt/none", plaintext=b64("x"))
    assert missing.status == 400 and missing.message == "encryption key not found"
    await transit.create("k")
    assert await transit.decrypt("k", await transit.encrypt("k", "ok")) == b"ok"


async def test_unknown_key_on_update_paths(transit: Transit) -> None:
    for path, data in [
        ("decrypt/none", {"ciphertext": "vault:v1:AAAA"}),
        ("rewrap/none", {"ciphertext": "vault:v1:AAAA"}),
        ("datakey/plaintext/none", {}),
        ("hmac/none", {"input": b64("x")}),
        ("sign/none", {"input": b64("x")}),
    ]:
        error = await transit.fails(path, **data)
        assert error.status == 400 and "not found" in error.message


async def test_associated_data_is_authenticated(transit: Transit) -> None:
    await transit.create("k")
    ciphertext = await transit.encrypt("k", SECRET, associated_data=b64("order-7"))
    assert await transit.decrypt("k", ciphertext, associated_data=b64("order-7")) == SECRET.encode()
    wrong = await transit.fails("decrypt/k", ciphertext=ciphertext, associated_data=b64("order-8"))
    assert wrong.message == "cipher: message authentication failed"
    missing = await transit.fails("decrypt/k", ciphertext=ciphertext)
    assert missing.status == 400
    await transit.create("rsa", type="rsa-2048")
    refused = await transit.fails("encrypt/rsa", plaintext=b64("x"), associated_data=b64("a"))
    assert "non-AEAD" in refused.message


async def test_derived_keys_need_and_use_the_context(transit: Transit) -> None:
    await transit.create("k", derived=True)
    ciphertext = await transit.encrypt("k", SECRET, context=b64("tenant-1"))
    assert await transit.decrypt("k", ciphertext, context=b64("tenant-1")) == SECRET.encode()
    other = await transit.fails("decrypt/k", ciphertext=ciphertext, context=b64("tenant-2"))
    assert other.message == "cipher: message authentication failed"
    missing = await transit.fails("encrypt/k", plaintext=b64("x"))
    assert "missing 'context' for key derivation" in missing.message
    bad = await transit.fails("encrypt/k", plaintext=b64("x"), context="%%%")
    assert bad.status == 400 and "%%%" not in bad.message


async def test_convergent_encryption_is_deterministic_per_context(transit: Transit) -> None:
    await transit.create("k", derived=True, convergent_encryption=True)
    first = await transit.encrypt("k", SECRET, context=b64("c1"))
    assert await transit.encrypt("k", SECRET, context=b64("c1")) == first
    assert await transit.encrypt("k", SECRET, context=b64("c2")) != first
    assert await transit.encrypt("k", "other", context=b64("c1")) != first
    assert await transit.decrypt("k", first, context=b64("c1")) == SECRET.encode()
    nonce = await transit.fails("encrypt/k", plaintext=b64("x"), context=b64("c"), nonce=b64("n"))
    assert nonce.message == "nonce provided when not allowed"


async def test_batch_encrypt_with_per_item_errors(transit: Transit) -> None:
    await transit.create("k")
    items = [
        {"plaintext": b64("one"), "reference": "r1"},
        {"plaintext": "not base64!", "reference": "r2"},
        {"plaintext": b64("three")},
    ]
    response = await transit(Operation.UPDATE, "encrypt/k", {"batch_input": items})
    assert response is not None and response.status == 400 and response.data is not None
    results = response.data["batch_results"]
    assert results[0]["reference"] == "r1" and results[0]["key_version"] == 1
    assert results[1] == {"error": "unable to decode plaintext as base64", "reference": "r2"}
    assert results[2]["reference"] == ""
    partial = await transit(
        Operation.UPDATE,
        "encrypt/k",
        {"batch_input": items, "partial_failure_response_code": 207},
    )
    assert partial is not None and partial.status == 207
    bad_code = await transit(
        Operation.UPDATE,
        "encrypt/k",
        {"batch_input": items, "partial_failure_response_code": 999},
    )
    assert bad_code is not None and bad_code.status == 400 and bad_code.warnings
    decrypt_items = [
        {"ciphertext": results[0]["ciphertext"], "reference": "a"},
        {"ciphertext": results[2]["ciphertext"], "reference": "b"},
        {"ciphertext": "vault:v1:AAAA", "reference": "c"},
    ]
    decrypted = await transit(Operation.UPDATE, "decrypt/k", {"batch_input": decrypt_items})
    assert decrypted is not None and decrypted.status == 400 and decrypted.data is not None
    plaintexts = decrypted.data["batch_results"]
    assert unb64(plaintexts[0]["plaintext"]) == b"one" and plaintexts[0]["reference"] == "a"
    assert unb64(plaintexts[1]["plaintext"]) == b"three"
    assert plaintexts[2] == {
        "plaintext": "",
        "error": "invalid ciphertext length",
        "reference": "c",
    }
    all_good = await transit.ok("decrypt/k", batch_input=decrypt_items[:2])
    assert len(all_good["batch_results"]) == 2


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ([], "missing batch input"),
        ({"plaintext": "x"}, "must be a list"),
        (["x"], "item 0 is not an object"),
        ([{"context": b64("c")}], "missing plaintext"),
        ([{"plaintext": "", "context": b64("c")}, {"plaintext": ""}], "either in all"),
        ([{"plaintext": ""}] * (MAX_BATCH_ITEMS + 1), f"more than {MAX_BATCH_ITEMS} items"),
    ],
)
async def test_malformed_batches_are_400(transit: Transit, batch: object, message: str) -> None:
    await transit.create("k")
    error = await transit.fails("encrypt/k", batch_input=batch)
    assert error.status == 400 and message in error.message


@pytest.mark.parametrize(
    ("ciphertext", "message"),
    [
        ("AAAA", "invalid ciphertext: no prefix"),
        ("vault:v1", "invalid ciphertext: wrong number of fields"),
        ("vault:vX:AAAA", "invalid ciphertext: version number could not be decoded"),
        ("vault:v1:***secret***", "invalid ciphertext: could not decode base64"),
        ("vault:v7:AAAA", "invalid ciphertext: version is too new"),
        ("vault:v1:AAAA", "invalid ciphertext length"),
        ("vault:v1:" + b64(bytes(40)), "cipher: message authentication failed"),
    ],
)
async def test_bad_ciphertexts_are_400_without_echo(
    transit: Transit, ciphertext: str, message: str
) -> None:
    await transit.create("k")
    error = await transit.fails("decrypt/k", ciphertext=ciphertext)
    assert error.status == 400 and error.message == message
    assert "secret" not in error.message


async def test_bad_plaintext_and_wrong_key_type(transit: Transit) -> None:
    await transit.create("k")
    bad = await transit.fails("encrypt/k", plaintext="pass=hunter2")
    assert bad.status == 400 and "hunter2" not in bad.message
    assert (await transit.fails("encrypt/k")).message == "missing plaintext to encrypt"
    assert (await transit.fails("decrypt/k")).message == "missing ciphertext to decrypt"
    await transit.create("ed", type="ed25519")
    wrong = await transit.fails("encrypt/ed", plaintext=b64("x"))
    assert wrong.message == "message encryption not supported for key type ed25519"
    signing = await transit.fails("sign/k", input=b64("x"))
    assert signing.message == "key type aes256-gcm96 does not support signing"


async def test_rotation_rewrap_and_minimum_versions(transit: Transit) -> None:
    await transit.create("k")
    v1 = await transit.encrypt("k", "one")
    await transit.ok("keys/k/rotate")
    v2 = await transit.encrypt("k", "two")
    assert v2.startswith("vault:v2:")
    assert await transit.decrypt("k", v1) == b"one"
    rewrapped = await transit.ok("rewrap/k", ciphertext=v1)
    assert rewrapped["key_version"] == 2 and rewrapped["ciphertext"].startswith("vault:v2:")
    assert await transit.decrypt("k", rewrapped["ciphertext"]) == b"one"
    explicit = await transit.ok("encrypt/k", plaintext=b64("x"), key_version=1)
    assert explicit["ciphertext"].startswith("vault:v1:")
    await transit.ok("keys/k/config", min_decryption_version=2, min_encryption_version=2)
    too_old = await transit.fails("decrypt/k", ciphertext=v1)
    assert too_old.message == "ciphertext or signature version is disallowed by policy (too old)"
    below = await transit.fails("encrypt/k", plaintext=b64("x"), key_version=1)
    assert "less than the minimum encryption key version" in below.message
    above = await transit.fails("encrypt/k", plaintext=b64("x"), key_version=3)
    assert "higher than the latest key version" in above.message
    batch = await transit(
        Operation.UPDATE,
        "rewrap/k",
        {"batch_input": [{"ciphertext": v2, "reference": "x"}, {"ciphertext": v1}]},
    )
    assert batch is not None and batch.data is not None and batch.status is None
    results = batch.data["batch_results"]
    assert results[0]["key_version"] == 2 and results[0]["reference"] == "x"
    assert "too old" in results[1]["error"]


async def test_datakey_plaintext_and_wrapped(transit: Transit) -> None:
    await transit.create("k")
    data = await transit.ok("datakey/plaintext/k", bits=512)
    assert len(unb64(data["plaintext"])) == 64 and data["key_version"] == 1
    assert await transit.decrypt("k", data["ciphertext"]) == unb64(data["plaintext"])
    wrapped = await transit.ok("datakey/wrapped/k")
    assert set(wrapped) == {"ciphertext", "key_version"}
    assert len(await transit.decrypt("k", wrapped["ciphertext"])) == 32
    bad_bits = await transit.fails("datakey/plaintext/k", bits=100)
    assert "invalid bit length" in bad_bits.message
    bad_mode = await transit.fails("datakey/both/k")
    assert "must be 'plaintext' or 'wrapped'" in bad_mode.message
    await transit.create("d", derived=True)
    derived = await transit.ok("datakey/plaintext/d", context=b64("c"), bits=128)
    plaintext = await transit.decrypt("d", derived["ciphertext"], context=b64("c"))
    assert plaintext == unb64(derived["plaintext"])
