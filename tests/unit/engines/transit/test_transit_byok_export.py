"""byok-export: a key wrapped for another mount's wrapping key, read back by that mount's import.

Two transit mounts over separate storage play two clusters: `here` holds the keys, `there`'s
wrapping key is imported into `here` as the public-only RSA key `there-wrap`.
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding
from transit_helpers import Transit, b64, unb64

from strongroom.engines.transit import build_transit_backend
from strongroom.logical import Operation
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock

DESTINATION = "there-wrap"


@pytest.fixture
def here(transit: Transit) -> Transit:
    return transit


@pytest.fixture
async def there(here: Transit, clock: FakeClock) -> Transit:
    """A second mount, whose wrapping key `here` knows as `there-wrap`."""
    storage = InmemBackend()
    other = Transit(build_transit_backend(storage, clock), storage, clock)
    pem = (await other.read("wrapping_key"))["public_key"]
    await here.none(f"keys/{DESTINATION}/import", type="rsa-4096", public_key=pem)
    return other


async def byok_export(transit: Transit, source: str, version: str = "", **query: Any) -> Any:
    path = f"byok-export/{DESTINATION}/{source}" + (f"/{version}" if version else "")
    return await transit.read(path, **query)


async def move(here: Transit, there: Transit, name: str, kind: str, **query: Any) -> None:
    """byok-export every version of `name` from `here`, import them in order into `there`."""
    exported = await byok_export(here, name, **query)
    assert exported["name"] == name and exported["type"] == kind
    hash_function = query.get("hash", "SHA256")
    versions = sorted(exported["keys"], key=int)
    first, *rest = versions
    await there.none(
        f"keys/{name}/import",
        type=kind,
        ciphertext=exported["keys"][first],
        hash_function=hash_function,
        allow_rotation=True,
    )
    for version in rest:
        await there.none(
            f"keys/{name}/import_version",
            ciphertext=exported["keys"][version],
            hash_function=hash_function,
        )


async def test_aes_key_moves_with_every_version(here: Transit, there: Transit) -> None:
    await here.create("orders", exportable=True)
    old = await here.encrypt("orders", "first")
    await here.ok("keys/orders/rotate")
    new = await here.encrypt("orders", "second")
    # byok-export needs `exportable` only, not `allow_plaintext_backup` as backup does.
    assert "plaintext backup" in (await here.fails("backup/orders", Operation.READ)).message

    await move(here, there, "orders", "aes256-gcm96")

    assert await there.decrypt("orders", old) == b"first"
    assert await there.decrypt("orders", new) == b"second"
    back = await there.encrypt("orders", "reply")
    assert back.startswith("vault:v2:")
    assert await here.decrypt("orders", back) == b"reply"


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa-p256"])
async def test_signing_key_moves_and_signatures_interoperate(
    here: Transit, there: Transit, kind: str
) -> None:
    await here.create("signer", type=kind, exportable=True)
    await move(here, there, "signer", kind, hash="SHA512")

    ours, theirs = await here.read("keys/signer"), await there.read("keys/signer")
    assert ours["keys"]["1"]["public_key"] == theirs["keys"]["1"]["public_key"]
    for signer, verifier in ((here, there), (there, here)):
        signed = await signer.ok("sign/signer", input=b64("message"))
        verified = await verifier.ok(
            "verify/signer", input=b64("message"), signature=signed["signature"]
        )
        assert verified["valid"] is True


async def test_hmac_key_moves(here: Transit, there: Transit) -> None:
    await here.create("mac", type="hmac", key_size=48, exportable=True)
    await move(here, there, "mac", "hmac")
    ours = await here.ok("hmac/mac", input=b64("data"))
    assert (await there.ok("hmac/mac", input=b64("data")))["hmac"] == ours["hmac"]


async def test_one_version_by_number_or_latest(here: Transit, there: Transit) -> None:
    await here.create("k", exportable=True)
    await here.ok("keys/k/rotate")
    await here.ok("keys/k/rotate")
    assert list((await byok_export(here, "k", "2"))["keys"]) == ["2"]
    assert list((await byok_export(here, "k", "v2"))["keys"]) == ["2"]
    assert list((await byok_export(here, "k", "latest"))["keys"]) == ["3"]
    await here.ok("keys/k/config", min_decryption_version=2)
    assert sorted((await byok_export(here, "k"))["keys"]) == ["2", "3"]
    too_old = await here.fails(f"byok-export/{DESTINATION}/k/1", Operation.READ)
    assert too_old.message == "version for export is below minimum decryption version"


async def test_wrapped_format_for_an_rsa_2048_destination(here: Transit) -> None:
    """Any RSA key is a destination: the OAEP block is as long as its modulus (256 bytes here),
    followed by RFC 5649 key wrap of the raw key."""
    private = rsa.generate_private_key(65537, 2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    await here.none(f"keys/{DESTINATION}/import", type="rsa-2048", public_key=pem.decode())
    await here.create("aes", type="aes128-gcm96", exportable=True)
    raw_key = unb64((await here.export("encryption-key", "aes"))["1"])

    wrapped = unb64((await byok_export(here, "aes", hash="sha384"))["keys"]["1"])

    oaep = padding.OAEP(padding.MGF1(hashes.SHA384()), hashes.SHA384(), None)
    aes_key = private.decrypt(wrapped[:256], oaep)
    assert len(aes_key) == 32
    assert aes_key_unwrap_with_padding(aes_key, wrapped[256:]) == raw_key


async def test_tampered_export_is_refused_by_import(here: Transit, there: Transit) -> None:
    await here.create("k", exportable=True)
    wrapped = bytearray(unb64((await byok_export(here, "k"))["keys"]["1"]))
    wrapped[-1] ^= 1
    refused = await there.fails("keys/k/import", ciphertext=b64(bytes(wrapped)))
    assert refused.status == 400 and refused.message == "could not unwrap the imported key"


async def test_refusals(here: Transit, there: Transit) -> None:
    await here.create("locked")
    await here.create("open", exportable=True)
    await here.create("ec", type="ecdsa-p256")
    cases = {
        f"byok-export/{DESTINATION}/locked": "key is not exportable",
        f"byok-export/{DESTINATION}/missing": "no such source key for export",
        "byok-export/missing/open": "no such destination key to export to",
        "byok-export/ec/open": "the destination key must be an RSA key",
        "byok-export/open/open": "the destination key must be an RSA key",
        f"byok-export/{DESTINATION}/open/7": "version does not exist or cannot be found",
        f"byok-export/{DESTINATION}/open/seven": "invalid key version",
    }
    for path, message in cases.items():
        refused = await here.fails(path, Operation.READ)
        assert (refused.status, refused.message) == (400, message), path
    bad_hash = await byok_export_error(here, "open", hash="MD5")
    assert bad_hash.status == 400 and "unknown hash function" in bad_hash.message


async def test_public_only_version_is_refused(here: Transit, there: Transit) -> None:
    private = rsa.generate_private_key(65537, 2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    await here.none("keys/pub/import", type="rsa-2048", public_key=pem.decode(), exportable=True)
    refused = await byok_export_error(here, "pub")
    assert refused.status == 400 and "no private key" in refused.message


async def byok_export_error(transit: Transit, source: str, **query: Any) -> Any:
    return await transit.fails(f"byok-export/{DESTINATION}/{source}", Operation.READ, **query)
