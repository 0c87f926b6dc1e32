"""Revocation, the certificate store, CRLs (checked by openssl), raw CA/CRL reads, URLs
embedded in certificates, tidy."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID
from pki_helpers import PKI, cert, openssl

from strongroom.errors import InvalidParameter, NotFound
from strongroom.logical import Operation, Request, Secret


@pytest.fixture
async def issued(pki: PKI) -> dict[str, str]:
    await pki.root()
    await pki.role("r", allow_any_name=True)
    data: dict[str, str] = await pki.ok("issue/r", common_name="a.test", ttl="1h")
    return data


async def test_revoke_lists_and_reports(pki: PKI, issued: dict[str, str]) -> None:
    serial = issued["serial_number"]
    pki.clock.advance(10)
    revoked = await pki.ok("revoke", serial_number=serial.replace(":", "-"))
    assert revoked["state"] == "revoked"
    assert revoked["revocation_time"] == int(pki.clock.now())
    assert revoked["revocation_time_rfc3339"].endswith("Z")
    again = await pki.ok("revoke", serial_number=serial)
    assert again["revocation_time"] == revoked["revocation_time"]
    assert await pki.list("certs/revoked") == [serial]
    read = await pki.read(f"cert/{serial}")
    assert read["certificate"].strip() == issued["certificate"]
    assert read["revocation_time"] == revoked["revocation_time"] and read["issuer_id"]
    crl = x509.load_der_x509_crl((await pki.raw("crl")).raw_body or b"")
    entry = crl.get_revoked_certificate_by_serial_number(int(serial.replace(":", ""), 16))
    assert entry is not None
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number >= 1


async def test_revoke_refusals(pki: PKI, issued: dict[str, str]) -> None:
    assert "not found" in (await pki.fails("revoke", serial_number="aa:bb")).message
    assert "exactly one" in (await pki.fails("revoke")).message
    root_serial = (await pki.ok("issuers", Operation.LIST))["key_info"].popitem()[1]
    error = await pki.fails("revoke", serial_number=root_serial["serial_number"])
    assert "issuer" in error.message
    assert "serial_number" in (await pki.fails("revoke", serial_number="s3cr3t!")).message
    assert isinstance(await pki.fails("certs/revoked", Operation.LIST), NotFound)


async def test_revoke_with_key(pki: PKI, issued: dict[str, str]) -> None:
    other = await pki.ok("issue/r", common_name="b.test")
    error = await pki.fails(
        "revoke-with-key", serial_number=issued["serial_number"], private_key=other["private_key"]
    )
    assert isinstance(error, InvalidParameter) and "does not match" in error.message
    assert other["private_key"] not in error.message
    error = await pki.fails(
        "revoke-with-key", certificate=issued["certificate"], private_key="s3cr3t-not-a-key"
    )
    assert "could not parse private_key" in error.message and "s3cr3t" not in error.message
    done = await pki.ok(
        "revoke-with-key", certificate=issued["certificate"], private_key=issued["private_key"]
    )
    assert done["state"] == "revoked"


async def test_lease_revocation_revokes_the_certificate(pki: PKI) -> None:
    await pki.root()
    await pki.role("leased", allow_any_name=True, generate_lease=True)
    data = await pki.ok("issue/leased", common_name="a.test")
    secret = Secret("pki", internal={"serial_number": data["serial_number"]})
    await pki.backend.handle(Request(Operation.REVOKE, "", secret=secret))
    assert await pki.list("certs/revoked") == [data["serial_number"]]


async def test_crl_lists_revoked_serial_for_openssl(live: PKI, tmp_path: Path) -> None:
    await live.root()
    await live.role("r", allow_any_name=True)
    data = await live.ok("issue/r", common_name="a.test", ttl="1h")
    await live.ok("revoke", serial_number=data["serial_number"])
    (tmp_path / "crl.der").write_bytes((await live.raw("crl")).raw_body or b"")
    result = openssl("crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert data["serial_number"].replace(":", "").upper() in result.stdout.replace(":", "")
    pem = (await live.raw("crl/pem")).raw_body or b""
    assert pem.startswith(b"-----BEGIN X509 CRL-----")
    assert (await live.read("cert/crl"))["certificate"].encode() == pem


async def test_crl_config_disable_rotate_and_expiry(pki: PKI, issued: dict[str, str]) -> None:
    await pki.ok("revoke", serial_number=issued["serial_number"])
    before = x509.load_der_x509_crl((await pki.raw("crl")).raw_body or b"")
    config = await pki.ok("config/crl", expiry="48h", disable=True)
    assert config["expiry"] == "48h" and config["disable"] is True
    assert (await pki.ok("crl/rotate", Operation.READ))["success"] is True
    after = x509.load_der_x509_crl((await pki.raw("crl")).raw_body or b"")
    assert len(after) == 0 and len(before) == 1
    assert after.next_update_utc is not None and after.last_update_utc is not None
    assert (after.next_update_utc - after.last_update_utc).total_seconds() == 48 * 3600
    number = after.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number > before.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert "auto rebuilding" in (await pki.fails("config/crl", enable_delta=True)).message


async def test_raw_ca_reads_are_unauthenticated_with_content_types(pki: PKI) -> None:
    assert (await pki.raw("ca")).status == 204
    root = await pki.root()
    der = await pki.raw("ca")
    assert der.content_type == "application/pkix-cert"
    assert x509.load_der_x509_certificate(der.raw_body or b"") == cert(root["certificate"])
    pem = await pki.raw("ca/pem")
    assert pem.content_type == "application/pem-certificate-chain"
    assert cert((pem.raw_body or b"").decode()) == cert(root["certificate"])
    assert (await pki.raw("ca_chain")).raw_body == pem.raw_body
    assert (await pki.raw("crl")).content_type == "application/pkix-crl"
    assert (await pki.raw("crl/pem")).content_type == "application/x-pem-file"
    assert (await pki.raw("issuer/default/der")).raw_body == der.raw_body
    assert (await pki.read("issuer/default/json"))["issuer_id"] == root["issuer_id"]
    assert (await pki.read("cert/ca"))["certificate"].strip() == root["certificate"]
    for path in ("ca", "ca/pem", "ca_chain", "crl", "crl/pem", "cert/ca", "issuer/x/pem"):
        assert pki.backend.properties(path).unauthenticated, path
    assert not pki.backend.properties("issue/r").unauthenticated


async def test_config_urls_are_embedded(pki: PKI) -> None:
    await pki.root()
    urls = await pki.ok(
        "config/urls",
        issuing_certificates="http://pki.test/v1/pki/ca",
        crl_distribution_points="http://pki.test/v1/pki/crl",
        ocsp_servers="http://pki.test/v1/pki/ocsp",
    )
    assert urls["issuing_certificates"] == ["http://pki.test/v1/pki/ca"]
    assert (await pki.read("config/urls"))["ocsp_servers"] == ["http://pki.test/v1/pki/ocsp"]
    await pki.role("r", allow_any_name=True)
    leaf = cert((await pki.ok("issue/r", common_name="a.test"))["certificate"])
    aia = leaf.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    found = {(d.access_method, d.access_location.value) for d in aia}
    assert (AuthorityInformationAccessOID.CA_ISSUERS, "http://pki.test/v1/pki/ca") in found
    assert (AuthorityInformationAccessOID.OCSP, "http://pki.test/v1/pki/ocsp") in found
    points = leaf.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name is not None
    assert points[0].full_name[0].value == "http://pki.test/v1/pki/crl"


async def test_tidy_deletes_expired_certificates(pki: PKI, issued: dict[str, str]) -> None:
    kept = await pki.ok("issue/r", common_name="b.test", ttl="100h")
    pki.clock.advance(2 * 3600 + 72 * 3600)
    response = await pki(Operation.UPDATE, "tidy", {"tidy_cert_store": True})
    assert response is not None and response.status == 202
    serials = await pki.list("certs")
    assert issued["serial_number"] not in serials and kept["serial_number"] in serials
    status = await pki.read("tidy-status")
    assert status["state"] == "Finished" and status["cert_store_deleted_count"] == 1
