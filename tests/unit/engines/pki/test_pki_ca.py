"""CAs and issuers: generated roots and intermediates, signing, importing, several issuers,
keys, and a chain openssl verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from pki_helpers import PKI, cert, openssl

from strongroom.errors import InvalidParameter, NotFound
from strongroom.logical import Operation


@pytest.mark.parametrize(
    ("key_type", "key_bits", "kind", "size"),
    [
        ("ec", 256, ec.EllipticCurvePublicKey, 256),
        ("ec", 521, ec.EllipticCurvePublicKey, 521),
        ("ed25519", 0, ed25519.Ed25519PublicKey, 0),
        ("rsa", 2048, rsa.RSAPublicKey, 2048),
    ],
)
async def test_root_generate_key_types(
    pki: PKI, key_type: str, key_bits: int, kind: type, size: int
) -> None:
    data = await pki.root(key_type=key_type, key_bits=key_bits, issuer_name="root-1")
    root = cert(data["certificate"])
    assert isinstance(root.public_key(), kind)
    assert getattr(root.public_key(), "key_size", 0) == size
    assert root.subject == root.issuer
    constraints = root.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    usage = root.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    assert data["issuing_ca"] == data["certificate"]
    assert data["serial_number"] == ":".join(
        f"{b:02x}"
        for b in root.serial_number.to_bytes((root.serial_number.bit_length() + 7) // 8, "big")
    )
    assert "private_key" not in data and data["issuer_name"] == "root-1"
    root.verify_directly_issued_by(root)


async def test_exported_root_returns_traditional_or_pkcs8_key(pki: PKI) -> None:
    data = await pki.ok("root/generate/exported", common_name="R", key_type="ec")
    assert data["private_key"].startswith("-----BEGIN EC PRIVATE KEY-----")
    assert data["private_key_type"] == "ec"
    data = await pki.ok(
        "root/generate/exported", common_name="R2", key_type="ec", private_key_format="pkcs8"
    )
    assert data["private_key"].startswith("-----BEGIN PRIVATE KEY-----")


async def test_root_refuses_bad_input_without_echo(pki: PKI) -> None:
    error = await pki.fails("root/generate/internal", common_name="R", key_type="dsa-secret")
    assert isinstance(error, InvalidParameter) and "dsa-secret" not in error.message
    error = await pki.fails(
        "root/generate/internal", common_name="R", key_type="rsa", key_bits=1024
    )
    assert "key_bits" in error.message
    assert "common_name" in (await pki.fails("root/generate/internal")).message
    assert "kms" in (await pki.fails("root/generate/kms", common_name="R")).message


async def test_intermediate_chain_verifies_with_openssl(live: PKI, tmp_path: Path) -> None:
    root = await live.root()
    csr = (
        await live.ok(
            "intermediate/generate/internal", common_name="Int CA", key_type="ec", key_bits=384
        )
    )["csr"]
    signed = await live.ok(
        "root/sign-intermediate", csr=csr, common_name="Int CA", ttl="8760h", max_path_length=0
    )
    assert signed["ca_chain"][0] == signed["certificate"]
    assert signed["ca_chain"][1] == root["certificate"]
    imported = await live.ok("intermediate/set-signed", certificate=signed["certificate"])
    (intermediate_id,) = imported["imported_issuers"]
    assert imported["mapping"][intermediate_id]  # matched the pending key
    await live.ok("config/issuers", default=intermediate_id)
    await live.role("web", allowed_domains=["example.com"], allow_subdomains=True)
    leaf = await live.ok("issue/web", common_name="www.example.com", ttl="1h")
    assert leaf["ca_chain"] == [signed["certificate"], root["certificate"]]
    assert leaf["issuing_ca"] == signed["certificate"]
    (tmp_path / "root.pem").write_text(root["certificate"] + "\n")
    (tmp_path / "intermediate.pem").write_text(signed["certificate"] + "\n")
    (tmp_path / "leaf.pem").write_text(leaf["certificate"] + "\n")
    result = openssl(
        "verify", "-CAfile", "root.pem", "-untrusted", "intermediate.pem", "leaf.pem", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "leaf.pem: OK" in result.stdout
    # The path length of the intermediate forbids another CA below it.
    csr2 = (await live.ok("intermediate/generate/internal", common_name="Sub", key_type="ec"))[
        "csr"
    ]
    error = await live.fails(
        "root/sign-intermediate", csr=csr2, common_name="Sub", issuer_ref=intermediate_id
    )
    assert "path length" in error.message


async def test_several_issuers_names_default_and_delete(pki: PKI) -> None:
    first = await pki.root(issuer_name="first")
    second = await pki.root(issuer_name="second", common_name="Second")
    listed = await pki.ok("issuers", Operation.LIST)
    assert sorted(listed["keys"]) == sorted([first["issuer_id"], second["issuer_id"]])
    assert listed["key_info"][first["issuer_id"]]["is_default"] is True
    assert listed["key_info"][second["issuer_id"]]["is_default"] is False
    assert (await pki.read("issuer/default"))["issuer_id"] == first["issuer_id"]
    await pki.ok("config/issuers", default="second")
    assert (await pki.read("config/issuers"))["default"] == second["issuer_id"]
    renamed = await pki.ok(
        "issuer/second", issuer_name="renamed", leaf_not_after_behavior="truncate"
    )
    assert renamed["issuer_name"] == "renamed" and renamed["leaf_not_after_behavior"] == "truncate"
    assert "already in use" in (await pki.fails("issuer/renamed", issuer_name="first")).message
    assert "issuer_name" in (await pki.fails("issuer/renamed", issuer_name="default")).message
    response = await pki(Operation.DELETE, "issuer/renamed")
    assert response is not None and response.warnings  # it was the default
    assert isinstance(await pki.fails("issuer/renamed", Operation.READ), NotFound)
    assert (await pki.read("config/issuers"))["default"] == ""
    await pki.role("r", allow_any_name=True)
    assert "no default issuer" in (await pki.fails("issue/r", common_name="a.test")).message
    issued = await pki.ok("issuer/first/issue/r", common_name="a.test")
    assert cert(issued["certificate"]).issuer == cert(first["certificate"]).subject


async def test_keys_generate_import_rename_delete(pki: PKI) -> None:
    made = await pki.ok("keys/generate/internal", key_type="ed25519", key_name="k1")
    assert made["key_type"] == "ed25519" and "private_key" not in made
    exported = await pki.ok("keys/generate/exported", key_type="ec")
    assert exported["private_key"].startswith("-----BEGIN EC PRIVATE KEY-----")
    again = await pki.ok("keys/import", pem_bundle=exported["private_key"], key_name="back")
    assert again["key_id"] == exported["key_id"]  # the same key is not stored twice
    read = await pki.read("key/k1")
    assert read["key_id"] == made["key_id"] and read["subject_key_id"].count(":") == 19
    assert (await pki.ok("key/k1", key_name="k2"))["key_name"] == "k2"
    assert sorted(await pki.list("keys")) == sorted([made["key_id"], exported["key_id"]])
    root = await pki.ok("root/generate/existing", common_name="R", key_ref="k2")
    assert root["key_id"] == made["key_id"]
    assert "in use" in (await pki.fails("key/k2", Operation.DELETE)).message
    await pki.no_content(Operation.DELETE, f"key/{exported['key_id']}", {})
    assert isinstance(await pki.fails(f"key/{exported['key_id']}", Operation.READ), NotFound)
    assert "could not parse" in (await pki.fails("keys/import", pem_bundle="s3cret")).message


async def test_config_ca_imports_bundle_and_delete_root(pki: PKI) -> None:
    exported = await pki.ok("root/generate/exported", common_name="Bundle CA", key_type="ec")
    response = await pki(Operation.DELETE, "root")
    assert response is not None and "DELETE /root" in response.warnings[0]
    assert isinstance(await pki.fails("issuers", Operation.LIST), NotFound)
    bundle = exported["private_key"] + "\n" + exported["certificate"] + "\n"
    imported = await pki.ok("config/ca", pem_bundle=bundle)
    (issuer_id,) = imported["imported_issuers"]
    assert imported["mapping"][issuer_id] == imported["imported_keys"][0]
    again = await pki.ok("issuers/import/bundle", pem_bundle=bundle)
    assert again["existing_issuers"] == [issuer_id] and again["imported_issuers"] is None
    await pki.role("r", allow_any_name=True)
    issued = await pki.ok("issue/r", common_name="x.test")
    assert cert(issued["certificate"]).issuer == cert(exported["certificate"]).subject
    error = await pki.fails(
        "config/ca", pem_bundle="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"
    )
    assert "could not parse" in error.message
